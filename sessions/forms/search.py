from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.search import KINDS, MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """The header search box, and the kind filter on the results page."""

    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search the archive")}),
    )
    kind = forms.ChoiceField(
        label=_("Only"),
        choices=[("", _("Everything"))] + [(kind.key, kind.label) for kind in KINDS],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False, widget=forms.HiddenInput)
