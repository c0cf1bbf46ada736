"""Events for one recipient at the same moment, in threads on PostgreSQL:
each event makes one row, the same event told twice makes one row, and no
thread fails."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sessions.models import Notification
from sessions.notifications import notify
from tests import factories
from tests.editing import window

pytestmark = pytest.mark.django_db(transaction=True)

AT_ONCE = 6


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the SQLite test database lives in memory, shared between "
            "threads under table locks that fail at once instead of making writers queue"
        )


def together(jobs):
    """Run each of `jobs` in its own thread, all starting at one moment;
    return their results (or exceptions) in order."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # reported by the test's assertion
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_questions_asked_at_once_make_one_notification_each(talk, presenter):
    askers = factories.MemberFactory.create_batch(AT_ONCE)
    url = reverse("study:question-create", args=[talk.pk])

    def ask(asker, n):
        client = window(asker)
        client.raise_request_exception = False
        return lambda: (
            client.post(url, {"addressed_to": presenter.pk, "body": f"질문 {n}"}).status_code
        )

    results = together([ask(asker, n) for n, asker in enumerate(askers)])
    assert results == [302] * AT_ONCE
    told = Notification.objects.filter(recipient=presenter, kind="question")
    assert sorted(told.values_list("actor_id", flat=True)) == sorted(a.pk for a in askers)
    assert DBTaskResult.objects.count() == AT_ONCE


def test_one_event_told_at_once_makes_one_notification(talk, member, presenter):
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)

    def tell():
        with transaction.atomic():
            return len(notify("question", [presenter], actor=member, target=question))

    results = together([tell] * AT_ONCE)
    assert sorted(results) == [0] * (AT_ONCE - 1) + [1]
    assert Notification.objects.filter(recipient=presenter).count() == 1
    assert DBTaskResult.objects.count() == 1
