"""Write parsed legacy notes to the database.

One transaction per file. Rows are found by their natural keys (season by
name, then session number within it; member display name; paper by `Paper.objects.resolve`; talk by session
and topic; question by talk and text; reflection by member and session, or by
author, title and date for journal entries), so importing the same file again
changes nothing and importing an edited file updates what it wrote before.

Each file is recorded as an `ImportedFile` with its checksum and the rows it
created. Rows a file created earlier and no longer contains (a question whose
text was edited, a talk that was renamed) are deleted on re-import; rows made
in the app are never touched.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy, pgettext, pgettext_lazy

from sessions.models import (
    Answer,
    Card,
    ImportedFile,
    Member,
    Paper,
    Presentation,
    PresentationPaper,
    PresentationPresenter,
    Question,
    Reflection,
    Season,
    StudySession,
    Tag,
)
from sessions.models.papers import normalize_title

from .board import load_board
from .parser import ParsedJournal, ParsedSession, ParseError, decode, parse

EXTENSIONS = (".md", ".markdown", ".txt")

# The kinds of rows the summary counts, in the order it prints them.
KINDS = (
    "season",
    "member",
    "session",
    "presentation",
    "paper",
    "question",
    "answer",
    "reflection",
    "journal",
)
ACTIONS = ("created", "updated", "unchanged", "deleted")
# Their labels in the summary table (the English ones are the command's words).
KIND_LABELS = {
    "season": gettext_lazy("seasons"),
    "member": gettext_lazy("members"),
    "session": gettext_lazy("sessions"),
    "presentation": gettext_lazy("presentations"),
    "paper": gettext_lazy("papers"),
    "question": gettext_lazy("questions"),
    "answer": gettext_lazy("answers"),
    "reflection": gettext_lazy("reflections"),
    "journal": gettext_lazy("journals"),
}
# A kind in a line such as "1 question created".
KIND_NAMES = {
    "season": gettext_lazy("season"),
    "member": gettext_lazy("member"),
    "session": gettext_lazy("session"),
    "presentation": gettext_lazy("presentation"),
    "paper": gettext_lazy("paper"),
    "question": gettext_lazy("question"),
    "answer": gettext_lazy("answer"),
    "reflection": gettext_lazy("reflection"),
    "journal": gettext_lazy("journal"),
}
ACTION_LABELS = {
    "created": pgettext_lazy("import summary", "created"),
    "updated": pgettext_lazy("import summary", "updated"),
    "unchanged": pgettext_lazy("import summary", "unchanged"),
    "deleted": pgettext_lazy("import summary", "deleted"),
}

# Rows a file owns (created by it) and may delete when it no longer has them.
OWNED_MODELS = {
    "presentation": Presentation,
    "question": Question,
    "answer": Answer,
    "reflection": Reflection,
    "journal": Reflection,
    "card": Card,
}


class LoadError(ParseError):
    """Parsed fine, but cannot be written (no author for a journal, a too-long field)."""


@dataclass
class FileResult:
    path: str
    kind: str = ""
    error: str = ""
    counts: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    # Display names of the members this file created (or would create).
    new_members: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def describe(self) -> str:
        """One line for progress output."""
        if self.error:
            return gettext("%(path)s: FAILED: %(error)s") % {"path": self.path, "error": self.error}
        changed = sum(n for (kind, action), n in self.counts.items() if action != "unchanged")
        what = (
            pgettext("import summary", "unchanged")
            if not changed
            else ", ".join(
                gettext("%(count)d %(kind)s %(action)s")
                % {"count": n, "kind": KIND_NAMES[kind], "action": ACTION_LABELS[action]}
                for kind in KINDS
                for action in ("created", "updated", "deleted")
                if (n := self.counts[kind, action])
            )
        )
        return f"{self.path}: {KIND_NAMES.get(self.kind, self.kind)}: {what}"


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if not f.ok]

    @property
    def totals(self) -> Counter:
        total = Counter()
        for result in self.files:
            total.update(result.counts)
        return total

    @property
    def warnings(self) -> list[str]:
        return [f"{r.path}: {w}" for r in self.files for w in r.warnings]

    @property
    def new_members(self) -> list[str]:
        """Every member the files created (or, in a dry run, would create), once."""
        return list(dict.fromkeys(name for r in self.files for name in r.new_members))

    def headline(self) -> str:
        """How many files imported (or would import) and how many failed."""
        imported = len(self.files) - len(self.failed)
        failed = len(self.failed)
        if self.dry_run:
            return gettext(
                "Dry run: nothing was written. %(imported)d file(s) would be imported, %(failed)d failed."
            ) % {"imported": imported, "failed": failed}
        return gettext("%(imported)d file(s) imported, %(failed)d failed.") % {
            "imported": imported,
            "failed": failed,
        }

    @property
    def action_labels(self) -> list[str]:
        return [str(ACTION_LABELS[action]) for action in ACTIONS]

    def table(self) -> list[tuple[str, list[int]]]:
        """The summary table's rows: a kind's label and its count per action."""
        totals = self.totals
        return [
            (str(KIND_LABELS[kind]), [totals[kind, action] for action in ACTIONS]) for kind in KINDS
        ]

    def summary_lines(self) -> list[str]:
        """The summary table, then the new members, every warning and every error."""
        lines = [
            self.headline(),
            f"{'':14}" + "".join(f"{label:>11}" for label in self.action_labels),
        ]
        lines.extend(
            f"{label:14}" + "".join(f"{n:>11}" for n in row) for label, row in self.table()
        )
        if new_members := self.new_members:
            lines.append(
                (
                    gettext("New members it would create: %(names)s")
                    if self.dry_run
                    else gettext("New members: %(names)s")
                )
                % {"names": ", ".join(new_members)}
            )
        if warnings := self.warnings:
            lines.append(gettext("%(count)d warning(s):") % {"count": len(warnings)})
            lines.extend(f"  {w}" for w in warnings)
        if failed := self.failed:
            lines.append(gettext("%(count)d error(s):") % {"count": len(failed)})
            lines.extend(f"  {r.path}: {r.error}" for r in failed)
        return lines


class _DryRunRollback(Exception):
    pass


def find_files(paths) -> tuple[list[Path], list[FileResult]]:
    """Expand files and folders (recursively) into the files to import.

    Returns (files, problems): a path that does not exist is a problem, not an
    exception, so the other paths still import.
    """
    files: list[Path] = []
    problems: list[FileResult] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(
                    Path(root) / name
                    for name in sorted(names)
                    if name.lower().endswith(EXTENSIONS) and not name.startswith(".")
                )
        elif path.is_file():
            files.append(path)
        else:
            problems.append(FileResult(path=str(raw), error=gettext("no such file or folder")))
    return list(dict.fromkeys(files)), problems


def import_paths(paths, *, progress=None, **options) -> ImportReport:
    """Import files and folders from disk. See `import_many` for the options."""
    files, problems = find_files(paths)
    for problem in problems:
        if progress:
            progress(problem)

    def items():
        for path in files:
            try:
                yield str(path), path.read_bytes()
            except OSError as exc:
                yield (
                    str(path),
                    FileResult(
                        path=str(path),
                        error=gettext("cannot read the file: %(problem)s")
                        % {"problem": exc.strerror},
                    ),
                )

    report = import_many(items(), progress=progress, **options)
    report.files[:0] = problems
    return report


def import_many(items, *, dry_run=False, progress=None, **options) -> ImportReport:
    """Import (path, bytes) pairs one file at a time; see `import_data` for the options.

    A dry run imports everything inside one transaction that is rolled back
    at the end, so its summary is the one a real run would print (a member
    created by the first file is found by the second).
    """
    report = ImportReport(dry_run=dry_run)
    cache = {}
    with transaction.atomic() if dry_run else nullcontext():
        for path, data in items:
            result = (
                data
                if isinstance(data, FileResult)
                else import_data(path, data, cache=cache, **options)
            )
            if not result.ok:
                cache.clear()  # Rows it created were rolled back.
            report.files.append(result)
            if progress:
                progress(result)
        if dry_run:
            transaction.set_rollback(True)
    return report


def import_data(
    path: str,
    data: bytes,
    *,
    author: Member | None = None,
    aliases: dict[str, str] | None = None,
    dry_run: bool = False,
    imported_by: Member | None = None,
    cache: dict | None = None,
    season: str = "",
) -> FileResult:
    """Parse and load one file, all or nothing. Never raises for bad input.

    Session notes go to the season named `season` (created when missing),
    else to the one the file names (a '**시즌**:' line, as exported), else
    to the current season (one is created, named after the session's year,
    when there is none).

    `cache` (shared by the files of one run) remembers members and papers
    already looked up; the caller clears it when a file fails.
    """
    result = FileResult(path=path)
    try:
        parsed = parse(decode(data), filename=path, aliases=aliases)
        result.kind = parsed.kind
        result.warnings.extend(str(w) for w in parsed.warnings)
        with transaction.atomic():
            _Loader(
                path,
                data,
                result,
                author=author,
                imported_by=imported_by,
                cache=cache,
                season=season,
            ).load(parsed)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except ParseError as exc:
        result.error = str(exc)
        result.counts.clear()
        result.new_members.clear()
    except DatabaseError as exc:
        first_line = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        )
        result.error = gettext("the database refused the data: %(problem)s") % {
            "problem": first_line
        }
        result.counts.clear()
        result.new_members.clear()
    return result


def _free_season_slug(name: str) -> str:
    """A free address for a season created from the notes."""
    base = slugify(name, allow_unicode=True)[:90] or "season"
    candidate, suffix = base, 1
    while Season.objects.filter(slug=candidate).exists():
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def _username_for(name: str) -> str:
    """A free username for a member created from the notes."""
    base = re.sub(r"[^\w.@+-]+", ".", name).strip(".")[:140] or "member"
    candidate, suffix = base, 1
    while Member.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


class _Loader:
    def __init__(
        self, path, data, result: FileResult, *, author, imported_by, cache=None, season=""
    ):
        self.path = path
        self.season_name = season
        self.checksum = hashlib.sha256(data).hexdigest()
        self.result = result
        self.author = author
        self.imported_by = imported_by
        self.members: dict[str, Member] = {}
        cache = {} if cache is None else cache
        self.known_members: dict[str, Member] = cache.setdefault("members", {})
        self.known_papers: dict[tuple, Paper] = cache.setdefault("papers", {})
        self.known_seasons: dict[str, Season] = cache.setdefault("seasons", {})
        self.touched: dict[str, set[int]] = {kind: set() for kind in OWNED_MODELS}
        self.created: dict[str, set[int]] = {kind: set() for kind in OWNED_MODELS}

    def count(self, kind: str, action: str, obj=None) -> None:
        self.result.counts[kind, action] += 1
        if obj is not None and kind in OWNED_MODELS:
            self.touched[kind].add(obj.pk)
            if action == "created":
                self.created[kind].add(obj.pk)

    @staticmethod
    def check_length(value: str, model, field_name: str, what: str, line: int | None) -> None:
        limit = model._meta.get_field(field_name).max_length
        if limit and len(value) > limit:
            raise LoadError(
                gettext("%(what)s is longer than %(limit)d characters")
                % {"what": what, "limit": limit},
                line,
            )

    @staticmethod
    def check_markdown_lengths(parsed) -> None:
        """Refuse a text longer than the app's forms accept (`markdown_max_length`)."""
        if isinstance(parsed, ParsedJournal):
            texts = [(parsed.body, Reflection, gettext("the journal entry"), None)]
        else:
            texts = [
                (item.body, Reflection, gettext("a reflection"), item.line)
                for item in parsed.reflections
            ]
            for talk in parsed.presentations:
                texts.append((talk.summary, Presentation, gettext("the summary"), talk.line))
                for question in talk.questions:
                    texts.append((question.body, Question, gettext("a question"), question.line))
                    texts.append(
                        (
                            question.answer or "",
                            Answer,
                            gettext("the answer to the question"),
                            question.line,
                        )
                    )
                    texts.extend(
                        (other.body, Answer, gettext("an answer"), other.line)
                        for other in question.other_answers
                    )
        for text, model, what, line in texts:
            if len(text) > model.markdown_max_length:
                raise LoadError(
                    gettext("%(what)s is longer than %(limit)d characters")
                    % {"what": what, "limit": model.markdown_max_length},
                    line,
                )

    @staticmethod
    def update(obj, values: dict) -> bool:
        """Set changed fields and save only those; True when something changed."""
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if changed:
            obj.save(update_fields=changed)
        return bool(changed)

    # -- entry --------------------------------------------------------------

    def load(self, parsed) -> None:
        self.check_markdown_lengths(parsed)
        self.record = ImportedFile.objects.select_for_update().filter(path=self.path).first()
        if isinstance(parsed, ParsedSession):
            session = self.load_session(parsed)
            if parsed.board is not None:
                load_board(self, session, parsed.board)
            journal = None
        elif isinstance(parsed, ParsedJournal):
            session = None
            journal = self.load_journal(parsed)
        else:  # pragma: no cover - parse() returns one of the two
            raise LoadError(gettext("nothing to import"))
        self.delete_stale()
        if session is not None:
            self.date_created_rows(session)
        self.save_record(session, journal)

    def date_created_rows(self, session) -> None:
        """Rows this file created happened at the session, not today: dated
        by its day, they keep their place in time (recent activity lists
        what members did lately, not a flood of old notes)."""
        moment = timezone.make_aware(datetime.datetime.combine(session.date, datetime.time(12)))
        moment = min(moment, timezone.now())
        for kind in ("presentation", "question", "answer", "reflection"):
            if self.created[kind]:
                OWNED_MODELS[kind].objects.filter(pk__in=self.created[kind]).update(
                    created_at=moment
                )

    # -- members ------------------------------------------------------------

    def member(self, name: str, emoji: str = "", line: int | None = None) -> Member:
        """The member with this display name (or username), created when missing."""
        if name in self.members:
            return self.members[name]
        self.check_length(
            name, Member, "display_name", gettext("the name %(name)r") % {"name": name[:20]}, line
        )
        member = self.known_members.get(name)
        if member is None:
            member = Member.objects.filter(display_name=name).first()
        if member is None:
            member = Member.objects.filter(username=name).first()
        emoji = emoji[: Member._meta.get_field("emoji").max_length]
        if member is None:
            member = Member(username=_username_for(name), display_name=name, emoji=emoji)
            member.set_unusable_password()
            member.save()
            self.count("member", "created")
            self.result.new_members.append(name)
        elif emoji and not member.emoji:
            self.update(member, {"emoji": emoji})
            self.count("member", "updated")
        else:
            self.count("member", "unchanged")
        self.members[name] = self.known_members[name] = member
        return member

    # -- sessions -----------------------------------------------------------

    def season(self, parsed: ParsedSession) -> Season:
        """The season the file's session goes to (see `import_data`)."""
        name = self.season_name or parsed.season
        if name in self.known_seasons:
            return self.known_seasons[name]
        if name:
            self.check_length(name, Season, "name", gettext("the season name"), None)
            season = (
                Season.objects.filter(name=name).first() or Season.objects.filter(slug=name).first()
            )
        else:
            season = Season.objects.current()
            name = season.name if season else str(parsed.date.year)
        if season is None:
            season = Season.objects.create(name=name, slug=_free_season_slug(name))
            self.count("season", "created")
        else:
            self.count("season", "unchanged")
        self.known_seasons[name] = season
        return season

    def load_session(self, parsed: ParsedSession) -> StudySession:
        self.check_length(parsed.title, StudySession, "title", gettext("the session title"), None)
        season = self.season(parsed)
        for person in parsed.members:
            self.member(person.name, person.emoji)

        session = StudySession.objects.filter(season=season, number=parsed.number).first()
        if session is None:
            session = StudySession.objects.create(
                season=season, number=parsed.number, date=parsed.date, title=parsed.title
            )
            self.count("session", "created")
            if all(
                len({(q.presenter, q.body) for q in p.questions}) == len(p.questions)
                for p in parsed.presentations
            ):
                self.create_session_contents(session, parsed)
                return session
        else:
            if session.date != parsed.date and (
                self.record is None or self.record.session_id != session.pk
            ):
                raise LoadError(
                    gettext(
                        "season '%(season)s' already has session %(number)d, dated %(stored)s, not %(date)s "
                        "as in this file: import it into another season (--season)"
                    )
                    % {
                        "season": season.name,
                        "number": parsed.number,
                        "stored": f"{session.date:%Y-%m-%d}",
                        "date": f"{parsed.date:%Y-%m-%d}",
                    },
                    getattr(parsed, "line", None),
                )
            values = {"date": parsed.date}
            if parsed.title:
                values["title"] = parsed.title
            self.count("session", "updated" if self.update(session, values) else "unchanged")

        existing = {p.topic: p for p in Presentation.objects.filter(session=session)}
        for order, item in enumerate(parsed.presentations):
            self.load_presentation(session, existing, order, item)

        for item in parsed.reflections:
            author = self.member(item.member, line=item.line)
            reflection = Reflection.objects.filter(
                kind=Reflection.Kind.SESSION, session=session, author=author
            ).first()
            if reflection is None:
                reflection = Reflection.objects.create(
                    kind=Reflection.Kind.SESSION, session=session, author=author, body=item.body
                )
                self.count("reflection", "created", reflection)
            else:
                changed = self.update(reflection, {"body": item.body})
                self.count("reflection", "updated" if changed else "unchanged", reflection)
        return session

    def create_session_contents(self, session, parsed: ParsedSession) -> None:
        """Everything in a new session, with one insert per kind of row.

        Nothing can exist yet for a session that was just created, so there is
        nothing to look up; only members and papers are shared.
        """
        talks = []
        for order, item in enumerate(parsed.presentations):
            self.check_length(item.topic, Presentation, "topic", gettext("the topic"), item.line)
            talk = Presentation(
                session=session,
                topic=item.topic,
                order=order,
                summary=item.summary,
                slides_url=item.slides_url,
            )
            talk.render_markdown_fields()
            talks.append(talk)
        Presentation.objects.bulk_create(talks)
        presenter_links, paper_links, questions, question_items = [], [], [], []
        for talk, item in zip(talks, parsed.presentations):
            self.count("presentation", "created", talk)
            presenters = dict.fromkeys(
                self.member(name, line=item.line) for name in item.presenters
            )
            presenter_links.extend(
                PresentationPresenter(presentation=talk, member=member, order=index)
                for index, member in enumerate(presenters)
            )
            papers = dict.fromkeys(self.paper(paper) for paper in item.papers)
            paper_links.extend(
                PresentationPaper(presentation=talk, paper=paper, order=index)
                for index, paper in enumerate(papers)
            )
            for position, q_item in enumerate(item.questions):
                presenter = self.member(q_item.presenter, line=q_item.line)
                question = Question(
                    presentation=talk, body=q_item.body, addressed_to=presenter, position=position
                )
                question.render_markdown_fields()
                questions.append(question)
                question_items.append(q_item)
        PresentationPresenter.objects.bulk_create(presenter_links)
        PresentationPaper.objects.bulk_create(paper_links)
        Question.objects.bulk_create(questions)
        answers = []
        for question, q_item in zip(questions, question_items):
            self.count("question", "created", question)
            answers.extend(self.new_answers(question, q_item))
        Answer.objects.bulk_create(answers)
        for answer in answers:
            self.count("answer", "created", answer)
        reflections = []
        for item in parsed.reflections:
            reflection = Reflection(
                kind=Reflection.Kind.SESSION,
                session=session,
                author=self.member(item.member, line=item.line),
                body=item.body,
            )
            reflection.render_markdown_fields()
            reflections.append(reflection)
        Reflection.objects.bulk_create(reflections)
        for reflection in reflections:
            self.count("reflection", "created", reflection)

    def load_presentation(self, session, existing, order, item) -> None:
        self.check_length(item.topic, Presentation, "topic", gettext("the topic"), item.line)
        presenters = [self.member(name, line=item.line) for name in item.presenters]
        values = {"order": order}
        if item.summary:
            values["summary"] = item.summary
        if item.slides_url:
            values["slides_url"] = item.slides_url
        pres = existing.get(item.topic)
        if pres is None:
            pres = Presentation.objects.create(session=session, topic=item.topic, **values)
            pres.set_presenters(presenters)
            action = "created"
        else:
            changed = self.update(pres, values)
            current = list(
                pres.presenter_links.order_by("order").values_list("member_id", flat=True)
            )
            if current != [m.pk for m in dict.fromkeys(presenters)]:
                pres.set_presenters(presenters)
                changed = True
            action = "updated" if changed else "unchanged"

        papers = []
        for paper_item in item.papers:
            paper = self.paper(paper_item)
            if paper not in papers:
                papers.append(paper)
        current_papers = (
            list(pres.paper_links.order_by("order", "pk").values_list("paper_id", flat=True))
            if action != "created"
            else []
        )
        if current_papers != [p.pk for p in papers]:
            pres.set_papers(papers)
            if action == "unchanged":
                action = "updated"
        self.count("presentation", action, pres)

        # A question is its addressee and its text: the same text asked of
        # two presenters is two questions.
        keys = [(self.member(q.presenter, line=q.line).pk, q.body) for q in item.questions]
        if action == "created" and len(set(keys)) == len(keys):
            self.create_questions(pres, item.questions)
            return
        self.free_question_positions(pres, keys)
        questions = {
            (q.addressed_to_id, q.body): q
            for q in Question.objects.filter(presentation=pres).prefetch_related("answers")
        }
        for position, q_item in enumerate(item.questions):
            self.load_question(pres, questions, position, q_item)

    @staticmethod
    def free_question_positions(pres, keys) -> None:
        """Move the talk's questions that sit where the file puts another
        question (`keys`: addressee and text; positions are unique per talk)
        after its last position, in their order. A file imported again
        unchanged moves nothing."""
        questions = list(Question.objects.filter(presentation=pres).order_by("position", "pk"))
        in_the_way = [
            q
            for q in questions
            if q.position < len(keys) and (q.addressed_to_id, q.body) != keys[q.position]
        ]
        start = max([len(keys)] + [q.position + 1 for q in questions])
        for offset, question in enumerate(in_the_way):
            Question.objects.filter(pk=question.pk).update(position=start + offset)

    def new_answers(self, question, item) -> list[Answer]:
        """The answers of a question just created, unsaved, with their HTML:
        the presenter's and those of other members (for a bulk insert)."""
        answers = []
        if item.answer is not None:
            answers.append(
                Answer(question=question, author=question.addressed_to, body=item.answer)
            )
        for other in item.other_answers:
            author = self.member(other.author, line=other.line)
            answers.append(Answer(question=question, author=author, body=other.body))
        for answer in answers:
            answer.render_markdown_fields()
        return answers

    def create_questions(self, pres, items) -> None:
        """All questions and answers of a new talk, in two inserts."""
        questions, answers = [], []
        for position, item in enumerate(items):
            presenter = self.member(item.presenter, line=item.line)
            question = Question(
                presentation=pres, body=item.body, addressed_to=presenter, position=position
            )
            question.render_markdown_fields()
            questions.append(question)
        Question.objects.bulk_create(questions)
        for question, item in zip(questions, items):
            self.count("question", "created", question)
            answers.extend(self.new_answers(question, item))
        Answer.objects.bulk_create(answers)
        for answer in answers:
            self.count("answer", "created", answer)

    def paper(self, item) -> Paper:
        self.check_length(item.title, Paper, "title", gettext("the paper title"), item.line)
        key = ("url", item.url) if item.url else ("title", normalize_title(item.title))
        if key in self.known_papers:
            self.count("paper", "unchanged")
            return self.known_papers[key]
        try:
            paper, created = Paper.objects.resolve(item.url, title=item.title)
        except ValueError as exc:
            raise LoadError(
                gettext("unusable paper link %(url)r: %(problem)s")
                % {"url": item.url, "problem": exc},
                item.line,
            ) from None
        self.count("paper", "created" if created else "unchanged")
        self.known_papers[key] = paper
        return paper

    def load_question(self, pres, questions, position, item) -> None:
        presenter = self.member(item.presenter, line=item.line)
        question = questions.get((presenter.pk, item.body))
        if question is None:
            question = Question.objects.create(
                presentation=pres, body=item.body, addressed_to=presenter, position=position
            )
            questions[presenter.pk, item.body] = question
            self.count("question", "created", question)
            answers = []
        else:
            changed = self.update(question, {"position": position})
            self.count("question", "updated" if changed else "unchanged", question)
            answers = list(question.answers.all())
        if item.answer is not None:
            answer = next((a for a in answers if a.author_id == presenter.pk), None)
            if answer is None:
                answer = next((a for a in answers if a.pk in self.owned("answer")), None)
            if answer is None:
                answer = Answer.objects.create(
                    question=question, author=presenter, body=item.answer
                )
                self.count("answer", "created", answer)
            else:
                changed = self.update(answer, {"body": item.answer, "author": presenter})
                self.count("answer", "updated" if changed else "unchanged", answer)
        for other in item.other_answers:
            # Other members' answers (as the exporter writes them): one per author.
            author = self.member(other.author, line=other.line)
            answer = next((a for a in answers if a.author_id == author.pk), None)
            if answer is None:
                answer = Answer.objects.create(question=question, author=author, body=other.body)
                answers.append(answer)
                self.count("answer", "created", answer)
            else:
                changed = self.update(answer, {"body": other.body})
                self.count("answer", "updated" if changed else "unchanged", answer)

    # -- journals -----------------------------------------------------------

    def load_journal(self, parsed: ParsedJournal) -> Reflection:
        author = self.author
        if author is None and parsed.author:
            author = self.member(parsed.author)
        if author is None:
            raise LoadError(
                gettext(
                    "a journal needs an owner: give --author USERNAME (or 'author:' in the front matter)"
                )
            )
        self.check_length(parsed.title, Reflection, "title", gettext("the title"), None)
        if parsed.date is None:
            self.result.warnings.append(
                gettext("no date in the front matter; the entry is undated")
            )
        journal = Reflection.objects.filter(
            kind=Reflection.Kind.JOURNAL, author=author, title=parsed.title, date=parsed.date
        ).first()
        if journal is None and self.record is not None and self.record.journal_id:
            # The same file, with its title or date edited since.
            journal = Reflection.objects.filter(pk=self.record.journal_id, author=author).first()
        tags = []
        for name in parsed.tags:
            self.check_length(
                name, Tag, "name", gettext("the tag %(name)r") % {"name": name[:20]}, None
            )
            tags.append(Tag.objects.get_or_create(name=name)[0])
        if journal is None:
            journal = Reflection.objects.create(
                kind=Reflection.Kind.JOURNAL,
                author=author,
                title=parsed.title,
                date=parsed.date,
                body=parsed.body,
                visibility=parsed.visibility or author.default_journal_visibility,
            )
            journal.tags.set(tags)
            self.count("journal", "created", journal)
            return journal
        values = {"title": parsed.title, "date": parsed.date, "body": parsed.body}
        if parsed.visibility:
            values["visibility"] = parsed.visibility
        changed = self.update(journal, values)
        if set(journal.tags.values_list("pk", flat=True)) != {t.pk for t in tags}:
            journal.tags.set(tags)
            changed = True
        self.count("journal", "updated" if changed else "unchanged", journal)
        return journal

    # -- record -------------------------------------------------------------

    def owned(self, kind: str) -> set[int]:
        if self.record is None:
            return set()
        return set((self.record.created or {}).get("rows", {}).get(kind, []))

    def delete_stale(self) -> None:
        """Delete rows this file created before and no longer contains."""
        for kind, model in OWNED_MODELS.items():
            stale = self.owned(kind) - self.touched[kind]
            if not stale:
                continue
            rows = model.objects.filter(pk__in=stale)
            if kind == "journal":
                rows = rows.filter(kind=Reflection.Kind.JOURNAL)
            elif kind == "reflection":
                rows = rows.filter(kind=Reflection.Kind.SESSION)
            for row in rows:
                row.delete()
                self.count(kind, "deleted")

    def save_record(self, session, journal) -> None:
        rows = {
            kind: sorted((self.owned(kind) & self.touched[kind]) | self.created[kind])
            for kind in OWNED_MODELS
        }
        counts = {
            f"{kind}.{action}": n for (kind, action), n in sorted(self.result.counts.items()) if n
        }
        created = {"counts": counts, "rows": {k: v for k, v in rows.items() if v}}
        record = self.record
        if record is None:
            ImportedFile.objects.create(
                path=self.path,
                checksum=self.checksum,
                imported_by=self.imported_by,
                session=session,
                journal=journal,
                created=created,
            )
            return
        changed = any(
            action != "unchanged"
            for (kind, action) in self.result.counts
            if self.result.counts[kind, action]
        )
        if (
            not changed
            and record.checksum == self.checksum
            and record.session == session
            and record.journal == journal
        ):
            return  # Nothing changed: leave the record (and its time) as it was.
        record.checksum = self.checksum
        record.session = session
        record.journal = journal
        record.created = created
        record.imported_by = self.imported_by or record.imported_by
        record.save()
