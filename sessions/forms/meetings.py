from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import Season, StudySession


class StudySessionForm(forms.ModelForm):
    """An organizer schedules or edits a session, numbered within its season.

    The season may be any the organizer manages (moving a session between
    seasons is an edit). A number already taken in the season is a form
    error naming the season, whether it is found here or by the database's
    constraint in a race with another organizer.
    """

    class Meta:
        model = StudySession
        fields = ["season", "number", "date", "start_time", "title", "place", "video_url", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": MarkdownxWidget(),
        }
        help_texts = {
            "number": _("The week number, as in “6주차”. Each number names one session of its season."),
            "notes": _("Markdown. Agenda, reading list, anything the group should know."),
        }

    def __init__(self, *args, user, season=None, **kwargs):
        super().__init__(*args, **kwargs)
        managed = Season.objects.newest_first()
        if not user.is_organizer:
            managed = managed.filter(
                memberships__member=user, memberships__role="organizer"
            )
        self.fields["season"].queryset = managed
        self.fields["season"].empty_label = None
        if self.instance.pk is None and not self.is_bound and season is not None:
            self.initial.setdefault("season", season.pk)
            self.initial.setdefault("number", season.next_number())

    def validate_unique(self):
        """The season and number pair is checked in `clean`, with its own message."""
        exclude = self._get_validation_exclusions() | {"season", "number"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except forms.ValidationError as error:
            self._update_errors(error)

    def clean(self):
        cleaned = super().clean()
        season, number = cleaned.get("season"), cleaned.get("number")
        if season is not None and number is not None:
            taken = StudySession.objects.filter(season=season, number=number)
            if self.instance.pk is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_number_taken_error(season, number)
        return cleaned

    def add_number_taken_error(self, season, number):
        self.add_error(
            "number",
            _("“%(season)s” already has session %(number)s. Choose another number.")
            % {"season": season, "number": number},
        )

    def save_or_add_error(self, update_fields=None):
        """Save and return the session; when another organizer took the number
        in the meantime, add the same form error and return None."""
        session = super().save(commit=False)
        try:
            with transaction.atomic():
                session.save(update_fields=update_fields)
        except IntegrityError:
            if not StudySession.objects.filter(
                season=session.season, number=session.number
            ).exclude(pk=session.pk).exists():
                raise
            self.add_number_taken_error(session.season, session.number)
            return None
        return session
