from django import forms
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from sessions.models import Paper


class PaperLibraryForm(forms.Form):
    """Filter the paper library by year and choose its order."""

    SORTS = [
        ("title", _("Title")),
        ("discussed", _("Most discussed")),
        ("newest", _("Newest first")),
    ]

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(label=_("Order"), choices=SORTS, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = (
            Paper.objects.exclude(year=None).order_by("-year").values_list("year", flat=True).distinct()
        )
        self.fields["year"].choices = [("", _("Any year"))] + [(year, year) for year in years]

    def filter(self, papers):
        """`papers` narrowed and ordered as the form says (unchanged when invalid)."""
        by_title = (Lower("title"), "pk")
        if not self.is_valid():
            return papers.with_talk_count().order_by(*by_title)
        if self.cleaned_data["year"]:
            papers = papers.published_in(self.cleaned_data["year"])
        sort = self.cleaned_data["sort"]
        if sort == "discussed":
            return papers.most_discussed()
        papers = papers.with_talk_count()
        if sort == "newest":
            return papers.order_by(F("year").desc(nulls_last=True), "-created_at", "-pk")
        return papers.order_by(*by_title)
