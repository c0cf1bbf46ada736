"""Notification emails through the task queue: queued on commit, retried
with back-off, sent once, and never lost when the worker dies.

These tests commit for real (the worker's transactions, `on_commit`) and run
the database backend's worker in the test's own process (tests/worker.py).
"""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sessions import notifications
from sessions.models import Notification
from sessions.notifications import notify
from tests import factories
from tests.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def question(talk, member, presenter):
    return factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)


@pytest.fixture
def readers(talk, member):
    """Five members, each asked one question by `member`: five notifications to email."""
    people = [factories.MemberFactory(username=f"reader{n}") for n in range(5)]
    with transaction.atomic():
        for person in people:
            question = factories.QuestionFactory(
                presentation=talk, asked_by=member, addressed_to=person
            )
            notify("question", [person], actor=member, target=question, label=talk.topic)
    return people


def mail_server(monkeypatch, fail):
    """The outgoing mail server: `fail(attempt)` (1, 2, ...) raises to refuse
    a message; accepted messages land in mail.outbox."""
    attempts = []
    send = EmailBackend.send_messages

    def send_messages(self, messages):
        attempts.append(messages)
        fail(len(attempts))
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return attempts


def time_passes():
    """The back-off has passed: every waiting task is due now."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_rolled_back_transaction_stores_and_queues_nothing(member, presenter, question):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("question", [presenter], actor=member, target=question)
        raise RuntimeError("the write failed after the event")
    assert (Notification.objects.count(), DBTaskResult.objects.count()) == (0, 0)
    run_worker()
    assert mail.outbox == []


def test_committed_notification_is_queued_and_sent_by_the_worker(member, presenter, question):
    with transaction.atomic():
        [notification] = notify("question", [presenter], actor=member, target=question)
        # Not before the commit: the worker could not see the row yet.
        assert DBTaskResult.objects.count() == 0
    [queued] = DBTaskResult.objects.all()
    assert queued.status == TaskResultStatus.READY
    run_worker()
    [message] = mail.outbox
    assert message.to == ["presenter@example.org"]
    notification.refresh_from_db()
    assert (notification.email, notification.email_attempts) == (Notification.Email.SENT, 1)
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_email_waits_while_no_worker_runs(readers):
    assert Notification.objects.filter(email=Notification.Email.PENDING).count() == 5
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 5
    assert mail.outbox == []
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.org" for n in range(5)]


def test_smtp_failing_twice_delivers_once_on_the_third_try(
    monkeypatch, member, presenter, question
):
    def fail(attempt):
        if attempt <= 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    attempts = mail_server(monkeypatch, fail)
    with transaction.atomic():
        [notification] = notify("question", [presenter], actor=member, target=question)
    before = timezone.now()
    run_worker()
    # Refused: the task queued itself again, a minute later.
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    delay = notifications.RETRY_DELAYS[0]
    assert before + datetime.timedelta(seconds=delay) <= retry.run_after
    assert retry.run_after <= timezone.now() + datetime.timedelta(seconds=delay)
    run_worker()
    assert len(attempts) == 1  # not due yet
    # The sweep leaves an email in back-off to its retry.
    assert (
        notifications.requeue_lost_emails(
            now=timezone.now() + notifications.LOST_AFTER + datetime.timedelta(seconds=delay // 2)
        )
        == 0
    )
    time_passes()
    run_worker()
    [retry] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert retry.run_after >= before + datetime.timedelta(seconds=notifications.RETRY_DELAYS[1])
    time_passes()
    run_worker()
    assert len(attempts) == 3
    [message] = mail.outbox
    assert message.to == ["presenter@example.org"]
    notification.refresh_from_db()
    assert (notification.email, notification.email_attempts) == (Notification.Email.SENT, 3)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 0


def test_smtp_failing_every_time_gives_up_after_the_last_retry(
    monkeypatch, member, presenter, question
):
    def fail(attempt):
        raise ConnectionRefusedError("mail server down")

    attempts = mail_server(monkeypatch, fail)
    with transaction.atomic():
        [notification] = notify("question", [presenter], actor=member, target=question)
    for _ in range(len(notifications.RETRY_DELAYS) + 2):
        run_worker()
        time_passes()
    assert len(attempts) == len(notifications.RETRY_DELAYS) + 1
    notification.refresh_from_db()
    assert (notification.email, notification.emailed_at) == (Notification.Email.FAILED, None)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 0


class WorkerKilled(BaseException):
    """The worker process dies (SIGKILL, power off) in the middle of a task."""


def test_worker_killed_mid_batch_and_restarted_sends_every_email_exactly_once(monkeypatch, readers):
    def fail(attempt):
        if attempt == 3:
            raise WorkerKilled

    mail_server(monkeypatch, fail)
    # A killed process records nothing more: its task stays claimed
    # (RUNNING) for good, as after SIGKILL, and the worker loop ends.
    set_failed = DBTaskResult.set_failed

    def die_or_record(self, exc):
        if isinstance(exc, WorkerKilled):
            raise exc
        set_failed(self, exc)

    monkeypatch.setattr(DBTaskResult, "set_failed", die_or_record)
    with pytest.raises(WorkerKilled):
        run_worker("first")
    assert len(mail.outbox) == 2
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 1
    # The interrupted email's transaction was rolled back: its row still waits.
    assert Notification.objects.filter(email=Notification.Email.PENDING).count() == 3

    run_worker("restarted")
    assert len(mail.outbox) == 4
    # The task the dead worker held is lost; the sweep (send_digests, from
    # cron) queues the email again once it has waited long enough.
    assert notifications.requeue_lost_emails() == 0
    later = timezone.now() + notifications.LOST_AFTER + datetime.timedelta(minutes=1)
    assert notifications.requeue_lost_emails(now=later) == 1
    run_worker("restarted")

    sent = sorted(m.to[0] for m in mail.outbox)
    assert sent == [f"reader{n}@example.org" for n in range(5)]
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5
    assert set(Notification.objects.values_list("email", flat=True)) == {Notification.Email.SENT}
    # Queueing everything again sends nothing twice.
    notifications.queue_emails(list(Notification.objects.values_list("pk", flat=True)))
    run_worker("again")
    assert len(mail.outbox) == 5
