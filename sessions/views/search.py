from django.shortcuts import render

from sessions.forms.search import SearchForm
from sessions.search import KINDS_BY_KEY, search, search_kind, split_terms

PER_PAGE = 30


def search_page(request):
    """Results grouped by kind; with `kind`, one kind page by page.

    One query per kind searched; nothing at all for an empty query.
    """
    form = SearchForm(request.GET or None)
    groups, terms, page = [], [], 1
    if form.is_valid():
        terms = split_terms(form.cleaned_data["q"])
        kind = form.cleaned_data["kind"]
        page = form.cleaned_data["page"] or 1
        if terms and kind:
            group = search_kind(
                KINDS_BY_KEY[kind], terms, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
            )
            groups = [group] if group.hits else []
        elif terms:
            groups = search(form.cleaned_data["q"])
    return render(
        request,
        "study/search.html",
        {
            "form": form,
            "terms": terms,
            "groups": groups,
            "page": page,
            "single_kind": bool(form.is_bound and form.is_valid() and form.cleaned_data["kind"]),
        },
    )
