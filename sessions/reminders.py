"""Reminder emails, sent by `manage.py send_reminders` (run daily by cron).

- The day before a session, every active member with an email address
  hears about it: its talks and presenters, and whether they have said they
  are coming.
- A presenter hears about the questions addressed to them that have no
  answer yet.

Each reminder is recorded in SentReminder before its email goes out, in the
same transaction: if sending fails the record is rolled back and the next
run tries again; if it succeeds nothing is sent twice, even when two runs
overlap (the unique constraints turn the second into a no-op).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions.models import (
    Attendance,
    Member,
    Presentation,
    PresentationPresenter,
    Question,
    SentReminder,
    StudySession,
)


@dataclass
class Reminder:
    """One email to one member, and the records that say it was sent."""

    kind: str
    member: Member
    subject: str
    body: str
    session: StudySession | None = None
    questions: list = field(default_factory=list)

    def records(self):
        if self.kind == SentReminder.Kind.SESSION:
            return [SentReminder(kind=self.kind, member=self.member, session=self.session)]
        return [
            SentReminder(kind=self.kind, member=self.member, question=question)
            for question in self.questions
        ]

    def describe(self):
        if self.kind == SentReminder.Kind.SESSION:
            what = _("session %(number)s reminder") % {"number": self.session.number}
        else:
            what = _("%(count)d unanswered question(s)") % {"count": len(self.questions)}
        return f"{what} → {self.member.display_name} <{self.member.email}>"


def _recipients():
    return Member.objects.filter(is_active=True).exclude(email="")


def session_reminders(today, base_url):
    """Reminders for sessions taking place the day after `today`, not sent yet."""
    tomorrow = today + datetime.timedelta(days=1)
    talks = Presentation.objects.order_by("order", "pk").prefetch_related(
        Prefetch(
            "presenter_links",
            queryset=PresentationPresenter.objects.select_related("member").order_by("order"),
        )
    )
    sessions = list(
        StudySession.objects.filter(date=tomorrow)
        .order_by("number")
        .prefetch_related(Prefetch("presentations", queryset=talks))
    )
    if not sessions:
        return []
    members = list(_recipients())
    answers = {
        (a.session_id, a.member_id): a
        for a in Attendance.objects.filter(session__in=sessions, member__in=members)
    }
    sent = set(
        SentReminder.objects.filter(
            kind=SentReminder.Kind.SESSION, session__in=sessions
        ).values_list("session_id", "member_id")
    )
    reminders = []
    for session in sessions:
        for member in members:
            if (session.pk, member.pk) in sent:
                continue
            attendance = answers.get((session.pk, member.pk))
            context = {
                "member": member,
                "session": session,
                "talks": session.presentations.all(),
                "response": attendance.get_response_display() if attendance and attendance.response else "",
                "session_url": base_url + session.get_absolute_url(),
            }
            reminders.append(
                Reminder(
                    kind=SentReminder.Kind.SESSION,
                    member=member,
                    session=session,
                    subject=_("Tomorrow: %(session)s") % {"session": _session_title(session)},
                    body=render_to_string("study/email/reminder_session.txt", context),
                )
            )
    return reminders


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
                kind=SentReminder.Kind.QUESTION,
                member=member,
                questions=pending,
                subject=_("%(count)d question(s) waiting for your answer") % {"count": len(pending)},
                body=render_to_string("study/email/reminder_questions.txt", context),
            )
        )
    return reminders


def due_reminders(today=None, base_url=""):
    """Every reminder that is due and not sent yet (nothing is written)."""
    today = today or timezone.localdate()
    base_url = base_url.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        return session_reminders(today, base_url) + question_reminders(base_url)


def send_reminders(today=None, base_url="", dry_run=False):
    """Send the due reminders; return those sent (or, with dry_run, due)."""
    reminders = due_reminders(today, base_url)
    if dry_run:
        return reminders
    sent = []
    for reminder in reminders:
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
    return sent
