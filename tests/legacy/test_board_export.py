"""The retrospective board in exported notes: export → import gives the same
cards, vote counts and action items; a KPT 소감 in old notes stays a 소감."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sessions.legacy.board import parse_board
from sessions.legacy.exporter import session_markdown, sessions_for_export
from sessions.legacy.loader import import_data, import_paths
from sessions.legacy.parser import ParseError, parse
from sessions.models import (
    ActionItem,
    Answer,
    Card,
    ImportedFile,
    Member,
    Presentation,
    Question,
    Reflection,
    RetroBoard,
    Season,
    SeasonMembership,
    StudySession,
)
from tests import factories

pytestmark = pytest.mark.django_db


def board_snapshot():
    """Boards, cards (author unless anonymous, votes as counts, merges) and
    action items as plain values."""
    cards = {}
    for card in Card.objects.select_related("board__session", "author", "merged_into"):
        cards[card.board.session.number, card.column, card.body] = (
            None if card.author is None else card.author.display_name,
            card.anonymous,
            card.votes.count() + card.imported_votes,
            card.merged_into.body if card.merged_into else None,
        )
    items = {
        (item.card.body, item.title): (
            item.owner.display_name,
            item.due_session.number if item.due_session else None,
            item.status,
            item.resolved_by.display_name if item.resolved_by else None,
            item.resolved_at,
        )
        for item in ActionItem.objects.select_related("card", "owner", "due_session", "resolved_by")
    }
    boards = {
        board.session.number: board.format for board in RetroBoard.objects.select_related("session")
    }
    return {"boards": boards, "cards": cards, "items": items}


def empty_database():
    for model in (
        ImportedFile,
        ActionItem,
        Card,
        RetroBoard,
        Answer,
        Question,
        Presentation,
        Reflection,
    ):
        model.objects.all().delete()
    StudySession.objects.all().delete()
    SeasonMembership.objects.all().delete()
    Season.objects.all().delete()
    Member.objects.all().delete()


@pytest.fixture
def season_with_boards():
    season = factories.SeasonFactory(slug="2026-spring", name="2026 봄")
    first = factories.StudySessionFactory(season=season, number=1, date=datetime.date(2026, 3, 6))
    second = factories.StudySessionFactory(season=season, number=2, date=datetime.date(2026, 3, 13))
    third = factories.StudySessionFactory(season=season, number=3, date=datetime.date(2026, 3, 20))
    kim = factories.MemberFactory(display_name="김민지", emoji="🐱")
    lee = factories.MemberFactory(display_name="이서준", emoji="🐼")
    board = factories.RetroBoardFactory(session=first, format=RetroBoard.Format.KPT)
    keep = factories.CardFactory(
        board=board, column="keep", author=kim, body="발표 자료를 **미리** 공유했다"
    )
    similar = factories.CardFactory(
        board=board, column="keep", author=lee, body="자료 공유가 빨랐다"
    )
    secret = factories.CardFactory(
        board=board,
        column="problem",
        author=lee,
        anonymous=True,
        body="시간이 부족했다\n\n```\n코드\n```",
    )
    try_card = factories.CardFactory(
        board=board, column="try", author=kim, body="질문을 미리 모으자"
    )
    done_card = factories.CardFactory(board=board, column="try", author=lee, body="타이머를 쓰자")
    for voter in (kim, lee):
        factories.CardVoteFactory(card=keep, member=voter)
    factories.CardVoteFactory(card=secret, member=kim)
    similar.merge_into(keep)
    factories.ActionItemFactory(card=try_card, title="질문 모으기", owner=lee, due_session=second)
    factories.ActionItemFactory(
        card=done_card,
        title="타이머 준비",
        owner=kim,
        due_session=third,
        status=ActionItem.Status.DONE,
        resolved_by=lee,
        resolved_at=timezone.make_aware(datetime.datetime(2026, 3, 14, 21, 30)),
    )
    factories.RetroBoardFactory(session=second, format=RetroBoard.Format.FOUR_L)
    factories.CardFactory(
        board=second.retro_board, column="longed_for", author=kim, body="더 긴 토론"
    )
    return season


def test_round_trip_of_a_season_with_boards_gives_the_same_cards_votes_and_items(
    tmp_path, season_with_boards
):
    before = board_snapshot()
    call_command("export_markdown", "--out", str(tmp_path / "out"), stdout=io.StringIO())
    empty_database()
    report = import_paths([tmp_path / "out"])
    assert [(f.path, f.error) for f in report.failed] == []
    after = board_snapshot()
    # Anonymous cards leave the export without their author.
    expected = {
        **before,
        "cards": {
            key: (None if anonymous else author, anonymous, votes, merged)
            for key, (author, anonymous, votes, merged) in before["cards"].items()
        },
    }
    assert after == expected
    assert after["cards"][1, "keep", "발표 자료를 **미리** 공유했다"] == ("김민지", False, 2, None)
    assert after["cards"][1, "keep", "자료 공유가 빨랐다"] == (
        "이서준",
        False,
        0,
        "발표 자료를 **미리** 공유했다",
    )
    assert StudySession.objects.get(number=3).date == datetime.date(2026, 3, 20)


def test_export_of_an_anonymous_card_does_not_name_its_author(season_with_boards):
    session = sessions_for_export().get(number=1)
    text = session_markdown(session)
    board_part = text.split("# 회고 보드", 1)[1]
    assert "시간이 부족했다" in board_part
    # 이서준 wrote the anonymous card, and also a card under their own name, and resolved an item.
    entries = board_part.split("- column:")
    secret = next(entry for entry in entries if "시간이 부족했다" in entry)
    assert "이서준" not in secret
    assert "anonymous: true" in secret


def test_reimport_of_an_exported_board_changes_nothing(tmp_path, season_with_boards):
    session = sessions_for_export().get(number=1)
    path = tmp_path / "001.md"
    path.write_text(session_markdown(session), encoding="utf-8")
    before = board_snapshot()
    first = import_data(str(path), path.read_bytes(), season="2026 봄")
    second = import_data(str(path), path.read_bytes(), season="2026 봄")
    assert (first.error, second.error) == ("", "")
    assert board_snapshot() == before
    assert second.counts["card", "created"] == 0


def test_kpt_reflection_in_old_notes_stays_a_reflection():
    text = (
        "# 3주차\n\n**발표일**: 2025.03.21\n\n# 주제\n## 어텐션\n- 발표자: **김민지**\n\n"
        "# 회고\n## 김민지\n### 받은 질문\n없음\n### 소감\n"
        "Keep: 발표 준비를 일찍 했다\nProblem: 시간이 모자랐다\nTry: 질문을 미리 받자\n"
    )
    parsed = parse(text)
    assert parsed.board is None
    assert [(r.member, r.body) for r in parsed.reflections] == [
        ("김민지", "Keep: 발표 준비를 일찍 했다\nProblem: 시간이 모자랐다\nTry: 질문을 미리 받자")
    ]
    result = import_data("old.md", text.encode())
    assert result.error == ""
    assert Reflection.objects.on_sessions().count() == 1
    assert Card.objects.count() == 0


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        ("format: 5w\ncards: []", "unknown board format '5w'"),
        ("format: kpt\ncards:\n- column: liked\n  body: x", "column 'liked' is not one of"),
        (
            "format: kpt\ncards:\n- column: keep\n  body: x\n  votes: -1",
            "a card's votes must be a count",
        ),
        (
            "format: kpt\ncards:\n- column: keep\n  body: x\n  merged_into: 5",
            "merged_into must name a card",
        ),
        (
            "format: kpt\ncards:\n- column: try\n  body: x\n  action:\n    title: t\n    status: done",
            "an action item on the board has no owner",
        ),
        ("format: [", "the board is not readable YAML"),
    ],
)
def test_board_section_with_bad_data_is_a_clear_error(yaml_text, message):
    body = [
        (n, line) for n, line in enumerate(["````yaml", *yaml_text.split("\n"), "````"], start=2)
    ]
    with pytest.raises(ParseError) as error:
        parse_board(1, body)
    assert message in str(error.value)
