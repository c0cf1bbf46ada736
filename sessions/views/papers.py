"""The paper library: every paper the group covered, and where."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from sessions.forms.papers import PaperLibraryForm
from sessions.fragments import cached, cached_fragment, content_version
from sessions.models import Paper, Presentation, PresentationPresenter

PAPERS_PER_PAGE = 30


def library_papers(form):
    """The papers the form selects, in its order, with the talks (and their
    sessions) that covered them; only what the library shows is loaded."""
    return form.filter(
        Paper.objects.only("title", "year", "authors", "venue", "metadata_state")
    ).prefetch_related(
        Prefetch(
            "presentations",
            queryset=Presentation.objects.select_related("session__season")
            .only("session__number", "session__season__name", "session__season__slug")
            .order_by("session__date", "session__number"),
        )
    )


def with_sessions(page):
    """`page` with each paper's `sessions`: the sessions whose talks covered
    it, each listed once even when two of its talks did (runs the page's
    queries)."""
    for paper in page:
        paper.sessions = list(dict.fromkeys(talk.session for talk in paper.presentations.all()))
    return page


def paper_list(request):
    """The library, page by page, filtered by year and author, in the chosen order.

    The publication years, the number of papers selected and every page of
    the list come from the fragment cache; the form stays outside it.
    """
    content_version(request)
    form = PaperLibraryForm(
        request.GET or None,
        years=cached(request, "paper-years", [], Paper.objects.publication_years),
    )
    year, author, sort = form.selection()
    paginator = Paginator(library_papers(form), PAPERS_PER_PAGE)
    # Known from the cache, the count resolves the page number without a query.
    paginator.count = cached(
        request, "paper-count", [year, author], lambda: form.narrow(Paper.objects.all()).count()
    )
    page = paginator.get_page(request.GET.get("page"))
    papers_html = cached_fragment(
        request,
        "paper-list",
        [year, author, sort, page.number],
        "study/includes/paper_list.html",
        # The page links keep the year, the author and the order.
        lambda: {
            "page": with_sessions(page),
            "year": year,
            "author": author,
            "sort": sort if sort != "title" else None,
        },
    )
    return render(request, "study/paper_list.html", {"form": form, "papers_html": papers_html})


def paper_detail(request, pk):
    paper = get_object_or_404(
        Paper.objects.prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.select_related("session__season")
                .order_by("-session__date", "-session__number", "order")
                .prefetch_related(
                    Prefetch(
                        "presenter_links",
                        queryset=PresentationPresenter.objects.select_related("member").order_by(
                            "order"
                        ),
                    )
                ),
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
