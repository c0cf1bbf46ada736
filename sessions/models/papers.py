import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import count_of

# New-style arXiv ids (2304.08485, 0704.0001) and old-style ones (hep-th/9901001).
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = rf"(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?"
_ARXIV_URL = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/{_ARXIV_ID}(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_ARXIV_BARE = re.compile(rf"^(?:arxiv:)?\s*{_ARXIV_ID}$", re.IGNORECASE)
_DOI = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/\S+?)/?$", re.IGNORECASE
)
_TRACKING_PARAMS = re.compile(r"^(utm_|fbclid$|gclid$)")


@dataclass(frozen=True)
class PaperLink:
    """What a link says about the paper it points to."""

    url: str
    arxiv_id: str = ""
    doi: str = ""
    normalized_url: str = ""


def parse_paper_link(link):
    """Identify a paper link: arXiv in any form, a DOI, or a plain URL.

    The returned `url` is canonical for arXiv (abs page) and DOIs (doi.org).
    """
    link = (link or "").strip()
    if not link:
        raise ValueError("empty paper link")
    match = _ARXIV_URL.match(link) or _ARXIV_BARE.match(link)
    if match:
        arxiv_id = match.group("id")
        arxiv_id = arxiv_id if "/" in arxiv_id else arxiv_id.lower()
        return PaperLink(url=f"https://arxiv.org/abs/{arxiv_id}", arxiv_id=arxiv_id)
    match = _DOI.match(link)
    if match:
        doi = match.group("doi").lower()
        return PaperLink(url=f"https://doi.org/{doi}", doi=doi)
    return PaperLink(url=link, normalized_url=normalize_url(link))


def normalize_url(url):
    """A URL reduced to what identifies the page: host without www, path
    without trailing slash, query without tracking parameters, no scheme or
    fragment."""
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path.rstrip("/")
    query = urlencode(
        sorted(
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING_PARAMS.match(key)
        )
    )
    return f"{host}{path}" + (f"?{query}" if query else "")


class PaperQuerySet(models.QuerySet):
    def with_talk_count(self):
        """Annotate `talk_count`: how many talks covered each paper (a relation).

        Counted by a subquery per paper rather than by grouping a join over
        every paper, so that a page of the library in title or year order
        counts only the papers of that page.
        """
        return self.annotate(talk_count=count_of(Paper.presentations.through.objects, "paper"))

    def most_discussed(self):
        """Papers covered by the most talks first (annotates `talk_count`)."""
        return self.with_talk_count().order_by("-talk_count", Lower("title"), "pk")

    def published_in(self, year):
        return self.filter(year=year)

    def publication_years(self):
        """The years the papers were published in, newest first (one query)."""
        return list(
            self.exclude(year=None).order_by("-year").values_list("year", flat=True).distinct()
        )

    def find(self, link):
        """The paper a link points to, or None."""
        parsed = parse_paper_link(link)
        if parsed.arxiv_id:
            return self.filter(arxiv_id=parsed.arxiv_id).first()
        if parsed.doi:
            return self.filter(doi=parsed.doi).first()
        return self.filter(normalized_url=parsed.normalized_url).first()

    @transaction.atomic
    def resolve(self, link, title=""):
        """The one paper for this link, created (with `title`) when new.

        Returns (paper, created). An existing paper without a title gets one.
        """
        paper = self.find(link)
        if paper is not None:
            if title and not paper.title:
                paper.title = title
                paper.save(update_fields=["title"])
            return paper, False
        parsed = parse_paper_link(link)
        paper = self.create(
            title=title or parsed.url,
            url=parsed.url,
            arxiv_id=parsed.arxiv_id,
            doi=parsed.doi,
            normalized_url=parsed.normalized_url,
        )
        return paper, True


class Paper(models.Model):
    """A paper the group read: one row per paper, however it was linked."""

    title = models.CharField(_("title"), max_length=500)
    url = models.URLField(_("link"), max_length=500, blank=True)
    arxiv_id = models.CharField(_("arXiv id"), max_length=40, blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    normalized_url = models.CharField(max_length=500, blank=True, editable=False)
    authors = models.CharField(_("authors"), max_length=1000, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = [Lower("title")]
        constraints = [
            # One paper, one row: every arXiv link form resolves to the same id,
            # and so must never create a second row.
            models.UniqueConstraint(
                fields=["arxiv_id"],
                condition=~models.Q(arxiv_id=""),
                name="study_paper_arxiv_id_unique",
            ),
            # DOIs are case-insensitive; they are stored lowercased.
            models.UniqueConstraint(
                fields=["doi"], condition=~models.Q(doi=""), name="study_paper_doi_unique"
            ),
            # Plain links: equal after normalisation means the same paper.
            models.UniqueConstraint(
                fields=["normalized_url"],
                condition=~models.Q(normalized_url=""),
                name="study_paper_normalized_url_unique",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("study:paper-detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.url:
            parsed = parse_paper_link(self.url)
            self.url = parsed.url
            self.arxiv_id, self.doi, self.normalized_url = (
                parsed.arxiv_id,
                parsed.doi,
                parsed.normalized_url,
            )
        super().save(*args, **kwargs)
