from django import forms
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import Season, StudySession

from .concurrency import EditConflictMixin


class StudySessionForm(EditConflictMixin, forms.ModelForm):
    """An organizer schedules or edits a session, numbered within its season.

    The season may be any the organizer manages (moving a session between
    seasons is an edit). A number already taken in the season is a form
    error naming the season, whether it is found here or by the database's
    constraint in a race with another organizer (`save_or_form_error`
    validates the form again then). An edit saves only over the version it
    was opened on.
    """

    race_constraints = {"study_session_season_number_unique"}

    class Meta:
        model = StudySession
        fields = ["season", "number", "date", "start_time", "title", "place", "video_url", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": MarkdownxWidget(),
        }
        help_texts = {
            "number": _(
                "The week number, as in “6주차”. Each number names one session of its season."
            ),
            "notes": _("Markdown. Agenda, reading list, anything the group should know."),
        }

    def __init__(self, *args, user, season=None, **kwargs):
        super().__init__(*args, **kwargs)
        managed = Season.objects.newest_first()
        if not user.is_organizer:
            managed = managed.filter(memberships__member=user, memberships__role="organizer")
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
                self.add_error(
                    "number",
                    _("“%(season)s” already has session %(number)s. Choose another number.")
                    % {"season": season, "number": number},
                )
        return cleaned
