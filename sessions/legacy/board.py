"""The retrospective board in exported session notes, and back.

The exporter ends a session's file with a ``# 회고 보드`` section holding
the board as YAML in a fenced block: its format, its cards (column, text,
author unless anonymous, votes as a count, the card it was merged into) and
their action items (owner, due session by number and date, status, who
resolved it and when). The parser reads that section back (only that
section: a KPT or 4L 소감 written as prose stays a reflection) and the
loader puts the board, cards and action items into the database again.

An anonymous card is written without its author, so an exported file never
gives the author away; after an import it has no author.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import yaml

from sessions.models import ActionItem, Card, CardVote, Column, RetroBoard, StudySession

from .parser import ParseError

HEADING = "회고 보드"
FENCE = "````"

_FORMATS = {choice.value for choice in RetroBoard.Format}
_COLUMNS = {choice.value for choice in Column}
_STATUSES = {choice.value for choice in ActionItem.Status}


@dataclass(frozen=True)
class ParsedActionItem:
    title: str
    owner: str
    due_number: int | None
    due_date: datetime.date | None
    status: str
    resolved_by: str
    resolved_at: datetime.datetime | None


@dataclass(frozen=True)
class ParsedCard:
    column: str
    body: str
    author: str
    anonymous: bool
    votes: int
    # The 1-based place in the board's cards of the card it was merged into.
    merged_into: int | None
    action: ParsedActionItem | None


@dataclass(frozen=True)
class ParsedBoard:
    format: str
    cards: tuple[ParsedCard, ...]


# -- writing ----------------------------------------------------------------


def _name(member) -> str:
    return member.display_name if member is not None else ""


def board_data(board: RetroBoard) -> dict:
    """The board as plain data; expects `board.export_cards` (every card,
    top-level and merged, with `vote_count`, author and action items)."""
    cards = board.export_cards
    place = {card.pk: index for index, card in enumerate(cards, 1)}
    out = []
    for card in cards:
        entry = {"column": card.column, "body": card.body}
        if card.anonymous:
            entry["anonymous"] = True
        elif card.author is not None:
            entry["author"] = _name(card.author)
        entry["votes"] = card.vote_count + card.imported_votes
        if card.merged_into_id in place:
            entry["merged_into"] = place[card.merged_into_id]
        item = next(iter(card.action_items.all()), None)
        if item is not None:
            action = {"title": item.title, "owner": _name(item.owner), "status": item.status}
            if item.due_session is not None:
                action["due"] = item.due_session.number
                action["due_date"] = item.due_session.date
            if item.resolved_at is not None:
                action["resolved_by"] = _name(item.resolved_by)
                action["resolved_at"] = item.resolved_at.isoformat()
            entry["action"] = action
        out.append(entry)
    return {"format": board.format, "cards": out}


def board_section(board: RetroBoard | None) -> list[str]:
    """The lines of the ``# 회고 보드`` section (none for a board without cards)."""
    if board is None or not board.export_cards:
        return []
    data = yaml.safe_dump(
        board_data(board), allow_unicode=True, sort_keys=False, default_flow_style=False
    )
    return [f"# {HEADING}", "", f"{FENCE}yaml", data.rstrip("\n"), FENCE, ""]


# -- reading ----------------------------------------------------------------


def is_board_heading(heading: str) -> bool:
    return heading.strip() == HEADING


def _text(value, what: str, line: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ParseError(f"{what} must be text", line)
    return str(value)


def _date(value, line: int) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ParseError(f"unreadable due date {value!r} on the board", line) from None


def _moment(value, line: int) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        raise ParseError(f"unreadable time {value!r} on the board", line) from None


def _action(raw, line: int) -> ParsedActionItem | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ParseError("a card's action must be a mapping", line)
    status = _text(raw.get("status", "open"), "an action's status", line)
    if status not in _STATUSES:
        raise ParseError(f"unknown action status {status!r} on the board", line)
    due = raw.get("due")
    if due is not None and (not isinstance(due, int) or due <= 0):
        raise ParseError(f"an action's due session must be a session number, not {due!r}", line)
    owner = _text(raw.get("owner"), "an action's owner", line).strip()
    if not owner:
        raise ParseError("an action item on the board has no owner", line)
    resolved_at = _moment(raw.get("resolved_at"), line)
    if (status == "open") != (resolved_at is None):
        raise ParseError("a done or dropped action needs resolved_at, an open one none", line)
    return ParsedActionItem(
        title=_text(raw.get("title"), "an action's title", line).strip(),
        owner=owner,
        due_number=due,
        due_date=_date(raw.get("due_date"), line),
        status=status,
        resolved_by=_text(raw.get("resolved_by"), "resolved_by", line).strip(),
        resolved_at=resolved_at,
    )


def parse_board(line: int, body: list[tuple[int, str]]) -> ParsedBoard:
    """The board of a ``# 회고 보드`` section (`body`: its numbered lines)."""
    inside, lines, start = False, [], line
    for number, text in body:
        if not inside and text.strip().startswith(FENCE):
            inside, start = True, number
            continue
        if inside and text.strip() == FENCE:
            break
        if inside:
            lines.append(text)
    else:
        raise ParseError(f"the '{HEADING}' section needs its board in a {FENCE}yaml block", line)
    try:
        data = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise ParseError(f"the board is not readable YAML: {exc}", start) from None
    if not isinstance(data, dict) or not isinstance(data.get("cards", []), list):
        raise ParseError("the board must be a mapping with a list of cards", start)
    board_format = _text(data.get("format", "kpt"), "the board's format", start)
    if board_format not in _FORMATS:
        raise ParseError(f"unknown board format {board_format!r}", start)
    raw_cards = data.get("cards") or []
    cards = []
    for raw in raw_cards:
        if not isinstance(raw, dict):
            raise ParseError("each card on the board must be a mapping", start)
        column = _text(raw.get("column"), "a card's column", start)
        if column not in RetroBoard.COLUMNS[board_format]:
            raise ParseError(
                f"column {column!r} is not one of the board's format {board_format!r}", start
            )
        body = _text(raw.get("body"), "a card's text", start).strip()
        if not body:
            raise ParseError("a card on the board has no text", start)
        votes = raw.get("votes", 0)
        merged = raw.get("merged_into")
        if not isinstance(votes, int) or votes < 0:
            raise ParseError(f"a card's votes must be a count, not {votes!r}", start)
        if merged is not None and (
            not isinstance(merged, int) or not 1 <= merged <= len(raw_cards)
        ):
            raise ParseError(
                f"merged_into must name a card of the board by its place, not {merged!r}", start
            )
        cards.append(
            ParsedCard(
                column=column,
                body=body,
                author=_text(raw.get("author"), "a card's author", start).strip(),
                anonymous=bool(raw.get("anonymous", False)),
                votes=votes,
                merged_into=merged,
                action=_action(raw.get("action"), start),
            )
        )
    return ParsedBoard(format=board_format, cards=tuple(cards))


# -- loading ----------------------------------------------------------------


def load_board(loader, session: StudySession, parsed: ParsedBoard) -> None:
    """Put the board of `parsed` on `session`: cards found by column and
    text are updated, others created; cards the file created before and no
    longer has go (the loader's stale rows)."""
    board = RetroBoard.objects.filter(session=session).first()
    if board is None:
        board = RetroBoard.objects.create(session=session, format=parsed.format)
        loader.count("board", "created")
    else:
        loader.count(
            "board", "updated" if loader.update(board, {"format": parsed.format}) else "unchanged"
        )
    existing = {(card.column, card.body): card for card in board.cards.all()}
    cards = []
    for item in parsed.cards:
        loader.check_length(item.body, Card, "body", "a card", None)
        author = None if item.anonymous or not item.author else loader.member(item.author)
        card = existing.get((item.column, item.body))
        if card is None:
            card = Card.objects.create(
                board=board,
                column=item.column,
                body=item.body,
                author=author,
                anonymous=item.anonymous,
                imported_votes=item.votes,
            )
            loader.count("card", "created", card)
        else:
            # Votes cast in the app stay; the file's count tops them up.
            cast = CardVote.objects.filter(card=card).count()
            values = {"anonymous": item.anonymous, "imported_votes": max(item.votes - cast, 0)}
            if not item.anonymous:
                values["author"] = author
            loader.count("card", "updated" if loader.update(card, values) else "unchanged", card)
        cards.append(card)
    for card, item in zip(cards, parsed.cards):
        target = cards[item.merged_into - 1] if item.merged_into else None
        if target is card:
            raise ParseError("a card on the board is merged into itself")
        loader.update(card, {"merged_into": target})
        if item.action is not None:
            load_action_item(loader, session, card, item.action)


def due_session(loader, season, number, date) -> StudySession | None:
    """Session `number` of `season`; one its file has not brought yet is
    created with the date the board gives (that file then fills it in)."""
    if number is None:
        return None
    session = StudySession.objects.filter(season=season, number=number).first()
    if session is None and date is not None:
        session = StudySession.objects.create(season=season, number=number, date=date)
        loader.count("session", "created")
    if session is None:
        raise ParseError(f"the board's action item is due at session {number}, which has no date")
    return session


def load_action_item(loader, session, card, parsed: ParsedActionItem) -> None:
    loader.check_length(parsed.title, ActionItem, "title", "an action item's title", None)
    values = {
        "title": parsed.title or card.body[:200],
        "owner": loader.member(parsed.owner),
        "due_session": due_session(loader, session.season, parsed.due_number, parsed.due_date),
        "status": parsed.status,
        "resolved_by": loader.member(parsed.resolved_by) if parsed.resolved_by else None,
        "resolved_at": parsed.resolved_at,
    }
    item = ActionItem.objects.filter(card=card).first()
    if item is None:
        ActionItem.objects.create(card=card, **values)
        loader.count("action item", "created")
    else:
        loader.count("action item", "updated" if loader.update(item, values) else "unchanged")
