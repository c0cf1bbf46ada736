from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string

from sessions.forms.search import SearchForm
from sessions.fragments import cached
from sessions.models import Reflection
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


@cached
def private_journal_authors():
    """Who has private journal entries."""
    return frozenset(
        Reflection.objects.private().order_by().values_list("author_id", flat=True).distinct()
    )


@cached
def results_html(query, kind, page, reader, parameters):
    """(whether anything matched, the HTML of the result groups) for
    `query` among what `reader` may read (None: what every member may);
    `parameters` are the request's, which the links to more results keep."""
    groups = search_results(query, kind, page, reader)
    links = QueryDict(mutable=True)
    for name, values in parameters:
        links.setlist(name, list(values))
    html = render_to_string(
        "study/includes/search_results.html",
        {"groups": groups, "page": page, "single_kind": bool(kind), "parameters": links},
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
    terms, found, html = [], False, ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        terms = split_terms(query)
        if terms:
            # Only a private entry's author sees it: every viewer without
            # one shares one copy of the results.
            viewer = request.user
            reader = viewer if viewer.pk in private_journal_authors() else None
            parameters = [(name, tuple(values)) for name, values in request.GET.lists()]
            found, html = results_html(
                query, kind, form.cleaned_data["page"] or 1, reader, parameters
            )
    return render(
        request,
        "study/search.html",
        {"form": form, "terms": terms, "found": found, "results_html": html},
    )
