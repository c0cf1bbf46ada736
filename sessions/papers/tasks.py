"""The background task that fetches a paper's metadata (django-tasks)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task


@task()
def fetch_paper_metadata(paper_id):
    """Fetch one paper's metadata; returns the outcome, e.g. ["fetched", ["authors", …]]."""
    from .fetch import update_paper

    outcome, detail = update_paper(paper_id)
    return [outcome, detail]


def enqueue_fetch(paper_id, delay=None):
    """Enqueue the fetch of one paper, `delay` seconds from now (or at once)."""
    fetch = fetch_paper_metadata
    if delay:
        fetch = fetch.using(run_after=timezone.now() + timedelta(seconds=delay))
    return fetch.enqueue(paper_id)
