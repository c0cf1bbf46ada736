from django import forms
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import MarkdownxWidget

from sessions.models import StudySession


class StudySessionForm(forms.ModelForm):
    """An organizer schedules or edits a numbered session."""

    class Meta:
        model = StudySession
        fields = ["number", "date", "start_time", "title", "place", "video_url", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "notes": MarkdownxWidget(),
        }
        help_texts = {
            "number": _("The week number, as in “6주차”. Each number names one session."),
            "notes": _("Markdown. Agenda, reading list, anything the group should know."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            highest = StudySession.objects.aggregate(highest=Max("number"))["highest"]
            self.initial.setdefault("number", (highest or 0) + 1)
