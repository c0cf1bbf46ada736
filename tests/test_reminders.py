"""send_reminders: the day before a session, and unanswered questions; never twice."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from sessions.models import SentReminder
from sessions.reminders import send_reminders
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


def test_session_reminder_goes_to_every_member_once(tomorrow_session, member, presenter, organizer):
    sent = send_reminders(today=TODAY, base_url=BASE)
    assert sorted(r.member.username for r in sent) == ["member", "organizer", "presenter"]
    messages = _by_recipient()
    assert sorted(messages) == ["member@example.org", "organizer@example.org", "presenter@example.org"]
    to_member = messages["member@example.org"]
    assert to_member.subject == "Tomorrow: Session 6: 트랜스포머"
    assert "- 셀프 어텐션 (강발표)" in to_member.body
    assert "Place: 강남 3" in to_member.body
    assert "Your answer: Going." in to_member.body
    assert f"{BASE}/seasons/2025/6/#attendance" in to_member.body
    assert "You have not said whether you are coming." in messages["organizer@example.org"].body
    # A second run (cron runs daily, maybe more often) sends nothing.
    assert send_reminders(today=TODAY, base_url=BASE) == []
    assert len(mail.outbox) == 3
    assert SentReminder.objects.filter(kind="session", session=tomorrow_session).count() == 3


def test_session_reminder_only_the_day_before(tomorrow_session):
    assert send_reminders(today=TODAY - datetime.timedelta(days=1), base_url=BASE) == []
    assert send_reminders(today=TODAY + datetime.timedelta(days=1), base_url=BASE) == []
    assert mail.outbox == []


def test_session_reminder_skips_members_without_email_or_inactive(tomorrow_session, member, organizer):
    member.email = ""
    member.save(update_fields=["email"])
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    send_reminders(today=TODAY, base_url=BASE)
    assert sorted(_by_recipient()) == ["presenter@example.org"]


def test_question_reminder_lists_unanswered_questions_once(presenter, member):
    talk = factories.PresentationFactory(topic="셀프 어텐션", presenters=[presenter])
    open_question = factories.QuestionFactory(presentation=talk, asked_by=member, body="왜 √d 로 나누나요?")
    answered = factories.QuestionFactory(presentation=talk, asked_by=member, body="답이 있는 질문")
    factories.AnswerFactory(question=answered)
    send_reminders(today=TODAY, base_url=BASE)
    [message] = mail.outbox
    assert message.to == ["presenter@example.org"]
    assert message.subject == "1 question(s) waiting for your answer"
    assert "왜 √d 로 나누나요?" in message.body
    assert "답이 있는 질문" not in message.body
    assert f"{BASE}/talks/{talk.pk}/#question-{open_question.pk}" in message.body
    assert send_reminders(today=TODAY, base_url=BASE) == []
    # A new question later is reminded on its own.
    new = factories.QuestionFactory(presentation=talk, asked_by=member, body="새 질문")
    [reminder] = send_reminders(today=TODAY, base_url=BASE)
    assert (reminder.member, reminder.questions) == (presenter, [new])
    assert len(mail.outbox) == 2
    assert "왜 √d" not in mail.outbox[1].body


def test_dry_run_sends_and_records_nothing(tomorrow_session):
    due = send_reminders(today=TODAY, base_url=BASE, dry_run=True)
    assert len(due) == 3
    assert (mail.outbox, SentReminder.objects.count()) == ([], 0)


def test_failed_email_is_not_recorded(tomorrow_session, monkeypatch):
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
        "Sent session 6 reminder → 강발표 <presenter@example.org>",
        "Sent session 6 reminder → 정운영 <organizer@example.org>",
        "Sent session 6 reminder → 조회원 <member@example.org>",
    ]
    assert lines[-1] == "Sent 3 email(s): 3 session reminder(s), 0 question reminder(s)."
    assert len(mail.outbox) == 3


def test_command_dry_run(tomorrow_session, monkeypatch):
    monkeypatch.setattr("sessions.reminders.timezone.localdate", lambda: TODAY)
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--base-url", BASE, stdout=out)
    assert out.getvalue().splitlines()[-1] == (
        "Would send 3 email(s): 3 session reminder(s), 0 question reminder(s)."
    )
    assert mail.outbox == []


def test_command_rejects_a_bad_base_url(db):
    with pytest.raises(CommandError, match="--base-url must start with http"):
        call_command("send_reminders", "--base-url", "study.example.org")
