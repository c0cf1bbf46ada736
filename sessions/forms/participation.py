from django import forms
from django.utils.translation import gettext_lazy as _


class ParticipationYearForm(forms.Form):
    """Which calendar year the activity heatmaps show."""

    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999, required=False)
