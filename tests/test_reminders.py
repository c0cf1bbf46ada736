"""send_reminders: the day before a session (a notification), and unanswered
questions (an email); never twice."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django_tasks_db.models import DBTaskResult

from sessions.models import Member, Notification, SentReminder
from sessions.reminders import send_reminders
from sessions.tasks import send_notification
from tests import factories

TODAY = datetime.date(2025, 7, 3)
BASE = "https://study.example.org"


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def tomorrow_session(presenter, member, organizer):
    session = factories.StudySessionFactory(
        number=6, date=TODAY + datetime.timedelta(days=1), title="트랜스포머", place="강남 3"
    )
    factories.PresentationFactory(session=session, topic="셀프 어텐션", presenters=[presenter])
    factories.AttendanceFactory(session=session, member=member, response="going")
    return session


def _by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def _deliver_queued():
    """Run the email tasks the notifications queued, as the worker would."""
    for queued in DBTaskResult.objects.filter(task_path="sessions.tasks.send_notification"):
        send_notification.call(*queued.args_kwargs["args"])


def test_session_reminder_notifies_every_member_once(
    tomorrow_session, member, presenter, organizer, django_capture_on_commit_callbacks
):
    Member.objects.update(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        told = send_reminders(today=TODAY, base_url=BASE)
    assert sorted(m.username for s, m in told.sessions) == ["member", "organizer", "presenter"]
    assert {s for s, m in told.sessions} == {tomorrow_session}
    assert (
        Notification.objects.filter(kind="session_reminder", target_id=tomorrow_session.pk).count()
        == 3
    )
    _deliver_queued()
    messages = _by_recipient()
    assert sorted(messages) == [
        "member@example.org",
        "organizer@example.org",
        "presenter@example.org",
    ]
    to_member = messages["member@example.org"]
    assert to_member.subject == "Tomorrow: Session 6: 트랜스포머"
    assert "- 셀프 어텐션 (강발표)" in to_member.body
    assert "Place: 강남 3" in to_member.body
    assert "Your answer: Going." in to_member.body
    assert "You have not said whether you are coming." in messages["organizer@example.org"].body
    # A second run (cron runs daily, maybe more often) tells nobody again.
    assert send_reminders(today=TODAY, base_url=BASE).sessions == []
    assert Notification.objects.count() == 3


def test_session_reminder_only_the_day_before(tomorrow_session):
    assert send_reminders(today=TODAY - datetime.timedelta(days=1), base_url=BASE).sessions == []
    assert send_reminders(today=TODAY + datetime.timedelta(days=1), base_url=BASE).sessions == []
    assert Notification.objects.count() == 0


def test_session_reminder_skips_inactive_members_and_emails_only_those_with_an_address(
    tomorrow_session, member, organizer, presenter
):
    member.email = ""
    member.save(update_fields=["email"])
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    send_reminders(today=TODAY, base_url=BASE)
    states = dict(Notification.objects.values_list("recipient__username", "email"))
    assert states == {"member": "none", "presenter": "pending"}


def test_question_reminder_lists_unanswered_questions_once(presenter, member):
    talk = factories.PresentationFactory(topic="셀프 어텐션", presenters=[presenter])
    open_question = factories.QuestionFactory(
        presentation=talk, asked_by=member, body="왜 √d 로 나누나요?"
    )
    answered = factories.QuestionFactory(presentation=talk, asked_by=member, body="답이 있는 질문")
    factories.AnswerFactory(question=answered)
    send_reminders(today=TODAY, base_url=BASE)
    [message] = mail.outbox
    assert message.to == ["presenter@example.org"]
    assert message.subject == "1 question(s) waiting for your answer"
    assert "왜 √d 로 나누나요?" in message.body
    assert "답이 있는 질문" not in message.body
    assert f"{BASE}/talks/{talk.pk}/#question-{open_question.pk}" in message.body
    assert send_reminders(today=TODAY, base_url=BASE).questions == []
    # A new question later is reminded on its own.
    new = factories.QuestionFactory(presentation=talk, asked_by=member, body="새 질문")
    [reminder] = send_reminders(today=TODAY, base_url=BASE).questions
    assert (reminder.member, reminder.questions) == (presenter, [new])
    assert len(mail.outbox) == 2
    assert "왜 √d" not in mail.outbox[1].body


def test_dry_run_sends_and_records_nothing(tomorrow_session):
    factories.QuestionFactory(presentation=tomorrow_session.presentations.get(), asked_by=None)
    due = send_reminders(today=TODAY, base_url=BASE, dry_run=True)
    assert (len(due.sessions), len(due.questions)) == (3, 1)
    assert (mail.outbox, SentReminder.objects.count(), Notification.objects.count()) == ([], 0, 0)


def test_failed_email_is_not_recorded(tomorrow_session, monkeypatch):
    factories.QuestionFactory(presentation=tomorrow_session.presentations.get(), asked_by=None)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("sessions.reminders.send_mail", broken)
    with pytest.raises(OSError):
        send_reminders(today=TODAY, base_url=BASE)
    assert SentReminder.objects.count() == 0


def test_unique_constraint_refuses_a_second_session_record(tomorrow_session, member):
    SentReminder.objects.create(kind="session", member=member, session=tomorrow_session)
    with pytest.raises(IntegrityError), transaction.atomic():
        SentReminder.objects.create(kind="session", member=member, session=tomorrow_session)


def test_command_says_what_it_sent(tomorrow_session, monkeypatch):
    monkeypatch.setattr("sessions.reminders.timezone.localdate", lambda: TODAY)
    out = StringIO()
    call_command("send_reminders", "--base-url", BASE, stdout=out)
    lines = out.getvalue().splitlines()
    assert sorted(lines[:-1]) == [
        "Notified 강발표 of session 6",
        "Notified 정운영 of session 6",
        "Notified 조회원 of session 6",
    ]
    assert lines[-1] == "Notified 3 member(s) of tomorrow's sessions; sent 0 question reminder(s)."
    assert Notification.objects.count() == 3


def test_command_dry_run(tomorrow_session, monkeypatch):
    monkeypatch.setattr("sessions.reminders.timezone.localdate", lambda: TODAY)
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--base-url", BASE, stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Would notify 3 member(s) of tomorrow's sessions; would send 0 question reminder(s)."
    )
    assert mail.outbox == []


def test_command_rejects_a_bad_base_url(db):
    with pytest.raises(CommandError, match="--base-url must start with http"):
        call_command("send_reminders", "--base-url", "study.example.org")
