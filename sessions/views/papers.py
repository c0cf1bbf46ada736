"""The paper library: every paper the group covered, and where."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from sessions.forms.papers import PaperLibraryForm
from sessions.models import Paper, Presentation, PresentationPresenter

PAPERS_PER_PAGE = 30


def paper_list(request):
    form = PaperLibraryForm(request.GET or None)
    papers = form.filter(Paper.objects.all()).prefetch_related(
        Prefetch(
            "presentations",
            queryset=Presentation.objects.select_related("session").order_by("session__number"),
        )
    )
    page = Paginator(papers, PAPERS_PER_PAGE).get_page(request.GET.get("page"))
    for paper in page:
        # A session is listed once even when two of its talks covered the paper.
        paper.sessions = list(dict.fromkeys(talk.session for talk in paper.presentations.all()))
    return render(request, "study/paper_list.html", {"page": page, "form": form})


def paper_detail(request, pk):
    paper = get_object_or_404(
        Paper.objects.prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.select_related("session")
                .order_by("-session__number", "order")
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
    return render(
        request, "study/paper_detail.html", {"paper": paper, "talks": paper.presentations.all()}
    )
