from django.template.loader import render_to_string

from sessions.forms.search import SearchForm
from sessions.fragments import cached, form_data, form_values, render_page
from sessions.models import Reflection
from sessions.search import KINDS, KINDS_BY_KEY, RESULTS_PER_KIND, search_kind, split_terms

PER_PAGE = 30


@cached
def private_journal_authors():
    """Who has private journal entries."""
    return frozenset(
        Reflection.objects.private().order_by().values_list("author_id", flat=True).distinct()
    )


@cached
def kind_results_html(key, query, page, single_kind, reader, parameters):
    """The HTML of kind `key`'s result group ("" when nothing matched) for
    `query` among what `reader` may read (None: what every member may): on
    its own with `single_kind`, page `page` of its hits; else its first hits
    among the other kinds'. `parameters` are the request's (as `form_values`
    gives them), which the links to more results keep. One query.

    Each kind is a cached part of its own: an answer written makes only
    the answers searched again, not the six other kinds."""
    per_page = PER_PAGE if single_kind else RESULTS_PER_KIND
    group = search_kind(
        KINDS_BY_KEY[key],
        split_terms(query),
        limit=per_page,
        offset=(page - 1) * per_page,
        viewer=reader,
    )
    if not group.hits:
        return ""
    return render_to_string(
        "study/includes/search_group.html",
        {
            "group": group,
            "page": page,
            "single_kind": single_kind,
            "parameters": form_data(parameters),
        },
    )


@cached
def search_form_html(values):
    """The search form as the request's `values` of its fields fill it in
    (`form_values`): rendering its widgets costs more than the rest of a
    page served from the cache."""
    form = SearchForm(form_data(values))
    return render_to_string("study/includes/search_form.html", {"form": form})


def search_page(request):
    """Results grouped by kind; with `kind`, one kind page by page.

    One query per kind searched; nothing at all for an empty query. Each
    kind's results come from the fragment cache, kept per search terms,
    kind and page, and per the request's other parameters, which the links
    to more results carry: one copy for every member, and for journals one
    for each member with private entries, whose results include them.
    """
    form = SearchForm(request.GET or None)
    terms, groups = [], []
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
        terms = split_terms(query)
        if terms:
            # Only a private entry's author sees it: every viewer without
            # one shares one copy of the journal results.
            viewer = request.user
            journal_reader = viewer if viewer.pk in private_journal_authors() else None
            parameters = [(name, tuple(values)) for name, values in request.GET.lists()]
            page = (form.cleaned_data["page"] or 1) if kind else 1
            for key in [kind] if kind else [each.key for each in KINDS]:
                reader = journal_reader if key == "journals" else None
                html = kind_results_html(key, query, page, bool(kind), reader, parameters)
                if html:
                    groups.append(html)
    return render_page(
        request,
        "study/search.html",
        {
            "form": form,
            "form_html": search_form_html(form_values(request, SearchForm)),
            "terms": terms,
            "found": bool(groups),
            "groups_html": groups,
        },
    )
