"""Reminders, run daily by cron (`manage.py send_reminders`).

- The day before a session, every active member gets a notification about
  it (sessions/notifications.py): in the inbox, and by email as they prefer
  (the email lists its talks and presenters, and whether they have said
  they are coming). The notification's unique constraint tells each member
  once, however often cron runs.
- A presenter is emailed the questions addressed to them that have no
  answer yet. Each reminder is recorded in SentReminder before its email
  goes out, in the same transaction: if sending fails the record is rolled
  back and the next run tries again; if it succeeds nothing is sent twice,
  even when two runs overlap (the unique constraints turn the second into a
  no-op).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions.models import (
    Member,
    Notification,
    NotificationKind,
    Question,
    SentReminder,
    StudySession,
)
from sessions.notifications import notify


@dataclass
class Reminder:
    """One email to one presenter about their unanswered questions, and the
    records that say it was sent."""

    member: Member
    subject: str
    body: str
    questions: list = field(default_factory=list)

    def records(self):
        return [
            SentReminder(kind=SentReminder.Kind.QUESTION, member=self.member, question=question)
            for question in self.questions
        ]

    def describe(self):
        what = _("%(count)d unanswered question(s)") % {"count": len(self.questions)}
        return f"{what} → {self.member.display_name} <{self.member.email}>"


@dataclass
class Reminders:
    """What a run did (or, dry, would do): session notifications as
    (session, member) pairs, and question reminder emails."""

    sessions: list
    questions: list


def _recipients():
    return Member.objects.filter(is_active=True).exclude(email="")


def sessions_tomorrow(today):
    return list(
        StudySession.objects.filter(date=today + datetime.timedelta(days=1))
        .select_related("season")
        .order_by("number")
    )


def session_reminders(today, dry_run=False):
    """Notify every active member of each session the day after `today`;
    return the (session, member) pairs newly told (with dry_run: due)."""
    members = list(Member.objects.filter(is_active=True))
    told = []
    for session in sessions_tomorrow(today):
        if dry_run:
            already = set(
                Notification.objects.filter(
                    kind=NotificationKind.SESSION_REMINDER,
                    target_type=ContentType.objects.get_for_model(StudySession),
                    target_id=session.pk,
                ).values_list("recipient_id", flat=True)
            )
            told += [(session, member) for member in members if member.pk not in already]
            continue
        with translation.override(settings.LANGUAGE_CODE):
            label = _session_title(session)
        with transaction.atomic():
            created = notify(
                NotificationKind.SESSION_REMINDER, members, actor=None, target=session, label=label
            )
        told += [(session, notification.recipient) for notification in created]
    return told


def _session_title(session):
    return f"{session}: {session.title}" if session.title else str(session)


def _one_line(text, limit=300):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_reminders(base_url):
    """One reminder per presenter listing their unanswered questions that
    they have not been told about yet."""
    questions = (
        Question.objects.unanswered()
        .filter(addressed_to__in=_recipients())
        .exclude(
            sent_reminders__kind=SentReminder.Kind.QUESTION,
        )
        .select_related("addressed_to", "asked_by", "presentation__session")
        .order_by("addressed_to__display_name", "presentation__session__number", "position", "pk")
    )
    by_presenter = {}
    for question in questions:
        by_presenter.setdefault(question.addressed_to, []).append(question)
    reminders = []
    for member, pending in by_presenter.items():
        context = {
            "member": member,
            "questions": [
                (question, _one_line(question.body), base_url + question.get_absolute_url())
                for question in pending
            ],
        }
        reminders.append(
            Reminder(
                member=member,
                questions=pending,
                subject=_("%(count)d question(s) waiting for your answer")
                % {"count": len(pending)},
                body=render_to_string("study/email/reminder_questions.txt", context),
            )
        )
    return reminders


def send_reminders(today=None, base_url="", dry_run=False):
    """Notify members of tomorrow's sessions and email presenters their
    unanswered questions; return the Reminders sent (or, with dry_run, due)."""
    today = today or timezone.localdate()
    base_url = base_url.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        questions = question_reminders(base_url)
    told = session_reminders(today, dry_run=dry_run)
    if dry_run:
        return Reminders(told, questions)
    sent = []
    for reminder in questions:
        try:
            with transaction.atomic():
                SentReminder.objects.bulk_create(reminder.records())
                send_mail(
                    reminder.subject,
                    reminder.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [reminder.member.email],
                    fail_silently=False,
                )
        except IntegrityError:
            # Another run recorded (and sent) it in the meantime.
            continue
        sent.append(reminder)
    return Reminders(told, sent)
