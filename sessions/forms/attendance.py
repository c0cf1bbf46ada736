from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Attendance, Member


class AttendanceResponseForm(forms.Form):
    """A member says whether they are coming to an upcoming session."""

    response = forms.ChoiceField(
        label=_("Are you coming?"),
        choices=Attendance.Response.choices,
        widget=forms.RadioSelect,
    )


class AttendanceMarkForm(forms.Form):
    """An organizer ticks who came to a session."""

    attended = forms.ModelMultipleChoiceField(
        label=_("Who came"),
        queryset=Member.objects.filter(is_active=True).order_by("display_name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
