"""The registries a paper's metadata comes from, over plain HTTP (httpx).

- arXiv: its query API (`id_list=`), an Atom feed; at most one request every
  `PAPER_ARXIV_INTERVAL` seconds (arXiv's terms of use).
- Crossref: `works/{doi}` JSON, with `mailto` for its polite pool.
- DataCite: `dois/{doi}` JSON, for the DOIs Crossref does not know (arXiv's
  own 10.48550/…, Zenodo, data sets).

Each answer becomes a `Metadata`; anything else raises `FetchError` (with
`retry_after` when the service said when to come back) or `NotFound`.
"""

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import httpx
from defusedxml import ElementTree
from django.conf import settings

from .names import split_name
from .ratelimit import RateLimiter

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
ABSTRACT_MAX = 10_000
# Venue names that are conferences (or their proceedings), not journals.
_CONFERENCE = re.compile(
    r"\b(conference|proceedings|proc\.|workshop|symposium|neurips|nips|icml|iclr|cvpr|iccv|eccv|"
    r"acl|emnlp|naacl|coling|aaai|ijcai|kdd|sigir|sigmod|vldb|interspeech|icassp)\b",
    re.IGNORECASE,
)
_ARXIV_VERSION = re.compile(r"v(\d+)$")

arxiv_limiter = RateLimiter("arxiv", settings.PAPER_ARXIV_INTERVAL)


class FetchError(Exception):
    """The registry gave no usable answer; `retry_after`: seconds it asked us to wait."""

    def __init__(self, message, retry_after=None):
        super().__init__(message)
        self.retry_after = retry_after


class NotFound(FetchError):
    """The registry does not know the identifier."""


@dataclass
class Metadata:
    title: str = ""
    authors: list = field(default_factory=list)  # [{"given": …, "family": …}] in order
    year: int | None = None
    published_on: date | None = None
    abstract: str = ""
    venue: str = ""
    venue_kind: str = ""
    arxiv_category: str = ""
    arxiv_version: int | None = None


def user_agent():
    contact = settings.PAPER_METADATA_CONTACT
    about = "study group paper library" + (f"; mailto:{contact}" if contact else "")
    return f"StudyGroup/0.1 ({about})"


def http_client():
    return httpx.Client(
        timeout=settings.PAPER_METADATA_TIMEOUT,
        headers={"User-Agent": user_agent()},
        follow_redirects=True,
    )


def retry_after_seconds(value, now=None):
    """Seconds from a Retry-After header (a number or an HTTP date), or None."""
    value = (value or "").strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - (now or datetime.now(UTC))).total_seconds()))


def _get(client, service, url, params=None):
    try:
        response = client.get(url, params=params)
    except httpx.TimeoutException:
        timeout = settings.PAPER_METADATA_TIMEOUT
        raise FetchError(f"{service} did not answer within {timeout} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{service} could not be reached ({exc.__class__.__name__})") from None
    if response.status_code in (429, 503):
        raise FetchError(
            f"{service} asked to come back later (HTTP {response.status_code})",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )
    if response.status_code == 404:
        raise NotFound(f"{service} does not know this paper (HTTP 404)")
    if response.status_code >= 400:
        raise FetchError(f"{service} answered HTTP {response.status_code}")
    return response


def _text(value):
    return " ".join((value or "").split())


def plain_abstract(markup):
    """An abstract as plain text: JATS/HTML tags dropped (a leading "Abstract"
    heading too), entities decoded, paragraphs kept apart by blank lines."""
    markup = re.sub(r"<(jats:)?title>.*?</(jats:)?title>", "", markup or "", flags=re.S)
    markup = re.sub(r"</(jats:)?p>", "\n\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    paragraphs = [_text(part) for part in re.split(r"\n\s*\n", text)]
    return "\n\n".join(part for part in paragraphs if part)[:ABSTRACT_MAX]


def _date_parts(parts):
    """(year, date or None) from Crossref's [[2017, 6, 12]] (month and day optional)."""
    try:
        parts = [int(part) for part in parts[0] if part is not None]
    except (TypeError, ValueError, IndexError):
        return None, None
    if not parts:
        return None, None
    if len(parts) == 3:
        try:
            return parts[0], date(*parts)
        except ValueError:
            pass
    return parts[0], None


def venue_kind(venue, default="journal"):
    return "conference" if _CONFERENCE.search(venue or "") else default


# arXiv


def fetch_arxiv(arxiv_id, client, limiter=None):
    limiter = limiter or arxiv_limiter
    limiter.wait()
    try:
        response = _get(
            client,
            "arXiv",
            settings.PAPER_ARXIV_API_URL,
            {"id_list": arxiv_id, "max_results": "1"},
        )
    except FetchError as exc:
        if exc.retry_after:
            limiter.hold(exc.retry_after)
        raise
    return parse_arxiv(response.content, arxiv_id)


def parse_arxiv(body, arxiv_id):
    """The paper in an arXiv API Atom feed."""
    try:
        feed = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        raise FetchError("arXiv sent something that is not an Atom feed") from None
    if feed.tag != f"{ATOM}feed":
        raise FetchError("arXiv sent something that is not an Atom feed")
    for entry in feed.iter(f"{ATOM}entry"):
        entry_id = _text(entry.findtext(f"{ATOM}id"))
        if "/api/errors" in entry_id:
            raise NotFound(
                f"arXiv does not know this paper: {_text(entry.findtext(f'{ATOM}summary'))}"
            )
        if f"/{arxiv_id}" not in entry_id:
            continue
        published = _text(entry.findtext(f"{ATOM}published"))
        try:
            published_on = date.fromisoformat(published[:10])
        except ValueError:
            published_on = None
        version = _ARXIV_VERSION.search(entry_id)
        category = entry.find(f"{ARXIV}primary_category")
        journal = _text(entry.findtext(f"{ARXIV}journal_ref"))
        authors = [
            dict(zip(("given", "family"), split_name(_text(author.findtext(f"{ATOM}name")))))
            for author in entry.findall(f"{ATOM}author")
            if _text(author.findtext(f"{ATOM}name"))
        ]
        title = _text(entry.findtext(f"{ATOM}title"))
        if not title:
            raise FetchError("arXiv sent an entry without a title")
        return Metadata(
            title=title,
            authors=authors,
            year=published_on.year if published_on else None,
            published_on=published_on,
            abstract=plain_abstract(entry.findtext(f"{ATOM}summary")),
            venue=journal[:300],
            venue_kind=venue_kind(journal) if journal else "preprint",
            arxiv_category=(category.get("term", "") if category is not None else "")[:40],
            arxiv_version=int(version.group(1)) if version else None,
        )
    raise NotFound("arXiv does not know this paper")


# DOIs: Crossref first, DataCite for the DOIs Crossref does not know


def fetch_doi(doi, client):
    try:
        return fetch_crossref(doi, client)
    except NotFound:
        return fetch_datacite(doi, client)


def _json(response, service):
    try:
        return response.json()
    except ValueError:
        raise FetchError(f"{service} sent something that is not JSON") from None


def fetch_crossref(doi, client):
    base = settings.PAPER_CROSSREF_API_URL.rstrip("/")
    params = (
        {"mailto": settings.PAPER_METADATA_CONTACT} if settings.PAPER_METADATA_CONTACT else None
    )
    response = _get(client, "Crossref", f"{base}/works/{quote(doi, safe='/')}", params)
    return parse_crossref(_json(response, "Crossref"))


def parse_crossref(data):
    """A Crossref `works/{doi}` answer ({"status": "ok", "message": {…}})."""
    work = data.get("message") if isinstance(data, dict) else None
    if not isinstance(work, dict) or not work.get("title"):
        raise FetchError("Crossref sent a work without a title")
    try:
        authors = [
            {"given": _text(a.get("given")), "family": _text(a.get("family") or a.get("name"))}
            for a in work.get("author") or []
            if a.get("family") or a.get("name")
        ]
        year, published_on = None, None
        for key in ("published-print", "published-online", "issued", "published", "created"):
            year, published_on = _date_parts((work.get(key) or {}).get("date-parts") or [])
            if year:
                break
        kind = work.get("type", "")
        venue = _text((work.get("container-title") or [""])[0])
        if kind == "proceedings-article":
            venue = venue or _text((work.get("event") or {}).get("name"))
            venue_kind_value = "conference"
        elif kind == "journal-article":
            venue_kind_value = "journal"
        elif kind == "posted-content":
            venue_kind_value = "preprint"
        else:
            venue_kind_value = venue_kind(venue, default="") if venue else ""
        return Metadata(
            title=_text(work["title"][0])[:500],
            authors=authors,
            year=year,
            published_on=published_on,
            abstract=plain_abstract(work.get("abstract", "")),
            venue=venue[:300],
            venue_kind=venue_kind_value,
        )
    except (AttributeError, TypeError, KeyError, IndexError):
        raise FetchError("Crossref sent a work in a shape we do not know") from None


def fetch_datacite(doi, client):
    base = settings.PAPER_DATACITE_API_URL.rstrip("/")
    response = _get(client, "DataCite", f"{base}/dois/{quote(doi, safe='/')}")
    return parse_datacite(_json(response, "DataCite"))


_DATACITE_KINDS = {
    "JournalArticle": "journal",
    "ConferencePaper": "conference",
    "ConferenceProceeding": "conference",
    "Preprint": "preprint",
}


def parse_datacite(data):
    """A DataCite `dois/{doi}` answer ({"data": {"attributes": {…}}})."""
    try:
        attributes = data["data"]["attributes"]
        titles = [_text(t.get("title")) for t in attributes.get("titles") or [] if t.get("title")]
        if not titles:
            raise FetchError("DataCite sent a record without a title")
        authors = []
        for creator in attributes.get("creators") or []:
            if creator.get("familyName"):
                authors.append(
                    {
                        "given": _text(creator.get("givenName")),
                        "family": _text(creator["familyName"]),
                    }
                )
            elif creator.get("name"):
                if creator.get("nameType") == "Organizational":
                    authors.append({"given": "", "family": _text(creator["name"])})
                else:
                    given, family = split_name(creator["name"])
                    authors.append({"given": given, "family": family})
        published_on = None
        for item in attributes.get("dates") or []:
            if item.get("dateType") in ("Issued", "Submitted", "Available"):
                try:
                    published_on = date.fromisoformat(str(item.get("date", ""))[:10])
                    break
                except ValueError:
                    continue
        year = attributes.get("publicationYear")
        year = (
            int(year)
            if str(year or "").isdigit()
            else (published_on.year if published_on else None)
        )
        abstract = next(
            (
                d.get("description", "")
                for d in attributes.get("descriptions") or []
                if d.get("descriptionType") == "Abstract"
            ),
            "",
        )
        container = attributes.get("container") or {}
        publisher = attributes.get("publisher") or ""
        publisher = publisher.get("name", "") if isinstance(publisher, dict) else publisher
        venue = _text(container.get("title") or publisher)
        general = (attributes.get("types") or {}).get("resourceTypeGeneral", "")
        kind = _DATACITE_KINDS.get(general, "")
        if not kind and venue.lower() == "arxiv":
            kind = "preprint"
        return Metadata(
            title=titles[0][:500],
            authors=authors,
            year=year,
            published_on=published_on,
            abstract=plain_abstract(abstract),
            venue=venue[:300],
            venue_kind=kind,
        )
    except (AttributeError, TypeError, KeyError, IndexError):
        raise FetchError("DataCite sent a record in a shape we do not know") from None


def fetch_for(paper, client, limiter=None):
    """The metadata of a paper, from the registry its identifier belongs to."""
    if paper.arxiv_id:
        return fetch_arxiv(paper.arxiv_id, client, limiter)
    if paper.doi:
        return fetch_doi(paper.doi, client)
    raise NotFound("the paper has no arXiv id or DOI")
