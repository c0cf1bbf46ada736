from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from .base import RenderedMarkdownModel


class StudySessionQuerySet(models.QuerySet):
    def upcoming(self):
        """Sessions from today on, soonest first."""
        return self.filter(date__gte=timezone.localdate()).order_by("date", "number")

    def past(self):
        """Sessions before today, latest first."""
        return self.filter(date__lt=timezone.localdate()).order_by("-date", "-number")

    def in_year(self, year):
        return self.filter(date__year=year)


class StudySession(RenderedMarkdownModel):
    """One numbered meeting of the group ("6주차")."""

    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    notes = MarkdownxField(_("notes"), blank=True)
    notes_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StudySessionQuerySet.as_manager()

    markdown_fields = {"notes": "notes_html"}

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-number"]
        constraints = [
            # "6주차" names exactly one meeting; the importer and the URLs rely on it.
            models.UniqueConstraint(fields=["number"], name="study_session_number_unique"),
        ]
        indexes = [
            # The home page and the calendar look sessions up by date.
            models.Index(fields=["date"], name="study_session_date_idx"),
        ]

    def __str__(self):
        return _("Session %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("study:session-detail", args=[self.number])

    @property
    def is_upcoming(self):
        return self.date >= timezone.localdate()


class Attendance(models.Model):
    """A member's answer for a session (going or not) and whether they came."""

    class Response(models.TextChoices):
        GOING = "going", _("Going")
        NOT_GOING = "not_going", _("Not going")

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("member"),
    )
    response = models.CharField(_("response"), max_length=16, choices=Response.choices, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "member__display_name"]
        constraints = [
            # One answer per member per session; a change of mind updates it.
            models.UniqueConstraint(
                fields=["session", "member"], name="study_attendance_member_session_unique"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.session}"
