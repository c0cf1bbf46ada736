from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.models import Paper


class PaperLibraryForm(forms.Form):
    """Filter the paper library by year and author, and choose its order."""

    SORTS = [
        ("title", _("Title")),
        ("discussed", _("Most discussed")),
        ("newest", _("Newest first")),
        ("oldest", _("Oldest first")),
    ]

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    author = forms.CharField(
        label=_("Author"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Part of a name")}),
    )
    sort = forms.ChoiceField(label=_("Order"), choices=SORTS, required=False)

    def __init__(self, *args, years=None, **kwargs):
        """`years`: the publication years to offer, newest first; read from
        the papers (one query) when not given."""
        super().__init__(*args, **kwargs)
        if years is None:
            years = Paper.objects.publication_years()
        self.fields["year"].choices = [("", _("Any year"))] + [(year, year) for year in years]

    def selection(self):
        """(year or None, author or "", sort key) of the papers shown: the
        cleaned values, or every paper by title when the form is unbound or
        invalid."""
        if not self.is_valid():
            return None, "", "title"
        data = self.cleaned_data
        return data["year"], " ".join(data["author"].split()), data["sort"] or "title"
