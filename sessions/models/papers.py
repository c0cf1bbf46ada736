import re
import unicodedata
from dataclasses import dataclass
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from sessions.paths import page_url

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
# Anything that is not a letter or a digit separates words of a title.
_TITLE_SEPARATORS = re.compile(r"[\W_]+")


def normalize_title(title):
    """A title reduced to what tells two papers apart: Unicode compatibility
    forms folded (NFKC), case folded, punctuation and spacing collapsed to one
    space. "Attention is all you need!" and "ATTENTION  IS ALL YOU NEED" are
    the same paper."""
    folded = unicodedata.normalize("NFKC", title or "").casefold()
    return " ".join(_TITLE_SEPARATORS.sub(" ", folded).split())


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

    def by_author(self, name):
        """Papers one of whose authors' names contains `name` (any case)."""
        return self.filter(authors__icontains=name)

    def missing_metadata(self):
        """Papers with an arXiv id or a DOI whose metadata was never fetched."""
        return self.has_identifier().exclude(metadata_state=Paper.Metadata.FETCHED)

    def has_identifier(self):
        return self.exclude(arxiv_id="", doi="")

    def same_title(self, title, parsed=None):
        """The paper with this title (normalized), or None. A paper whose
        identifier of the same kind differs from the link's is another paper."""
        key = normalize_title(title)
        if not key:
            return None
        papers = self.filter(title_key=key)
        if parsed is not None and parsed.arxiv_id:
            papers = papers.filter(arxiv_id="")
        if parsed is not None and parsed.doi:
            papers = papers.filter(doi="")
        return papers.order_by("pk").first()

    def narrowed(self, year=None, author=""):
        """The papers published in `year` (when given) by `author` (a part
        of a name, when given): what the library's filters select."""
        papers = self
        if year:
            papers = papers.published_in(year)
        if author:
            papers = papers.by_author(author)
        return papers

    def in_library_order(self, sort="title"):
        """The papers in the library's order `sort`: "discussed" (most talks
        first), "newest", "oldest" (by year) or "title"."""
        if sort == "discussed":
            return self.most_discussed()
        papers = self.with_talk_count()
        if sort == "newest":
            return papers.order_by(models.F("year").desc(nulls_last=True), "-created_at", "-pk")
        if sort == "oldest":
            return papers.order_by(models.F("year").asc(nulls_last=True), "created_at", "pk")
        return papers.order_by(Lower("title"), "pk")

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
        """The one paper for this link (or, with no link, this title), created
        (with `title`) when new.

        Found by identifier first, then by normalized title: the same paper
        linked by an unrelated URL is still one paper. A paper found by title
        that had no arXiv id or DOI takes the link's. A new (or newly
        identified) paper's metadata is fetched in the background once the
        transaction commits. Returns (paper, created).
        """
        parsed = parse_paper_link(link) if (link or "").strip() else None
        paper = self.find(link) if parsed is not None else None
        if paper is None and title:
            paper = self.same_title(title, parsed)
            if paper is not None and parsed is not None and (parsed.arxiv_id or parsed.doi):
                if not (paper.arxiv_id or paper.doi):
                    paper.url = parsed.url
                    paper.save(update_fields=["url", "arxiv_id", "doi", "normalized_url"])
                    paper.fetch_metadata_later()
        if paper is not None:
            if title and not paper.title:
                paper.title = title
                paper.save(update_fields=["title", "title_key"])
            return paper, False
        if parsed is None:
            return self.create(title=title), True
        paper = self.create(
            title=title or parsed.url,
            url=parsed.url,
            arxiv_id=parsed.arxiv_id,
            doi=parsed.doi,
            normalized_url=parsed.normalized_url,
            # Saved pending at once: no second write to mark it.
            metadata_state=Paper.Metadata.PENDING
            if parsed.arxiv_id or parsed.doi
            else Paper.Metadata.NONE,
        )
        paper.fetch_metadata_later()
        return paper, True


class Paper(models.Model):
    """A paper the group read: one row per paper, however it was linked.

    Metadata (authors, date, abstract, venue, arXiv category) is fetched in
    the background from arXiv, Crossref or DataCite (sessions/papers/). A
    fetch fills only fields that are empty and that no person edited
    (`edited_fields`, kept by the admin).
    """

    class Metadata(models.TextChoices):
        NONE = "", _("nothing to fetch")
        PENDING = "pending", _("fetching details")
        FETCHED = "fetched", _("details fetched")
        FAILED = "failed", _("details could not be fetched")

    class VenueKind(models.TextChoices):
        NONE = "", _("unknown")
        JOURNAL = "journal", _("journal")
        CONFERENCE = "conference", _("conference")
        PREPRINT = "preprint", _("preprint")

    # The fields a fetch may fill, and a person may edit.
    METADATA_FIELDS = (
        "title",
        "authors",
        "year",
        "published_on",
        "abstract",
        "venue",
        "venue_kind",
        "arxiv_category",
        "arxiv_version",
    )

    title = models.CharField(_("title"), max_length=500)
    # The title as `normalize_title` reduces it: finds the same paper linked
    # by another URL.
    title_key = models.CharField(max_length=500, blank=True, editable=False)
    url = models.URLField(_("link"), max_length=500, blank=True)
    arxiv_id = models.CharField(_("arXiv id"), max_length=40, blank=True)
    doi = models.CharField(_("DOI"), max_length=255, blank=True)
    normalized_url = models.CharField(max_length=500, blank=True, editable=False)
    # The authors' names in order, separated by semicolons ("A; B"), as
    # people type them and pages show them.
    authors = models.CharField(_("authors"), max_length=1000, blank=True)
    # The same authors with given and family names apart, when a registry
    # said so: [{"given": "Ashish", "family": "Vaswani"}, …]. Kept only while
    # it matches `authors` (see `author_names`).
    author_list = models.JSONField(default=list, blank=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    # Plain text: registries send JATS or LaTeX-ish markup, kept out; pages escape it.
    abstract = models.TextField(_("abstract"), blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    venue_kind = models.CharField(
        _("kind of venue"), max_length=12, choices=VenueKind.choices, blank=True
    )
    arxiv_category = models.CharField(_("arXiv primary category"), max_length=40, blank=True)
    arxiv_version = models.PositiveSmallIntegerField(_("arXiv version"), null=True, blank=True)
    metadata_state = models.CharField(
        _("metadata"), max_length=10, choices=Metadata.choices, blank=True, default=""
    )
    metadata_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    metadata_attempted_at = models.DateTimeField(
        _("last metadata attempt"), null=True, blank=True, editable=False
    )
    metadata_retry_at = models.DateTimeField(
        _("next metadata attempt"), null=True, blank=True, editable=False
    )
    metadata_error = models.CharField(
        _("metadata error"), max_length=500, blank=True, editable=False
    )
    # Names of METADATA_FIELDS a person edited: a fetch never overwrites them.
    edited_fields = models.JSONField(default=list, blank=True, editable=False)
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
        indexes = [
            # The resolver looks papers up by normalized title on every new
            # link; not unique, since older rows may hold duplicates until merged.
            models.Index(fields=["title_key"], name="study_paper_title_key_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("study:paper-detail", self.pk)

    def save(self, *args, **kwargs):
        if self.url:
            parsed = parse_paper_link(self.url)
            self.url = parsed.url
            self.arxiv_id, self.doi, self.normalized_url = (
                parsed.arxiv_id,
                parsed.doi,
                parsed.normalized_url,
            )
        self.title_key = normalize_title(self.title)
        super().save(*args, **kwargs)

    @property
    def has_identifier(self):
        return bool(self.arxiv_id or self.doi)

    @property
    def fetching(self):
        return self.metadata_state == self.Metadata.PENDING

    @property
    def fetch_failed(self):
        return self.metadata_state == self.Metadata.FAILED

    def author_names(self):
        """The authors in order as (given, family) pairs: the registry's split
        while it matches `authors`, else read from the text (the last word of
        a name is the family name, with particles such as "van" before it)."""
        from sessions.papers.names import join_names, split_name, split_names

        if self.author_list and join_names(self.author_list) == self.authors:
            return [
                (author.get("given", ""), author.get("family", "")) for author in self.author_list
            ]
        return [split_name(name) for name in split_names(self.authors)]

    def mark_edited(self, fields):
        """Remember that a person edited these metadata fields."""
        edited = set(self.edited_fields) | (set(fields) & set(self.METADATA_FIELDS))
        self.edited_fields = sorted(edited)

    def placeholder_title(self):
        """True while the title is only a link to (or the id of) this paper, as
        when it was created from a bare link."""
        if self.title in ("", self.url, self.arxiv_id, self.doi):
            return True
        try:
            parsed = parse_paper_link(self.title)
        except ValueError:
            return True
        return bool(
            (parsed.arxiv_id and parsed.arxiv_id == self.arxiv_id)
            or (parsed.doi and parsed.doi == self.doi)
            or (parsed.normalized_url and parsed.normalized_url == self.normalized_url)
        )

    def fetch_metadata_later(self, delay=None):
        """Mark the paper pending and enqueue the fetch once the transaction
        commits (nothing to do for a paper with no arXiv id or DOI)."""
        if not self.has_identifier:
            return
        from sessions.papers.tasks import enqueue_fetch

        if self.metadata_state != self.Metadata.PENDING:
            self.metadata_state = self.Metadata.PENDING
            Paper.objects.filter(pk=self.pk).update(metadata_state=self.Metadata.PENDING)
        # Robust: a queue that cannot take the task must not fail the saved
        # form; the paper stays pending for `refresh_paper_metadata`.
        transaction.on_commit(partial(enqueue_fetch, self.pk, delay), robust=True)

    def absorb(self, other):
        """Merge `other` into this paper, then delete it.

        Every row pointing at `other` moves here: many-to-many rows (talks)
        unless this paper already has the same one, foreign keys as they are.
        Metadata this paper lacks is taken from `other`.
        """
        if other.pk == self.pk:
            raise ValueError("A paper cannot absorb itself.")
        with transaction.atomic():
            for relation in self._meta.related_objects:
                if relation.many_to_many:
                    through = relation.through
                    own, target = _through_fields(through, Paper, relation.related_model)
                    kept = through.objects.filter(**{own: self}).values(target)
                    through.objects.filter(**{own: other, f"{target}__in": kept}).delete()
                    through.objects.filter(**{own: other}).update(**{own: self})
                elif relation.one_to_many or relation.one_to_one:
                    relation.related_model._base_manager.filter(
                        **{relation.field.name: other}
                    ).update(**{relation.field.name: self})
            for field in self.METADATA_FIELDS:
                if field == "title":
                    if self.placeholder_title() and not other.placeholder_title():
                        self.title = other.title
                elif getattr(self, field) in ("", None) and getattr(other, field) not in ("", None):
                    setattr(self, field, getattr(other, field))
                    if field == "authors":
                        self.author_list = other.author_list
            self.mark_edited(other.edited_fields)
            identified = self.has_identifier
            if other.url and (not self.url or (other.has_identifier and not identified)):
                self.url = other.url
            other.delete()
            self.save()
            if not identified and self.has_identifier:
                self.fetch_metadata_later()


def _through_fields(through, own_model, target_model):
    """The names of a through model's foreign keys to `own_model` and to
    `target_model`."""
    own = next(
        f.name for f in through._meta.fields if f.is_relation and f.related_model is own_model
    )
    target = next(
        f.name
        for f in through._meta.fields
        if f.is_relation and f.related_model is target_model and f.name != own
    )
    return own, target


class RateLimit(models.Model):
    """When a rate-limited service (arXiv) may next be called: one row per
    service, shared by every process (web, workers, commands) through the
    database, so that together they keep to the service's rule."""

    name = models.CharField(max_length=40, primary_key=True)
    next_at = models.FloatField(default=0)  # seconds since the epoch

    def __str__(self):
        return self.name
