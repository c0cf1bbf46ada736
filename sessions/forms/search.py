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
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_page(self):
        """The results page asked for; anything but a number from 1 to
        10,000 means the first page (as Django's paginator treats it)."""
        page = self.cleaned_data["page"]
        if page.isascii() and page.isdigit() and 1 <= int(page) <= 10_000:
            return int(page)
        return 1
