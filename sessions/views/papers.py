"""The paper library: every paper the group covered, and where."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string

from sessions.forms.papers import PaperLibraryForm
from sessions.fragments import cached, form_data, form_values, render_page
from sessions.models import Paper, Presentation

from .paging import page_number

PAPERS_PER_PAGE = 30


def library_papers(year, author, sort):
    """The papers selected, in the order chosen, with the talks (and their
    sessions) that covered them; only what the library shows is loaded."""
    return (
        Paper.objects.narrowed(year, author)
        .in_library_order(sort)
        .only("title", "year", "authors", "venue", "metadata_state")
        .prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.select_related("session__season")
                .only("session__number", "session__season__name", "session__season__slug")
                .order_by("session__date", "session__number"),
            )
        )
    )


def with_sessions(page):
    """`page` with each paper's `sessions`: the sessions whose talks covered
    it, each listed once even when two of its talks did (runs the page's
    queries)."""
    for paper in page:
        paper.sessions = list(dict.fromkeys(talk.session for talk in paper.presentations.all()))
    return page


@cached
def publication_years():
    return Paper.objects.publication_years()


@cached
def library_form_html(values):
    """The filter form as the request's `values` of its fields fill it in
    (`form_values`): rendering its widgets costs more than the rest of a
    page served from the cache."""
    form = PaperLibraryForm(form_data(values), years=publication_years())
    return render_to_string("study/includes/paper_library_form.html", {"form": form})


@cached
def paper_list_html(year, author, sort, number):
    page = Paginator(library_papers(year, author, sort), PAPERS_PER_PAGE).get_page(number)
    return render_to_string(
        "study/includes/paper_list.html",
        {
            "page": with_sessions(page),
            # The page links keep the year, the author and the order.
            "year": year,
            "author": author,
            "sort": sort if sort != "title" else None,
        },
    )


def paper_list(request):
    """The library, page by page, filtered by year and author, in the chosen order.

    The publication years, the form as the request fills it in and every
    page of the list are cached parts.
    """
    form = PaperLibraryForm(request.GET or None, years=publication_years())
    year, author, sort = form.selection()
    return render_page(
        request,
        "study/paper_list.html",
        {
            "form_html": library_form_html(form_values(request, PaperLibraryForm)),
            "papers_html": paper_list_html(year, author, sort, page_number(request)),
        },
    )


def paper_detail(request, pk):
    paper = get_object_or_404(
        Paper.objects.prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.select_related("session__season")
                .order_by("-session__date", "-session__number", "order")
                .with_presenters(),
            )
        ),
        pk=pk,
    )
    authors = [" ".join(part for part in name if part) for name in paper.author_names()]
    return render(
        request,
        "study/paper_detail.html",
        {"paper": paper, "authors": authors, "talks": paper.presentations.all()},
    )
