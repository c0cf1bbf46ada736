from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SentReminder(models.Model):
    """A reminder email that went out, so that `send_reminders` (run by cron,
    maybe several times a day) never sends the same one twice.

    A session reminder is about a session (sent the day before); a question
    reminder records one unanswered question that a presenter was told about.
    """

    class Kind(models.TextChoices):
        SESSION = "session", _("Session tomorrow")
        QUESTION = "question", _("Unanswered question")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sent_reminders",
        verbose_name=_("member"),
    )
    session = models.ForeignKey(
        "study.StudySession",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sent_reminders",
        verbose_name=_("session"),
    )
    question = models.ForeignKey(
        "study.Question",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sent_reminders",
        verbose_name=_("question"),
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at"]
        constraints = [
            # A member hears about a session once, even when cron runs the
            # command again (or two runs overlap).
            models.UniqueConstraint(
                fields=["member", "session"],
                condition=models.Q(kind="session"),
                name="study_reminder_session_once",
            ),
            # A presenter hears about each unanswered question once.
            models.UniqueConstraint(
                fields=["member", "question"],
                condition=models.Q(kind="question"),
                name="study_reminder_question_once",
            ),
            # A session reminder points at a session, a question reminder at a
            # question, and never both.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="session", session__isnull=False, question__isnull=True)
                    | models.Q(kind="question", question__isnull=False, session__isnull=True)
                ),
                name="study_reminder_kind_shape",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.member}"
