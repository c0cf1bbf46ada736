"""Bringing a paper's metadata in: fetch, fill what is empty, record the outcome."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sessions.models import Paper

from . import sources
from .names import fitting, join_names

AUTHORS_MAX = Paper._meta.get_field("authors").max_length


def fill(paper, metadata):
    """Put fetched values into the fields of `paper` that are empty and that
    no person edited; returns the names of the fields filled (unsaved)."""
    edited = set(paper.edited_fields)
    filled = []

    def offer(name, value, empty):
        if name in edited or value in ("", None) or not empty:
            return
        setattr(paper, name, value)
        filled.append(name)

    offer("title", metadata.title, paper.placeholder_title())
    authors = fitting(metadata.authors, AUTHORS_MAX)
    if authors and "authors" not in edited and not paper.authors:
        paper.authors, paper.author_list = join_names(authors), authors
        filled += ["authors", "author_list"]
    for name in ("year", "published_on", "abstract", "venue", "arxiv_category", "arxiv_version"):
        offer(name, getattr(metadata, name), getattr(paper, name) in ("", None))
    if "venue_kind" not in edited and not paper.venue_kind and metadata.venue_kind:
        paper.venue_kind = metadata.venue_kind
        filled.append("venue_kind")
    return filled


def update_paper(paper_id, *, client=None, limiter=None, dry_run=False, retry=True):
    """Fetch the metadata of one paper and fill its empty fields.

    Returns (outcome, detail): ("fetched", [fields filled]), ("failed",
    message) or ("skipped", reason). A failure keeps the paper as it was,
    marks it failed and, while attempts remain, enqueues another attempt
    (after the registry's Retry-After, else 1, 2, 4… hours). `dry_run`
    fetches and says what would be filled, writing nothing.
    """
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is None:
        return "skipped", "the paper no longer exists"
    if not paper.has_identifier:
        return "skipped", "the paper has no arXiv id or DOI"
    own_client = client is None
    client = client or sources.http_client()
    try:
        metadata = sources.fetch_for(paper, client, limiter)
    except sources.FetchError as error:
        if not dry_run:
            record_failure(paper, error, retry)
        return "failed", str(error)
    finally:
        if own_client:
            client.close()
    if dry_run:
        return "fetched", _shown(fill(paper, metadata))
    with transaction.atomic():
        # Read again under a lock: an edit made while the registry answered wins.
        paper = Paper.objects.select_for_update().filter(pk=paper_id).first()
        if paper is None:
            return "skipped", "the paper no longer exists"
        filled = fill(paper, metadata)
        paper.metadata_state = Paper.Metadata.FETCHED
        paper.metadata_attempts = 0
        paper.metadata_attempted_at = timezone.now()
        paper.metadata_retry_at = None
        paper.metadata_error = ""
        paper.save(
            update_fields=filled
            + (["title_key"] if "title" in filled else [])
            + [
                "metadata_state",
                "metadata_attempts",
                "metadata_attempted_at",
                "metadata_retry_at",
                "metadata_error",
            ]
        )
    return "fetched", _shown(filled)


def _shown(filled):
    """The fields filled, as people know them (`author_list` goes with `authors`)."""
    return [name for name in filled if name != "author_list"]


def retry_delay(attempts, retry_after=None):
    """Seconds until the next attempt after `attempts` failed ones."""
    if retry_after:
        return min(retry_after, 7 * 24 * 3600)
    return settings.PAPER_METADATA_RETRY_SECONDS * 2 ** (attempts - 1)


def record_failure(paper, error, retry=True):
    """Mark the paper failed (leaving what people typed) and schedule the next try."""
    from .tasks import enqueue_fetch

    now = timezone.now()
    attempts = paper.metadata_attempts + 1
    retry_at = None
    delay = retry_delay(attempts, error.retry_after)
    if retry and attempts < settings.PAPER_METADATA_ATTEMPTS:
        retry_at = now + timedelta(seconds=delay)
    with transaction.atomic():
        Paper.objects.filter(pk=paper.pk).update(
            metadata_state=Paper.Metadata.FAILED,
            metadata_attempts=attempts,
            metadata_attempted_at=now,
            metadata_retry_at=retry_at,
            metadata_error=str(error)[:500],
        )
        if retry_at is not None:
            transaction.on_commit(lambda: enqueue_fetch(paper.pk, delay), robust=True)
