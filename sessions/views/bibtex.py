from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from sessions import bibtex
from sessions.models import Paper


def _bibtex_response(text, filename):
    response = HttpResponse(text, content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def paper_bibtex(request, pk):
    """One paper's BibTeX entry, as a download."""
    paper = get_object_or_404(Paper, pk=pk)
    return _bibtex_response(bibtex.entry(paper), f"{bibtex.citation_key(paper)}.bib")


def library_bibtex(request):
    """The whole library as one BibTeX file (one query)."""
    return _bibtex_response(bibtex.library(Paper.objects.order_by("pk")), "library.bib")
