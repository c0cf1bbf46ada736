"""Write sessions and journal entries back out as markdown.

Sessions use the "by topic" layout the importer reads (``# 주제`` / ``# 회고``),
one folder per season, each file naming its season (``**시즌**: …``) so that
importing the export restores the seasons;
answers by members other than the presenter asked are written
``- A1 (name): …``, which the importer also reads. Journal entries get YAML
front matter. Importing the exported files into an empty database gives
back the same data. Private journal entries are written only when asked
for, with ``visibility: private``, which the importer keeps.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.db.models import Count, Prefetch

from sessions.models import (
    ActionItem,
    Answer,
    Card,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
    StudySession,
)
from sessions.models.talks import paper_links_prefetch

from .board import board_section


def _indented(text: str, prefix: str) -> str:
    """First line after ``prefix``, the following lines indented under it."""
    lines = text.split("\n")
    out = [f"{prefix}{lines[0]}"]
    out.extend(f"  {line}" if line.strip() else "" for line in lines[1:])
    return "\n".join(out)


# Lines the importer reads as the file's own structure: a heading (a new
# member or topic) or a separator.
_STRUCTURE_LINE = re.compile(r"^(?:#{1,6}(?:[ \t]|$)|\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$)", re.M)


def _block(text: str) -> str:
    """A text written under a heading of the file (a summary, a reflection).

    A text with headings or separators of its own (a KPT reflection has
    ``## Keep``) is indented by four spaces, which keeps the importer from
    reading them as the file's structure; it removes that indentation
    again.
    """
    text = text.strip()
    if not _STRUCTURE_LINE.search(text):
        return text
    return "\n".join(f"    {line}" if line.strip() else "" for line in text.split("\n"))


def _answer_lines(answers, presenter_pk, number):
    """A question's answers: the presenter's as ``- A1:``, every other
    member's as ``- A1 (name): …``. With no answer of the presenter's, one
    whose author is gone stands in as theirs; others without an author
    cannot be told apart and are left out."""
    own = next((a for a in answers if a.author_id == presenter_pk), None)
    if own is None:
        own = next((a for a in answers if a.author_id is None), None)
    lines = [_indented(own.body.strip(), f"- A{number}: ")] if own is not None else []
    for answer in answers:
        if answer is not own and answer.author is not None:
            name = f"{answer.author.display_name}{answer.author.emoji}"
            lines.append(_indented(answer.body.strip(), f"- A{number} ({name}): "))
    return lines


def session_markdown(session: StudySession) -> str:
    """One session in the by-topic layout.

    Expects `session` from `sessions_for_export()` (talks, presenters, papers,
    questions, answers and reflections prefetched).
    """
    heading = f"# {session.number}주차" + (f" — {session.title}" if session.title else "")
    out = [
        heading,
        "",
        f"**시즌**: {session.season.name}",
        f"**발표일**: {session.date:%Y.%m.%d}",
        "",
        "---",
        "",
        "# 주제",
    ]
    talks = list(session.presentations.all())
    gave: dict[int, list[Presentation]] = {}
    people = {}
    for talk in talks:
        presenters = [link.member for link in talk.presenter_links.all()]
        for member in presenters:
            gave.setdefault(member.pk, []).append(talk)
            people.setdefault(member.pk, member)
        out.append(f"## {talk.topic}")
        out.append(f"- 발표자: **{', '.join(m.display_name for m in presenters)}**")
        papers = talk.ordered_papers()
        if papers:
            out.append("- 참고 논문:")
            out.extend(f"[{p.title}]({p.url})" if p.url else p.title for p in papers)
        if talk.slides_url:
            out.append(f"- 발표 자료: {talk.slides_url}")
        if talk.summary.strip():
            out.extend(["", "### 요약", _block(talk.summary)])
        out.append("")

    # Questions grouped by the member they were addressed to, then by talk.
    received: dict[int, dict[int, list[Question]]] = {}
    for talk in talks:
        for question in talk.questions.all():
            if question.addressed_to is None:
                continue
            people.setdefault(question.addressed_to_id, question.addressed_to)
            received.setdefault(question.addressed_to_id, {}).setdefault(talk.pk, []).append(
                question
            )
    reflections = {r.author_id: r for r in session.reflections.all()}
    for reflection in reflections.values():
        people.setdefault(reflection.author_id, reflection.author)

    out.extend(["---", "", "# 회고"])
    talk_by_pk = {t.pk: t for t in talks}
    for pk, member in people.items():
        out.append(f"## {member.display_name}{member.emoji}")
        by_talk = received.get(pk, {})
        own = gave.get(pk, [])
        if not by_talk:
            out.extend(["### 받은 질문", "없음", ""])
        for talk_pk, questions in by_talk.items():
            talk = talk_by_pk[talk_pk]
            # Name the talk when it is not the one talk this member gave.
            named = not (len(own) == 1 and own[0].pk == talk_pk)
            out.append(f"### 받은 질문: {talk.topic}" if named else "### 받은 질문")
            for number, question in enumerate(questions, 1):
                out.append(_indented(question.body.strip(), f"- Q{number}: "))
                out.extend(_answer_lines(list(question.answers.all()), pk, number))
            out.append("")
        if pk in reflections:
            out.extend(["### 소감", _block(reflections[pk].body), ""])
        out.extend(["---", ""])
    out.extend(board_section(getattr(session, "retro_board", None)))
    return "\n".join(out).rstrip("\n-").rstrip() + "\n"


def journal_markdown(entry: Reflection) -> str:
    """A journal entry with YAML front matter (title, date, tags, author, and
    `visibility: private` for a private entry)."""
    meta = {"title": entry.title}
    if entry.date:
        meta["date"] = entry.date
    meta["author"] = entry.author.display_name
    tags = [tag.name for tag in entry.tags.all()]
    if tags:
        meta["tags"] = tags
    if entry.is_private:
        meta["visibility"] = entry.visibility
    front = yaml.safe_dump(
        meta, allow_unicode=True, sort_keys=False, default_flow_style=False
    ).strip()
    return f"---\n{front}\n---\n{entry.body.strip()}\n"


def sessions_for_export():
    return (
        StudySession.objects.select_related("season")
        .order_by("season__starts_on", "season_id", "number")
        .prefetch_related(
            Prefetch(
                "presentations",
                queryset=Presentation.objects.order_by("order", "pk").prefetch_related(
                    Prefetch(
                        "presenter_links",
                        queryset=PresentationPresenter.objects.select_related("member").order_by(
                            "order"
                        ),
                    ),
                    paper_links_prefetch(),
                    Prefetch(
                        "questions",
                        queryset=Question.objects.select_related("addressed_to")
                        .order_by("position", "pk")
                        .prefetch_related(
                            Prefetch(
                                "answers",
                                queryset=Answer.objects.select_related("author").order_by(
                                    "created_at", "pk"
                                ),
                            )
                        ),
                    ),
                ),
            ),
            Prefetch(
                "reflections",
                queryset=Reflection.objects.on_sessions().select_related("author").order_by("pk"),
            ),
            "retro_board",
            Prefetch(
                "retro_board__cards",
                queryset=Card.objects.select_related("author")
                .annotate(vote_count=Count("votes"))
                .prefetch_related(
                    Prefetch(
                        "action_items",
                        queryset=ActionItem.objects.select_related(
                            "owner", "resolved_by", "due_session"
                        ),
                    )
                )
                .order_by("pk"),
                to_attr="export_cards",
            ),
        )
    )


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text).strip("-")[:60] or "entry"


def export_all(out_dir, dry_run: bool = False, include_private: bool = False) -> list[Path]:
    """Write every session (a folder per season) and journal entry under
    `out_dir` (private journal entries only with `include_private`); return
    the paths."""
    out = Path(out_dir)
    written: list[Path] = []
    for session in sessions_for_export():
        path = out / "sessions" / _slug(session.season.slug) / f"{session.number:03d}주차.md"
        written.append(path)
        if not dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(session_markdown(session), encoding="utf-8")
    journals = (
        Reflection.objects.journals()
        .select_related("author")
        .prefetch_related("tags")
        .order_by("pk")
    )
    if not include_private:
        journals = journals.shared()
    used: set[Path] = set()
    for entry in journals:
        stem = f"{entry.date:%Y-%m-%d}-{_slug(entry.title)}" if entry.date else _slug(entry.title)
        folder = out / "journals" / _slug(entry.author.username)
        path = folder / f"{stem}.md"
        if path in used:
            path = folder / f"{stem}-{entry.pk}.md"
        used.add(path)
        written.append(path)
        if not dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(journal_markdown(entry), encoding="utf-8")
    return written
