"""Search across the archive: sessions, talks, papers, questions, answers,
reflections and journals.

Korean is not split into words the way English is: particles stick to the
noun (`역전파를`), and PostgreSQL's full-text search keeps `역전파를` as one
lexeme. So the search is plain substring matching (`icontains`), term by
term: every term of the query must occur in one of a kind's fields.

On PostgreSQL `icontains` is `UPPER(col::text) LIKE UPPER('%term%')`; the
GIN trigram indexes in `TRIGRAM_INDEXES` are on `UPPER(col)` so that the
planner can use them (migration `0003_search_trigram_indexes`, PostgreSQL
only). Terms shorter than three characters give no trigram and fall back
to a scan: a known limit for two-syllable Korean words.
"""

import re
from dataclasses import dataclass, field
from html import escape

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from sessions.markdown import html_to_text
from sessions.models import Answer, Paper, Presentation, Question, Reflection, StudySession

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
RESULTS_PER_KIND = 10
SNIPPET_LENGTH = 160
SNIPPET_LEAD = 50

# (model name, field, index name): one GIN trigram index on UPPER(field)
# for every searchable field, so that `icontains` on a large archive reads
# the index instead of every row.
TRIGRAM_INDEXES = [
    ("studysession", "title", "study_session_title_trgm"),
    ("studysession", "notes", "study_session_notes_trgm"),
    ("presentation", "topic", "study_talk_topic_trgm"),
    ("presentation", "summary", "study_talk_summary_trgm"),
    ("paper", "title", "study_paper_title_trgm"),
    ("paper", "authors", "study_paper_authors_trgm"),
    ("question", "body", "study_question_body_trgm"),
    ("answer", "body", "study_answer_body_trgm"),
    ("reflection", "title", "study_reflection_title_trgm"),
    ("reflection", "body", "study_reflection_body_trgm"),
]


def trigram_index(field_name, name):
    """The GIN trigram index on UPPER(field) that `icontains` can use."""
    return GinIndex(OpClass(Upper(field_name), name="gin_trgm_ops"), name=name)


_TERM = re.compile(r'"([^"]+)"|(\S+)')


def split_terms(query):
    """The terms of a query: words, or "quoted phrases", at most MAX_TERMS,
    without repeats (ignoring case)."""
    terms, seen = [], set()
    for phrase, word in _TERM.findall(query or ""):
        term = " ".join((phrase or word).split())
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms[:MAX_TERMS]


def matching(queryset, fields, terms):
    """Rows of `queryset` where every term occurs in at least one of `fields`.

    A field across a relation (a journal's `tags__name`) is matched by a
    subquery, not a join: a join repeats a row per related row, and the
    DISTINCT that undoes it took seconds over every journal entry.
    """
    rows = queryset.model._base_manager
    for term in terms:
        condition = Q()
        for name in fields:
            lookup = {f"{name}__icontains": term}
            if "__" in name:
                condition |= Q(pk__in=rows.filter(**lookup).values("pk"))
            else:
                condition |= Q(**lookup)
        queryset = queryset.filter(condition)
    return queryset


@dataclass(frozen=True)
class Kind:
    """One kind of searchable thing: how to find it and how to show a hit."""

    key: str
    label: str
    fields: tuple
    queryset: object  # callable: viewer -> the base queryset of what the viewer may read
    title: object  # callable: obj -> str
    context: object  # callable: obj -> str (a line of context under the title)
    url: object = None  # callable: obj -> str; get_absolute_url() when None
    # The attributes a passage is taken from, in order: the rendered `*_html`
    # of a markdown field (shown as plain text), never its markdown source.
    passages: tuple = ()


def _talk_context(talk):
    return talk.session.full_name


def _question_context(question):
    return _("Question on “%(topic)s”, %(session)s") % {
        "topic": question.presentation.topic,
        "session": question.presentation.session.full_name,
    }


def _answer_context(answer):
    return _("Answer by %(author)s on “%(topic)s”") % {
        "author": answer.author or _("unknown"),
        "topic": answer.question.presentation.topic,
    }


def _reflection_context(reflection):
    return _("%(author)s, %(session)s") % {
        "author": reflection.author,
        "session": reflection.session.full_name,
    }


def _journal_context(journal):
    if journal.date:
        return f"{journal.author} · {date_format(journal.date, 'DATE_FORMAT')}"
    return str(journal.author)


def _paper_context(paper):
    return " · ".join(str(part) for part in (paper.authors, paper.year) if part)


KINDS = [
    Kind(
        "sessions",
        _("Sessions"),
        ("title", "notes"),
        lambda viewer: (
            StudySession.objects.select_related("season")
            .only("number", "date", "title", "notes_html", "season__name", "season__slug")
            .order_by("-date", "-number")
        ),
        lambda s: s.full_name + (f" · {s.title}" if s.title else ""),
        lambda s: date_format(s.date, "DATE_FORMAT"),
        passages=("title", "notes_html"),
    ),
    Kind(
        "talks",
        _("Talks"),
        ("topic", "summary"),
        lambda viewer: (
            Presentation.objects.select_related("session__season")
            .only("topic", "summary_html", "session__number", "session__season__name")
            .order_by("-created_at", "-pk")
        ),
        lambda t: t.topic,
        _talk_context,
        passages=("topic", "summary_html"),
    ),
    Kind(
        "papers",
        _("Papers"),
        ("title", "authors"),
        lambda viewer: Paper.objects.only("title", "authors", "year").order_by(
            "-created_at", "-pk"
        ),
        lambda p: p.title,
        _paper_context,
        passages=("title", "authors"),
    ),
    Kind(
        "questions",
        _("Questions"),
        ("body",),
        lambda viewer: (
            Question.objects.select_related("presentation__session__season")
            .only(
                "body_html",
                "presentation__topic",
                "presentation__session__number",
                "presentation__session__season__name",
            )
            .order_by("-created_at", "-pk")
        ),
        lambda q: "",
        _question_context,
        passages=("body_html",),
    ),
    Kind(
        "answers",
        _("Answers"),
        ("body",),
        lambda viewer: (
            Answer.objects.select_related("question__presentation", "author")
            .only(
                "body_html",
                "created_at",
                "question__presentation_id",
                "question__presentation__topic",
                "author__display_name",
                "author__username",
            )
            .order_by("-created_at", "-pk")
        ),
        lambda a: "",
        _answer_context,
        lambda a: (
            reverse("study:talk-detail", args=[a.question.presentation_id])
            + f"#question-{a.question_id}"
        ),
        passages=("body_html",),
    ),
    Kind(
        "reflections",
        _("Reflections"),
        ("body",),
        lambda viewer: (
            Reflection.objects.on_sessions()
            .select_related("session__season", "author")
            .only(
                "kind",
                "body_html",
                "created_at",
                "session__number",
                "session__season__name",
                "session__season__slug",
                "author__display_name",
                "author__username",
            )
            .order_by("-created_at", "-pk")
        ),
        lambda r: "",
        _reflection_context,
        passages=("body_html",),
    ),
    Kind(
        "journals",
        _("Journals"),
        ("title", "body", "tags__name"),
        lambda viewer: (
            Reflection.objects.journals()
            .visible_to(viewer)
            .select_related("author")
            .only(
                "kind",
                "title",
                "date",
                "body_html",
                "created_at",
                "author__display_name",
                "author__username",
            )
            .order_by("-created_at", "-pk")
        ),
        lambda j: j.title,
        _journal_context,
        passages=("title", "body_html"),
    ),
]
KINDS_BY_KEY = {kind.key: kind for kind in KINDS}


def _pattern(terms):
    return re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.I
    )


def highlight(text, pattern):
    """`text` escaped (html.escape, as Django's escape), with every match of
    `pattern` in <mark>."""
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


def snippet(text, pattern, length=SNIPPET_LENGTH, lead=SNIPPET_LEAD):
    """The passage of `text` around its first match, highlighted; the start
    of the text when nothing matches."""
    text = " ".join((text or "").split())
    match = pattern.search(text)
    start = 0 if match is None else max(0, match.start() - lead)
    end = min(len(text), start + length)
    if match is not None and end < match.end():
        end = match.end()
    passage = highlight(text[start:end], pattern)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{passage}{suffix}")


@dataclass
class Hit:
    obj: object
    title: SafeString
    context: str
    passage: SafeString
    url: str


@dataclass
class ResultGroup:
    kind: Kind
    hits: list = field(default_factory=list)
    has_more: bool = False


def _hit(kind, obj, pattern):
    title = kind.title(obj)
    # The passage comes from the text that matched first, else the first
    # text that is not the title.
    texts = [
        html_to_text(getattr(obj, name)) if name.endswith("_html") else getattr(obj, name) or ""
        for name in kind.passages
    ]
    passage_source = next(
        (text for text in texts if text and pattern.search(text) and text != title), None
    )
    if passage_source is None:
        passage_source = next((text for text in texts if text != title), "")
    return Hit(
        obj=obj,
        title=highlight(title, pattern) if title else "",
        context=kind.context(obj),
        passage=snippet(passage_source, pattern),
        url=kind.url(obj) if kind.url else obj.get_absolute_url(),
    )


def search_kind(kind, terms, limit=RESULTS_PER_KIND, offset=0, viewer=None):
    """One kind's hits for `terms` among what `viewer` may read (what every
    member may read when None), one query, newest first.

    Returns a ResultGroup; `has_more` says whether more hits follow.
    """
    rows = list(matching(kind.queryset(viewer), kind.fields, terms)[offset : offset + limit + 1])
    pattern = _pattern(terms)
    return ResultGroup(
        kind=kind,
        hits=[_hit(kind, obj, pattern) for obj in rows[:limit]],
        has_more=len(rows) > limit,
    )


def search(query, kinds=None, limit=RESULTS_PER_KIND, viewer=None):
    """Search every kind (or the given kind keys) for `query` among what
    `viewer` may read: one query per kind. Kinds without hits are left out.
    An empty query finds nothing."""
    terms = split_terms(query)
    if not terms:
        return []
    selected = [KINDS_BY_KEY[key] for key in kinds] if kinds else KINDS
    groups = [search_kind(kind, terms, limit=limit, viewer=viewer) for kind in selected]
    return [group for group in groups if group.hits]
