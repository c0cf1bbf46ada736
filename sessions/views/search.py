from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from sessions.forms.search import SearchForm
from sessions.fragments import cached, journal_reader
from sessions.search import KINDS_BY_KEY, search, search_kind, split_terms

PER_PAGE = 30


def search_results(query, kind, page, viewer):
    """The result groups for `query` among what `viewer` may read: every
    kind, or with `kind` its hits on `page` (one query per kind searched)."""
    if not kind:
        return search(query, viewer=viewer)
    group = search_kind(
        KINDS_BY_KEY[kind],
        split_terms(query),
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        viewer=viewer,
    )
    return [group] if group.hits else []


def render_results(groups, kind, page, parameters):
    """(whether anything matched, the HTML of the result groups);
    `parameters` are the request's, which the links to more results keep."""
    html = render_to_string(
        "study/includes/search_results.html",
        {"groups": groups, "page": page, "single_kind": bool(kind), "parameters": parameters},
    )
    return bool(groups), html


def search_page(request):
    """Results grouped by kind; with `kind`, one kind page by page.

    One query per kind searched; nothing at all for an empty query. The
    results come from the fragment cache, kept per search terms, kind and
    page, and per the request's other parameters, which the links to more
    results carry: one copy for every member without private journal
    entries, and one for each member with some, whose results include them.
    """
    form = SearchForm(request.GET or None)
    terms, found, results_html = [], False, ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        terms = split_terms(query)
        page = form.cleaned_data["page"] or 1
        if terms:
            reader = journal_reader(request)
            found, results_html = cached(
                request,
                "search-results",
                [terms, kind, page, list(request.GET.lists()), reader and reader.pk],
                lambda: render_results(
                    search_results(query, kind, page, reader), kind, page, request.GET
                ),
            )
    return render(
        request,
        "study/search.html",
        {"form": form, "terms": terms, "found": found, "results_html": mark_safe(results_html)},
    )
