"""Parse the group's legacy markdown notes into plain dataclasses.

Pure functions only: text in, frozen dataclasses out, no database. Two families
of files are understood (see DESIGN.md, "Legacy markdown"):

* session notes, in the "by topic" layout (``# 주제`` / ``# 회고`` sections) or
  the "by team" layout (``### Team N`` / ``### 질의응답`` / ``### 소감`` blocks);
* personal journals with YAML (Jekyll) or JSON (Obsidian) front matter.

Every line number is 1-based and refers to the file as given, so messages can
point at the line to fix. :class:`ParseError` is raised for input that cannot
be imported; anything merely odd becomes a :class:`ParseWarning`.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

import yaml
from django.utils.translation import gettext

__all__ = [
    "ParseError",
    "ParseWarning",
    "ParsedMember",
    "ParsedPaper",
    "ParsedQuestion",
    "ParsedPresentation",
    "ParsedReflection",
    "ParsedSession",
    "ParsedJournal",
    "decode",
    "parse",
    "parse_date",
    "split_person",
]


# --------------------------------------------------------------------------
# Results


class ParseError(ValueError):
    """The file cannot be imported; ``line`` points at the culprit if known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line:
            return gettext("line %(line)d: %(message)s") % {
                "line": self.line,
                "message": self.message,
            }
        return self.message


@dataclass(frozen=True)
class ParseWarning:
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line:
            return gettext("line %(line)d: %(message)s") % {
                "line": self.line,
                "message": self.message,
            }
        return self.message


@dataclass(frozen=True)
class ParsedMember:
    """A person named in the notes, with the emoji written after their name."""

    name: str
    emoji: str = ""


@dataclass(frozen=True)
class ParsedPaper:
    title: str
    url: str
    line: int = 0


@dataclass(frozen=True)
class ParsedAnswer:
    """An answer written by someone other than the presenter who was asked
    (``- A1 (name): …``, as the exporter writes the app's answers)."""

    author: str
    body: str
    line: int = 0


@dataclass(frozen=True)
class ParsedQuestion:
    """A question a presenter received; ``answer`` (the presenter's) is None
    when unanswered; ``other_answers`` are the answers of other members."""

    presenter: str
    body: str
    answer: str | None
    line: int = 0
    other_answers: tuple[ParsedAnswer, ...] = ()


@dataclass(frozen=True)
class ParsedPresentation:
    topic: str
    presenters: tuple[str, ...]
    papers: tuple[ParsedPaper, ...] = ()
    questions: tuple[ParsedQuestion, ...] = ()
    summary: str = ""
    slides_url: str = ""
    line: int = 0


@dataclass(frozen=True)
class ParsedReflection:
    member: str
    body: str
    line: int = 0


@dataclass(frozen=True)
class ParsedSession:
    number: int
    date: datetime.date
    title: str
    presentations: tuple[ParsedPresentation, ...]
    reflections: tuple[ParsedReflection, ...]
    members: tuple[ParsedMember, ...]
    warnings: tuple[ParseWarning, ...] = ()
    layout: str = "topic"
    # The season named by a '**시즌**:' line (as the exporter writes), or "".
    season: str = ""
    # The retrospective board of a '# 회고 보드' section (sessions/legacy/board.py).
    board: object = None

    kind = "session"


@dataclass(frozen=True)
class ParsedJournal:
    title: str
    date: datetime.date | None
    tags: tuple[str, ...]
    body: str
    author: str = ""
    front_matter: str = "yaml"
    warnings: tuple[ParseWarning, ...] = ()
    # "private" or "members" from the front matter; empty when it says nothing.
    visibility: str = ""

    kind = "journal"


# --------------------------------------------------------------------------
# Text helpers


def _looks_like_utf16(head: bytes) -> bool:
    """A UTF-16 byte order mark, or text whose every other byte is NUL."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return len(head) >= 4 and (
        head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
    )


def decode(data: bytes) -> str:
    """Bytes of a file to text: UTF-8 (with or without BOM) only."""
    if not data.strip():
        raise ParseError(gettext("the file is empty"))
    if _looks_like_utf16(data[:4096]):
        raise ParseError(gettext("saved as UTF-16: save the file as UTF-8 and import it again"))
    if b"\x00" in data[:4096]:
        raise ParseError(gettext("not a text file (binary content)"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(gettext("not UTF-8 text (invalid byte sequence)"), line) from None
    return text


def _normalise(text: str) -> str:
    text = text.lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*(?:[.\-/]|년)\s*(?P<m>\d{1,2})\s*(?:[.\-/]|월)\s*(?P<d>\d{1,2})\s*(?:\.|일)?"
)


def parse_date(value: str, line: int | None = None) -> datetime.date | None:
    """``2025.07.04``, ``2025-07-04``, ``2025. 7. 4.``, ``2025년 7월 4일`` to a date.

    Returns None when no date is written; raises ParseError for an impossible
    one such as ``2025.02.30``.
    """
    match = _DATE_RE.search(value)
    if not match:
        return None
    y, m, d = (int(match["y"]), int(match["m"]), int(match["d"]))
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise ParseError(
            gettext("impossible date %(date)r") % {"date": match.group(0).strip()}, line
        ) from None


def _is_name_char(ch: str) -> bool:
    return ch.isalnum() or ch in "._'-"


def split_person(raw: str) -> tuple[str, str]:
    """``'조은비🐱'`` -> ``('조은비', '🐱')``; emoji may come before or after."""
    text = raw.replace("*", "").strip()
    chars = list(text)
    start = 0
    while start < len(chars) and not _is_name_char(chars[start]):
        start += 1
    end = len(chars)
    while end > start and not _is_name_char(chars[end - 1]):
        end -= 1
    name = " ".join("".join(chars[start:end]).split())
    emoji = "".join(ch for ch in chars[:start] + chars[end:] if not ch.isspace())
    # Stray punctuation is not an emoji.
    if emoji and all(unicodedata.category(ch).startswith("P") for ch in emoji):
        emoji = ""
    return name, emoji


def _strip_emoji(text: str) -> str:
    """Emoji and spaces off both ends of a heading; the words stay as written."""
    chars = list(text.strip())

    def decoration(ch: str) -> bool:
        return (
            ch.isspace()
            or unicodedata.category(ch) in {"So", "Sk", "Cf", "Co", "Cs"}
            or ch in "\ufe0f\u20e3"
        )

    while chars and decoration(chars[0]):
        chars.pop(0)
    while chars and decoration(chars[-1]):
        chars.pop()
    return " ".join("".join(chars).split())


def _clean_heading(text: str) -> str:
    """Heading text without emoji, punctuation or extra spaces, lower-cased."""
    text = re.sub(r"[^\w\s&]", " ", text)
    return " ".join(text.split()).lower()


_SEPARATOR_RE = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]*(.*?)[ \t#]*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")


def _without_trailing_separators(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """`lines` without the blank and separator lines at their end: the
    ``---`` that closes a section belongs to the file, not to its text."""
    end = len(lines)
    while end and (not lines[end - 1][1].strip() or _SEPARATOR_RE.match(lines[end - 1][1])):
        end -= 1
    return lines[:end]


def _block_text(lines: list[tuple[int, str]], inline_first: bool = False) -> str:
    """Join a block of (line number, text) into clean markdown.

    Trailing spaces go, the common indentation goes, blank runs collapse to one
    blank line, and lines still indented by four or more spaces (which
    markdown would turn into a code block by accident) lose that indentation
    unless they are list items or inside a fenced block. With
    ``inline_first`` the first line is the rest of a marker line (``- A1: …``)
    and the indentation of the lines after it is measured on its own.
    """
    texts = [text.rstrip() for _, text in lines]
    if inline_first and texts:
        first = texts[0].strip()
        rest = _block_text(lines[1:]) if len(lines) > 1 else ""
        if not rest:
            return first
        # Keep a blank line between them when the original had one.
        gap = "\n\n" if len(texts) > 1 and not texts[1].strip() else "\n"
        return (first + gap + rest).strip("\n") if first else rest
    while texts and not texts[0]:
        texts.pop(0)
    while texts and not texts[-1]:
        texts.pop()
    if not texts:
        return ""
    indents = [len(t) - len(t.lstrip()) for t in texts if t]
    common = min(indents)
    out: list[str] = []
    in_fence = False
    for text in texts:
        text = text[common:] if len(text) >= common else text.lstrip()
        if _FENCE_RE.match(text):
            in_fence = not in_fence
            out.append(text.strip())
            continue
        if in_fence:
            out.append(text)
            continue
        if not text:
            if out and out[-1] == "":
                continue
            out.append("")
            continue
        stripped = text.lstrip()
        if len(text) - len(stripped) >= 4 and not re.match(r"([-*+]|\d+[.)])\s", stripped):
            text = stripped
        out.append(text)
    return "\n".join(out).strip("\n")


# --------------------------------------------------------------------------
# Entry point


def parse(text: str, filename: str = "", aliases: dict[str, str] | None = None):
    """Parse one legacy file: a :class:`ParsedSession` or a :class:`ParsedJournal`.

    ``aliases`` maps names as written in the notes to member names
    (``{"조수빈": "최수빈"}``); it is applied before questions are matched to
    presentations.
    """
    text = _normalise(text)
    if not text.strip():
        raise ParseError(gettext("the file is empty"))
    lines = text.split("\n")
    front, body_start = _front_matter(lines)
    if front is not None:
        body = lines[body_start:]
        if _looks_like_session(body, strict=True):
            return _SessionParser(body, body_start, aliases or {}).parse()
        return _parse_journal(front, lines, body_start, filename)
    if _looks_like_session(lines, strict=False):
        return _SessionParser(lines, 0, aliases or {}).parse()
    raise ParseError(
        gettext(
            "unrecognised layout: neither a session note (a heading such as '# 6주차' and a "
            "'**발표일**:' line) nor a journal with front matter"
        )
    )


# --------------------------------------------------------------------------
# Journals

_WIKILINK_RE = re.compile(r"(!?)\[\[([^\[\]|\\]+?)(?:\\?\|([^\[\]]+?))?\]\]")


def _front_matter(lines: list[str]):
    """Return (front matter text, index of first body line) or (None, 0)."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].strip() != "---":
        return None, 0
    for index in range(first + 1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return ("\n".join(lines[first + 1 : index]), first + 1), index + 1
    return None, 0


def _plain_wikilinks(text: str) -> str:
    def replace(match: re.Match) -> str:
        if match.group(1):  # an embed (![[image.png]]) stays as written
            return match.group(0)
        if match.group(3):
            return match.group(3).strip()
        target = match.group(2).split("#")[0].strip() or match.group(2).strip()
        return target.rsplit("/", 1)[-1]

    return _WIKILINK_RE.sub(replace, text)


def _journal_date(value, line: int) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    date = parse_date(text, line)
    if date is None:
        raise ParseError(
            gettext("unreadable date %(date)r in the front matter") % {"date": text}, line
        )
    return date


def _parse_journal(front, lines: list[str], body_start: int, filename: str) -> ParsedJournal:
    raw, first_line = front
    warnings: list[ParseWarning] = []
    style = "json" if raw.strip().startswith("{") else "yaml"
    if style == "json":
        try:
            meta = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ParseError(
                gettext("front matter is not valid JSON: %(problem)s") % {"problem": exc.msg},
                first_line + exc.lineno,
            ) from None
    else:
        try:
            meta = yaml.safe_load(raw) if raw.strip() else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = first_line + 1 + mark.line if mark is not None else first_line
            problem = getattr(exc, "problem", None) or "syntax error"
            raise ParseError(
                gettext("front matter is not valid YAML: %(problem)s") % {"problem": problem}, line
            ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ParseError(gettext("front matter is not a mapping of keys to values"), first_line)
    meta = {str(k).lower(): v for k, v in meta.items()}

    body = "\n".join(line.rstrip() for line in lines[body_start:]).strip("\n")
    body = _plain_wikilinks(body)

    title = str(meta.get("title") or "").strip()
    if not title and meta.get("permalink"):
        title = str(meta["permalink"]).strip("/").rsplit("/", 1)[-1].strip()
    if not title:
        in_fence = False
        for line in lines[body_start:]:
            if _FENCE_RE.match(line):
                in_fence = not in_fence
            heading = None if in_fence else _HEADING_RE.match(line)
            if heading and heading.group(2).strip():
                title = heading.group(2).strip()
                break
    if not title:
        title = PurePath(filename).stem if filename else ""
    if not title:
        raise ParseError(
            gettext("the journal has no title (front matter, heading or file name)"), first_line
        )

    date_key = next((k for k in ("date", "created") if meta.get(k) not in (None, "")), None)
    date = _journal_date(meta.get(date_key), first_line) if date_key else None

    raw_tags = meta.get("tags") or meta.get("tag") or []
    if isinstance(raw_tags, str):
        raw_tags = re.split(r"[,\s]+", raw_tags) if "," not in raw_tags else raw_tags.split(",")
    tags = tuple(dict.fromkeys(str(t).strip().lstrip("#") for t in raw_tags if str(t).strip()))

    author = meta.get("author") or ""
    if not isinstance(author, str):
        author = ""
    visibility = str(meta.get("visibility") or "").strip().lower()
    if visibility not in ("", "private", "members"):
        raise ParseError(
            gettext("unknown visibility %(visibility)r in the front matter (private or members)")
            % {"visibility": visibility},
            first_line,
        )
    if not body.strip():
        warnings.append(ParseWarning(gettext("the journal body is empty"), body_start + 1))
    return ParsedJournal(
        title=title,
        date=date,
        tags=tags,
        body=body,
        author=author.strip(),
        front_matter=style,
        warnings=tuple(warnings),
        visibility=visibility,
    )


# --------------------------------------------------------------------------
# Sessions

_SESSION_HEADING_RE = re.compile(
    r"(?:^|[^\d])(\d{1,4})\s*주\s*차(.*)$|^\s*week\s*(\d{1,4})\b(.*)$", re.I
)
_DATE_LINE_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?\**\s*(?:발표\s*일(?:자|시)?|날\s*짜|일\s*시|date)\s*\**\s*[:：]\s*\**\s*(.*?)\s*\**\s*$",
    re.I,
)
_SEASON_LINE_RE = re.compile(
    r"^\s*(?:[-*+]\s+)?\**\s*(?:시즌|season)\s*\**\s*[:：]\s*\**\s*(.*?)\s*\**\s*$", re.I
)
_KEY_RE = re.compile(r"^\s*(?:[-*+]\s*)?\**\s*([^:：*\[\]()<>`]{1,30}?)\s*\**\s*[:：]\s*\**(.*)$")
_LINK_RE = re.compile(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_URL_RE = re.compile(r"<?(https?://[^\s<>()]+)>?")
_Q_RE = re.compile(r"^\s*(?:[-*+]\s*)?\**(?:Q|질문)\s*(\d*)\**\s*[:.)：]\s*(.*)$", re.I)
_A_RE = re.compile(r"^\s*(?:[-*+]\s*)?\**(?:A|답변?)\s*(\d*)\**\s*[:.)：]\s*(.*)$", re.I)
# ``- A1 (김민지🐱): …``: an answer by someone other than the presenter.
_NAMED_A_RE = re.compile(r"^\s*(?:[-*+]\s*)?A(\d+)\s*\(([^()]+)\)\s*[:：]\s*(.*)$", re.I)
_RECEIVED_Q_RE = re.compile(r"^\s*(?:[-*+]\s*)?(?:[^\w\s]+\s*)?받은\s*질문\s*\d*\s*[:：]\s*(.*)$")
_ARROW_A_RE = re.compile(r"^\s*(?:->|→|=>|⇒|↳)\s*(?:답변|답|A)\s*[:：]\s*(.*)$")
_PLAIN_A_RE = re.compile(r"^\s*(?:[-*+]\s*)?답변\s*[:：]\s*(.*)$")
_NONE_WORDS = {"없음", "없습니다", "none", "n a", "na", "x"}

PRESENTER_KEYS = {
    "발표자",
    "발표자들",
    "발표",
    "members",
    "member",
    "멤버",
    "팀원",
    "presenters",
    "presenter",
}
PAPER_KEYS = {
    "참고 논문",
    "참고논문",
    "논문",
    "참고 자료",
    "papers",
    "paper",
    "references",
    "reference",
}
TOPIC_KEYS = {"주제", "topic", "발표 주제"}
SLIDES_KEYS = {"발표 자료", "발표자료", "슬라이드", "slides", "slide"}


def _section_kind(heading: str) -> str | None:
    clean = _clean_heading(heading)
    if clean in {"주제", "발표 주제", "주제 및 발표자", "topics", "topic", "발표"}:
        return "topics"
    if clean in {"회고", "질문과 소감", "질문 및 소감", "retrospective", "review"}:
        return "retro"
    if clean in {"질의응답", "질의 응답", "q&a", "q & a", "qna", "질문", "질문과 답변"}:
        return "qna"
    if clean in {"소감", "후기", "느낀 점", "느낀점", "reflections", "reflection"}:
        return "reflections"
    if re.fullmatch(r"(team|팀)\s*\d+.*|\d+\s*팀.*", clean):
        return "team"
    return None


def _sub_kind(heading: str) -> str | None:
    clean = _clean_heading(heading)
    if "질문" in clean or clean.startswith(("q&a", "qna", "questions")):
        return "questions"
    if clean in {"소감", "후기", "느낀 점", "느낀점", "reflection"}:
        return "reflection"
    if clean in {"요약", "summary", "발표 요약"}:
        return "summary"
    return None


def _is_none(text: str) -> bool:
    return _clean_heading(text) in _NONE_WORDS


def _looks_like_session(lines: list[str], strict: bool) -> bool:
    has_date = has_heading = has_structure = False
    in_fence = False
    for line in lines:
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if _DATE_LINE_RE.match(line) and re.search(r"발표\s*일", line):
            has_date = True
        heading = _HEADING_RE.match(line)
        if heading:
            if _SESSION_HEADING_RE.search(_clean_heading(heading.group(2))):
                has_heading = True
            if _section_kind(heading.group(2)) in {"topics", "retro", "qna", "team"}:
                has_structure = True
    if strict:
        return has_date
    return has_date or (has_heading and has_structure)


class _Pres:
    """Mutable presentation while parsing; frozen at the end."""

    def __init__(self, topic: str, line: int):
        self.topic = topic
        self.topic_from_heading = True
        self.presenters: list[str] = []
        self.papers: list[ParsedPaper] = []
        self.questions: list[ParsedQuestion] = []
        self.summary_lines: list[tuple[int, str]] = []
        self.slides_url = ""
        self.line = line


@dataclass
class _QBlock:
    """Questions read from one Q&A block before they are given a presentation."""

    line: int
    questions: list[list] = field(default_factory=list)
    # each: [presenter, line, question lines, answer lines or None, topic hint,
    #        other answers as [author, line, lines]]


class _SessionParser:
    def __init__(self, lines: list[str], offset: int, aliases: dict[str, str]):
        self.lines = lines
        self.offset = offset
        self.aliases = {k.strip(): v.strip() for k, v in aliases.items()}
        self.number: int | None = None
        self.title = ""
        self.date: datetime.date | None = None
        self.season = ""
        self.presentations: list[_Pres] = []
        self.qblocks: list[_QBlock] = []
        self.reflections: dict[str, list] = {}
        self.reflection_order: list[str] = []
        self.members: dict[str, str] = {}
        self.warnings: list[ParseWarning] = []
        self.layouts: set[str] = set()
        self.board = None

    # -- helpers ------------------------------------------------------------

    def warn(self, message: str, line: int | None) -> None:
        self.warnings.append(ParseWarning(message, line))

    def person(self, raw: str) -> str:
        name, emoji = split_person(raw)
        name = self.aliases.get(name, name)
        if name:
            if name not in self.members or (emoji and not self.members[name]):
                self.members[name] = emoji
        return name

    def sections(self):
        """Split into (level, heading text, heading line no, body [(no, text)])."""
        current = (0, "", 0, [])
        out = [current]
        in_fence = False
        for index, text in enumerate(self.lines):
            number = self.offset + index + 1
            if _FENCE_RE.match(text):
                in_fence = not in_fence
            heading = None if in_fence else _HEADING_RE.match(text)
            if heading:
                current = (len(heading.group(1)), heading.group(2).strip(), number, [])
                out.append(current)
            else:
                current[3].append((number, text))
        return out

    # -- main ---------------------------------------------------------------

    def parse(self) -> ParsedSession:
        state = None  # ("topics"|"retro", level)
        pres: _Pres | None = None
        pres_level = 0
        member: tuple[str, int, int] | None = None  # (name, level, line)
        for level, heading, line, body in self.sections():
            if level == 0:
                self.scan_preamble(body)
                continue
            if level == 1 and self.number is not None:
                from .board import is_board_heading, parse_board

                if is_board_heading(heading):
                    self.board = parse_board(line, body)
                    state, pres, member = None, None, None
                    continue
            kind = _section_kind(heading)
            session_match = _SESSION_HEADING_RE.search(heading) if self.number is None else None
            if session_match and not (state and level > state[1]):
                self.set_number(session_match, line)
                state, pres, member = None, None, None
                self.scan_preamble(body)
                continue
            # Inside a "주제" section: deeper headings are topics.
            if state and state[0] == "topics" and level > state[1]:
                if pres is not None and level > pres_level and _sub_kind(heading) == "summary":
                    pres.summary_lines.extend(body)
                    continue
                if pres is not None and level > pres_level:
                    pres.summary_lines.append(
                        (line, "#" * (level - pres_level + 1) + " " + heading)
                    )
                    pres.summary_lines.extend(body)
                    continue
                pres = _Pres(_strip_emoji(heading), line)
                pres_level = level
                self.presentations.append(pres)
                self.read_presentation(pres, body)
                self.layouts.add("topic")
                continue
            # Inside a "회고" section: deeper headings are members, then parts.
            if state and state[0] == "retro" and level > state[1]:
                if member is None or level <= member[1]:
                    name = self.person(heading)
                    member = (name, level, line)
                    self.ignore(body, gettext("text under a member heading"))
                    continue
                part = _sub_kind(heading)
                if part == "questions":
                    # "### 받은 질문: <topic>" (or "(<topic>)") names the talk.
                    hint = ""
                    if re.search(r"[:：]", heading):
                        hint = re.split(r"[:：]", heading, maxsplit=1)[1].strip()
                    elif heading.rstrip().endswith(")") and "(" in heading:
                        hint = heading[
                            heading.index("(") + 1 : heading.rstrip().rindex(")")
                        ].strip()
                    self.read_member_questions(member[0], line, body, hint)
                elif part == "reflection":
                    self.add_reflection(member[0], line, body, strip_colon=True)
                else:
                    self.ignore(body, gettext("section '%(heading)s'") % {"heading": heading})
                    self.ignore([(line, heading)], gettext("heading"))
                continue
            state, pres, member = None, None, None
            if kind in {"topics", "retro"}:
                state = (kind, level)
                self.ignore(body, gettext("text under '%(heading)s'") % {"heading": heading})
            elif kind == "team":
                team = _Pres(_strip_emoji(heading), line)
                self.presentations.append(team)
                self.read_presentation(team, body)
                self.layouts.add("team")
            elif kind == "qna":
                self.read_qna_block(line, body)
                self.layouts.add("team")
            elif kind == "reflections":
                self.read_reflection_list(line, body)
            else:
                self.ignore(body, gettext("section '%(heading)s'") % {"heading": heading})
        return self.finish()

    def set_number(self, match: re.Match, line: int) -> None:
        number = match.group(1) or match.group(3)
        rest = match.group(2) if match.group(1) else match.group(4)
        self.number = int(number)
        if self.number <= 0:
            raise ParseError(
                gettext("impossible session number %(number)d") % {"number": self.number}, line
            )
        rest = (rest or "").strip()
        rest = re.sub(r"^[\s:：\-–—|·]+", "", rest)
        rest = re.sub(r"[\s\-–—|·]+$", "", rest)
        # "# 14주차 (보강)": the brackets only set the title apart.
        bracketed = re.fullmatch(r"[(\[（［]\s*(.*?)\s*[)\]）］]", rest.strip())
        self.title = (bracketed[1] if bracketed else rest).strip()
        self.number_line = line

    def scan_preamble(self, body) -> None:
        for number, text in body:
            season = _SEASON_LINE_RE.match(text)
            if season and season.group(1) and not self.season:
                self.season = season.group(1)
                continue
            match = _DATE_LINE_RE.match(text)
            if match and self.date is None:
                value = match.group(1)
                date = parse_date(value, number)
                if date is None:
                    raise ParseError(
                        gettext("unreadable date %(date)r") % {"date": value.strip()}, number
                    )
                self.date = date
                continue
            if text.strip() and not _SEPARATOR_RE.match(text):
                self.warn(gettext("ignored text: %(text)r") % {"text": text.strip()[:60]}, number)

    def ignore(self, body, what: str) -> None:
        for number, text in body:
            if text.strip() and not _SEPARATOR_RE.match(text):
                if _DATE_LINE_RE.match(text) and self.date is None:
                    self.scan_preamble([(number, text)])
                    return
                self.warn(
                    gettext("ignored %(what)s: %(text)r")
                    % {"what": what, "text": text.strip()[:60]},
                    number,
                )
                return

    # -- presentations ------------------------------------------------------

    def read_presentation(self, pres: _Pres, body) -> None:
        collecting_papers = False
        explicit_topic = ""
        for number, text in body:
            if _SEPARATOR_RE.match(text):
                collecting_papers = False
                continue
            stripped = text.strip()
            if not stripped:
                continue
            links = _LINK_RE.findall(stripped)
            key_match = _KEY_RE.match(stripped)
            key = _clean_heading(key_match.group(1)) if key_match else ""
            if (
                key_match
                and not stripped.startswith(("[", "<", "http"))
                and key in (PRESENTER_KEYS | PAPER_KEYS | TOPIC_KEYS | SLIDES_KEYS)
            ):
                value = key_match.group(2).strip().strip("*").strip()
                collecting_papers = key in PAPER_KEYS
                if key in PRESENTER_KEYS:
                    for raw in re.split(r"\s*(?:,|、|/|&|·| 및 | and )\s*", value):
                        name = self.person(raw)
                        if name and name not in pres.presenters:
                            pres.presenters.append(name)
                elif key in PAPER_KEYS:
                    self.add_papers(pres, value, number)
                elif key in TOPIC_KEYS:
                    explicit_topic = value
                elif key in SLIDES_KEYS:
                    found = _LINK_RE.search(value)
                    url = found.group(2) if found else (_URL_RE.search(value) or [None, ""])[1]
                    pres.slides_url = url or ""
                continue
            if collecting_papers and (links or _URL_RE.match(re.sub(r"^[-*+]\s*", "", stripped))):
                self.add_papers(pres, stripped, number)
                continue
            collecting_papers = False
            pres.summary_lines.append((number, text))
        if explicit_topic:
            pres.topic = explicit_topic
        elif _section_kind(pres.topic) == "team" and pres.papers:
            pres.topic = pres.papers[0].title
        if not pres.presenters:
            self.warn(
                gettext("no presenters listed for '%(topic)s'") % {"topic": pres.topic}, pres.line
            )

    def add_papers(self, pres: _Pres, text: str, number: int) -> None:
        links = _LINK_RE.findall(text)
        if links:
            for title, url in links:
                title = " ".join(title.replace("**", "").split()) or url
                pres.papers.append(ParsedPaper(title=title, url=url, line=number))
            return
        for url in _URL_RE.findall(text):
            pres.papers.append(ParsedPaper(title=url, url=url, line=number))
        if not _URL_RE.search(text) and text.strip() and not _is_none(text):
            title = re.sub(r"^[-*+]\s*", "", text.strip()).strip("* ")
            pres.papers.append(ParsedPaper(title=title, url="", line=number))

    # -- questions ----------------------------------------------------------

    def read_member_questions(self, presenter: str, line: int, body, hint: str) -> None:
        block = _QBlock(line)
        self.read_questions(block, body, presenter, hint)
        self.qblocks.append(block)

    def read_qna_block(self, line: int, body) -> None:
        block = _QBlock(line)
        self.read_questions(block, body, None, "")
        self.qblocks.append(block)

    def read_questions(self, block: _QBlock, body, presenter: str | None, hint: str) -> None:
        """Read Q/A pairs: ``- Q1:``/``- A1:`` or ``받은 질문 :``/``-> 답변 :``.

        In a Q&A block (presenter None) a bullet line holding only a name
        (``- 조은비🐱``) switches to that presenter's questions.
        """
        current = None  # see _QBlock.questions
        sink = None  # the lines that continuation lines belong to
        by_number: dict[str, list] = {}
        block_presenter = presenter
        lines = [(n, t) for n, t in body if not _SEPARATOR_RE.match(t)]
        text_only = " ".join(t.strip().strip("-*:：").strip() for _, t in lines if t.strip())
        if presenter is not None and (not text_only or _is_none(text_only)):
            return
        for index, (number, text) in enumerate(lines):
            stripped = text.strip()
            if presenter is None and self.is_name_line(stripped, lines[index + 1 :]):
                block_presenter = self.person(stripped.lstrip("-*+ ").strip())
                current = None
                by_number = {}
                continue
            q = _RECEIVED_Q_RE.match(text) or _Q_RE.match(text)
            if q:
                who = block_presenter
                if who is None:
                    raise ParseError(
                        gettext("a question before any presenter's name in this Q&A block"), number
                    )
                q_number = q.group(1) if q.re is _Q_RE else ""
                first = q.group(q.re.groups)
                current = [who, number, [(number, first)], None, hint, []]
                sink = current[2]
                if q_number:
                    by_number[q_number] = current
                block.questions.append(current)
                continue
            named = _NAMED_A_RE.match(text)
            if named:
                target = by_number.get(named.group(1), current)
                if target is None:
                    self.warn(gettext("an answer with no question before it; ignored"), number)
                    continue
                other = [self.person(named.group(2).strip()), number, [(number, named.group(3))]]
                target[5].append(other)
                current, sink = target, other[2]
                continue
            a = _ARROW_A_RE.match(text) or _PLAIN_A_RE.match(text) or _A_RE.match(text)
            if a and (a.re is not _A_RE or current is not None):
                target = current
                if a.re is _A_RE and a.group(1) and a.group(1) in by_number:
                    target = by_number[a.group(1)]
                if target is None:
                    self.warn(gettext("an answer with no question before it; ignored"), number)
                    continue
                if target[3] is not None:
                    target[3].append((number, ""))
                else:
                    target[3] = []
                target[3].append((number, a.group(a.re.groups)))
                current, sink = target, target[3]
                continue
            if current is None:
                if stripped and not _is_none(stripped.strip("-*:： ")):
                    self.warn(
                        gettext("ignored text in the questions: %(text)r")
                        % {"text": stripped[:60]},
                        number,
                    )
                continue
            sink.append((number, text))

    def is_name_line(self, stripped: str, rest) -> bool:
        match = re.match(r"^[-*+]\s+(.+)$", stripped)
        if not match:
            return False
        candidate = match.group(1).strip()
        if ":" in candidate or "：" in candidate or len(candidate) > 40:
            return False
        name, _emoji = split_person(candidate)
        if not name or len(name.split()) > 3:
            return False
        if self.aliases.get(name, name) in self.members:
            return True
        for _number, text in rest:
            if text.strip():
                return bool(_RECEIVED_Q_RE.match(text) or _Q_RE.match(text))
        return False

    # -- reflections --------------------------------------------------------

    def add_reflection(self, member: str, line: int, body, strip_colon: bool) -> None:
        lines = [(n, t) for n, t in body if not _SEPARATOR_RE.match(t)]
        while lines and not lines[0][1].strip():
            lines.pop(0)
        if strip_colon and lines:
            number, first = lines[0]
            lines[0] = (number, re.sub(r"^\s*[:：]\s?", "", first))
        text = _block_text(lines, inline_first=True)
        if not text or _is_none(text):
            return
        if member in self.reflections:
            self.warn(
                gettext("a second reflection by %(member)s; appended to the first")
                % {"member": member},
                line,
            )
            self.reflections[member][1].append("")
            self.reflections[member][1].append(text)
        else:
            self.reflections[member] = [line, [text]]
            self.reflection_order.append(member)

    def read_reflection_list(self, line: int, body) -> None:
        """``- 이름 : 소감`` items; text may continue over lines and paragraphs."""
        current: list | None = None
        entries: list = []
        for number, text in body:
            if _SEPARATOR_RE.match(text):
                continue
            match = re.match(r"^\s*[-*+]\s+([^:：\n]{1,40}?)\s*[:：]\s?(.*)$", text)
            if match:
                name, _emoji = split_person(match.group(1))
                name_ok = name and (
                    self.aliases.get(name, name) in self.members or len(name.split()) == 1
                )
                if name_ok:
                    current = [self.person(match.group(1)), number, [(number, match.group(2))]]
                    entries.append(current)
                    continue
            if current is None:
                if text.strip():
                    self.warn(
                        gettext("ignored text in the reflections: %(text)r")
                        % {"text": text.strip()[:60]},
                        number,
                    )
                continue
            current[2].append((number, text))
        for name, number, lines in entries:
            self.add_reflection(name, number, lines, strip_colon=False)

    # -- assembly -----------------------------------------------------------

    def assign(self) -> None:
        """Give each question the presentation its presenter gave.

        A presenter who gave none (a name misspelt in the notes, say) gets the
        presentation most of the other presenters named in the same block gave.
        """
        gave: dict[str, list[int]] = {}
        for index, pres in enumerate(self.presentations):
            for name in pres.presenters:
                gave.setdefault(name, []).append(index)
        by_topic = {_clean_heading(p.topic): i for i, p in enumerate(self.presentations)}
        for block in self.qblocks:
            votes = Counter()
            for presenter, *_ in block.questions:
                if len(gave.get(presenter, [])) == 1:
                    votes[gave[presenter][0]] += 1
            warned: set[str] = set()
            for presenter, number, q_lines, a_lines, hint, others in block.questions:
                body = _block_text(q_lines, inline_first=True)
                if not body or (_is_none(body) and a_lines is None):
                    continue
                answer = _block_text(a_lines, inline_first=True) if a_lines is not None else None
                if answer == "" or (answer is not None and _is_none(answer)):
                    # "없음" as an answer: the question stays unanswered.
                    answer = None
                target = None
                if hint and _clean_heading(hint) in by_topic:
                    target = by_topic[_clean_heading(hint)]
                elif len(gave.get(presenter, [])) >= 1:
                    target = gave[presenter][0]
                    if len(gave[presenter]) > 1 and presenter not in warned:
                        warned.add(presenter)
                        self.warn(
                            gettext(
                                "%(presenter)s gave several presentations; their questions go to '%(topic)s'"
                            )
                            % {"presenter": presenter, "topic": self.presentations[target].topic},
                            number,
                        )
                elif votes:
                    target = min(votes, key=lambda i: (-votes[i], i))
                    if presenter not in warned:
                        warned.add(presenter)
                        self.warn(
                            gettext(
                                "%(presenter)s is not a presenter of any topic; their questions go to "
                                "'%(topic)s', which most presenters in the same block gave (use --alias "
                                "to map the name)"
                            )
                            % {"presenter": presenter, "topic": self.presentations[target].topic},
                            number,
                        )
                elif self.presentations:
                    target = 0
                    if presenter not in warned:
                        warned.add(presenter)
                        self.warn(
                            gettext(
                                "%(presenter)s is not a presenter of any topic; their questions go to "
                                "'%(topic)s' (use --alias to map the name)"
                            )
                            % {"presenter": presenter, "topic": self.presentations[0].topic},
                            number,
                        )
                else:
                    raise ParseError(
                        gettext("questions for %(presenter)s but the session has no topics")
                        % {"presenter": presenter},
                        number,
                    )
                other_answers = tuple(
                    ParsedAnswer(author=author, body=text, line=line)
                    for author, line, lines in others
                    if (text := _block_text(lines, inline_first=True)) and not _is_none(text)
                )
                self.presentations[target].questions.append(
                    ParsedQuestion(
                        presenter=presenter,
                        body=body,
                        answer=answer,
                        line=number,
                        other_answers=other_answers,
                    )
                )

    def finish(self) -> ParsedSession:
        if self.number is None:
            raise ParseError(
                gettext("no session number: expected a heading such as '# 6주차'"), self.offset + 1
            )
        if self.date is None:
            raise ParseError(
                gettext("no date: expected a line such as '**발표일**: 2025.07.04'"),
                getattr(self, "number_line", None),
            )
        self.assign()
        topics: dict[str, int] = {}
        for pres in self.presentations:
            key = _clean_heading(pres.topic)
            if key in topics:
                raise ParseError(
                    gettext("topic '%(topic)s' appears twice (first at line %(line)d)")
                    % {"topic": pres.topic, "line": topics[key]},
                    pres.line,
                )
            topics[key] = pres.line
        presentations = tuple(
            ParsedPresentation(
                topic=pres.topic,
                presenters=tuple(pres.presenters),
                papers=tuple(pres.papers),
                questions=tuple(pres.questions),
                summary=_block_text(_without_trailing_separators(pres.summary_lines)),
                slides_url=pres.slides_url,
                line=pres.line,
            )
            for pres in self.presentations
        )
        reflections = tuple(
            ParsedReflection(
                member=name,
                body="\n".join(self.reflections[name][1]),
                line=self.reflections[name][0],
            )
            for name in self.reflection_order
        )
        members = tuple(
            ParsedMember(name=name, emoji=emoji) for name, emoji in self.members.items()
        )
        return ParsedSession(
            number=self.number,
            date=self.date,
            title=self.title,
            presentations=presentations,
            reflections=reflections,
            members=members,
            warnings=tuple(self.warnings),
            layout="team" if self.layouts == {"team"} else "topic",
            season=self.season,
            board=self.board,
        )
