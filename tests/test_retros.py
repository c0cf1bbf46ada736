"""Retrospective boards, action items, questions that carry over, and the
earlier versions of edited texts.

Personas: the group's `organizer`, `member` and `presenter` are on the
season's roster; `stranger` is a member of the group who is not; the
outsider has no account.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.models import ActionItem, Card, CardVote, Question, RetroBoard, SeasonMembership
from tests import factories
from tests.editing import opened_form

pytestmark = pytest.mark.django_db

SECRET_AUTHOR = "익명작성자"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def season(study_session):
    return study_session.season


@pytest.fixture
def roster(season, member, presenter):
    factories.SeasonMembershipFactory(season=season, member=member)
    factories.SeasonMembershipFactory(season=season, member=presenter)


@pytest.fixture
def stranger(db):
    return factories.MemberFactory(username="stranger", display_name="남남")


@pytest.fixture
def season_organizer(season):
    person = factories.MemberFactory(username="seasonorg", display_name="시즌운영")
    factories.SeasonMembershipFactory(
        season=season, member=person, role=SeasonMembership.Role.ORGANIZER
    )
    return person


@pytest.fixture
def board(study_session, roster):
    return factories.RetroBoardFactory(session=study_session)


@pytest.fixture
def next_session(study_session):
    return factories.StudySessionFactory(
        season=study_session.season,
        number=study_session.number + 1,
        date=datetime.date(2025, 3, 14),
    )


@pytest.fixture
def secret_card(board, season):
    """An anonymous card by a roster member whose name appears nowhere else."""
    author = factories.MemberFactory(username="secret", display_name=SECRET_AUTHOR)
    factories.SeasonMembershipFactory(season=season, member=author)
    return factories.CardFactory(
        board=board, author=author, anonymous=True, column="problem", body="시간 배분이 아쉬웠다"
    )


def board_url(session):
    return reverse("study:retro-board", args=session.url_args)


# -- who may use the board --------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("member", 200), ("organizer", 200), ("season_organizer", 200), ("stranger", 403)],
)
def test_board_page_is_open_to_the_roster_and_organizers(
    request, board, study_session, who, status
):
    client = client_for(request.getfixturevalue(who))
    assert client.get(board_url(study_session)).status_code == status


def test_board_page_needs_login(outsider_client, board, study_session):
    response = outsider_client.get(board_url(study_session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_board_page_without_a_board_shows_kpt_columns(member_client, roster, study_session):
    response = member_client.get(board_url(study_session), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    headings = re.findall(r'<h2 id="column-[^"]+">(.*?)</h2>', response.content.decode())
    assert headings == ["Keep", "Problem", "Try"]
    assert RetroBoard.objects.count() == 0


def test_card_create_by_roster_member_makes_the_board(member_client, member, roster, study_session):
    url = reverse("study:card-create", args=study_session.url_args)
    data = opened_form(member_client, url)
    response = member_client.post(url, {**data, "column": "try", "body": "**질문**을 미리 모으자"})
    card = Card.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{board_url(study_session)}#card-{card.pk}"
    assert (card.board.session, card.author, card.column, card.anonymous) == (
        study_session,
        member,
        "try",
        False,
    )
    assert card.body_html == "<p><strong>질문</strong>을 미리 모으자</p>\n"


def test_card_create_by_stranger_is_forbidden(stranger, roster, study_session):
    url = reverse("study:card-create", args=study_session.url_args)
    response = client_for(stranger).post(url, {"column": "keep", "body": "몰래"})
    assert response.status_code == 403
    assert Card.objects.count() == 0


def test_card_create_too_long_is_a_form_error(member_client, roster, study_session):
    url = reverse("study:card-create", args=study_session.url_args)
    response = member_client.post(url, {"column": "keep", "body": "가" * 1001})
    assert response.status_code == 200
    assert response.context["form"].errors["body"] == [
        "Ensure this value has at most 1000 characters (it has 1001)."
    ]
    assert Card.objects.count() == 0


def test_card_create_column_outside_the_format_is_a_form_error(member_client, board, study_session):
    url = reverse("study:card-create", args=study_session.url_args)
    response = member_client.post(url, {"column": "liked", "body": "좋았다"})
    assert "column" in response.context["form"].errors
    assert Card.objects.count() == 0


def test_card_markdown_is_sanitized(member_client, board, study_session):
    url = reverse("study:card-create", args=study_session.url_args)
    member_client.post(
        url, {"column": "keep", "body": "<script>alert(1)</script>[x](javascript:alert(1))"}
    )
    html = Card.objects.get().body_html
    assert "<script" not in html and 'href="javascript' not in html


@pytest.mark.parametrize("who, status", [("member", 200), ("presenter", 403), ("organizer", 403)])
def test_card_edit_only_by_its_author(request, board, member, who, status):
    card = factories.CardFactory(board=board, author=member)
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("study:card-edit", args=[card.pk])).status_code == status


def test_anonymous_card_author_edits_and_deletes_it(board, secret_card):
    client = client_for(secret_card.author)
    url = reverse("study:card-edit", args=[secret_card.pk])
    client.post(url, {**opened_form(client, url), "body": "시간 배분을 다시 보자"})
    secret_card.refresh_from_db()
    assert (secret_card.body, secret_card.anonymous) == ("시간 배분을 다시 보자", True)
    response = client.post(reverse("study:card-delete", args=[secret_card.pk]))
    assert response.status_code == 302
    assert Card.objects.filter(pk=secret_card.pk).exists() is False


def test_card_delete_by_someone_else_is_forbidden(member_client, board, presenter):
    card = factories.CardFactory(board=board, author=presenter)
    assert member_client.post(reverse("study:card-delete", args=[card.pk])).status_code == 403
    assert Card.objects.filter(pk=card.pk).exists()


# -- votes ----------------------------------------------------------------------


def test_vote_twice_counts_once_and_off_takes_it_back(member_client, member, board):
    card = factories.CardFactory(board=board)
    url = reverse("study:card-vote", args=[card.pk])
    # A double submit of the same button: still one vote.
    member_client.post(url, {"vote": "on"})
    member_client.post(url, {"vote": "on"})
    assert list(CardVote.objects.values_list("card", "member")) == [(card.pk, member.pk)]
    member_client.post(url, {"vote": "off"})
    member_client.post(url, {"vote": "off"})
    assert CardVote.objects.count() == 0


def test_vote_button_shows_the_viewers_vote_and_the_count(
    member_client, member, presenter, board, study_session
):
    card = factories.CardFactory(board=board)
    factories.CardVoteFactory(card=card, member=presenter)
    factories.CardVoteFactory(card=card, member=member)
    html = member_client.get(board_url(study_session), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    part = html.split(f'id="card-{card.pk}"', 1)[1]
    assert '<input type="hidden" name="vote" value="off">' in part.split("</form>")[0]
    assert '<span class="vote-count">2</span>' in part


def test_vote_once_per_member_is_a_database_constraint(board, member):
    from django.db import IntegrityError, transaction

    card = factories.CardFactory(board=board)
    CardVote.objects.create(card=card, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        CardVote.objects.create(card=card, member=member)


def test_vote_by_stranger_is_forbidden(stranger, board):
    card = factories.CardFactory(board=board)
    response = client_for(stranger).post(reverse("study:card-vote", args=[card.pk]), {"vote": "on"})
    assert response.status_code == 403
    assert CardVote.objects.count() == 0


def test_vote_with_a_bad_value_is_400_and_get_is_405(member_client, board):
    card = factories.CardFactory(board=board)
    url = reverse("study:card-vote", args=[card.pk])
    assert member_client.post(url, {"vote": "maybe"}).status_code == 400
    assert member_client.get(url).status_code == 405
    assert CardVote.objects.count() == 0


# -- merging and the format --------------------------------------------------------


def test_organizer_merges_a_card_and_its_votes_move_once_per_member(
    organizer_client, board, member, presenter
):
    target = factories.CardFactory(board=board, body="자료 공유 좋았다")
    similar = factories.CardFactory(board=board, body="자료를 미리 받아서 좋았다")
    factories.CardVoteFactory(card=target, member=member)
    factories.CardVoteFactory(card=similar, member=member)
    factories.CardVoteFactory(card=similar, member=presenter)
    response = organizer_client.post(
        reverse("study:card-merge", args=[similar.pk]), {"target": target.pk}
    )
    assert response.status_code == 302
    similar.refresh_from_db()
    assert similar.merged_into == target
    assert sorted(CardVote.objects.filter(card=target).values_list("member", flat=True)) == sorted(
        [member.pk, presenter.pk]
    )
    assert CardVote.objects.filter(card=similar).count() == 0


def test_merge_by_a_member_is_forbidden(member_client, board):
    first, second = factories.CardFactory(board=board), factories.CardFactory(board=board)
    response = member_client.post(
        reverse("study:card-merge", args=[second.pk]), {"target": first.pk}
    )
    assert response.status_code == 403
    second.refresh_from_db()
    assert second.merged_into is None


def test_merge_into_a_card_of_another_board_is_a_form_error(organizer_client, board, next_session):
    other = factories.CardFactory(board=factories.RetroBoardFactory(session=next_session))
    card = factories.CardFactory(board=board)
    response = organizer_client.post(
        reverse("study:card-merge", args=[card.pk]), {"target": other.pk}
    )
    assert response.status_code == 200
    assert "target" in response.context["form"].errors


def test_organizer_chooses_4l_while_the_board_is_empty(organizer_client, roster, study_session):
    url = reverse("study:retro-board-format", args=study_session.url_args)
    organizer_client.post(url, {**opened_form(organizer_client, url), "format": "4l"})
    board = RetroBoard.objects.get(session=study_session)
    assert board.format == "4l"
    assert [c.value for c in board.columns()] == ["liked", "learned", "lacked", "longed_for"]


def test_format_cannot_change_once_the_board_has_cards(organizer_client, board, study_session):
    factories.CardFactory(board=board)
    url = reverse("study:retro-board-format", args=study_session.url_args)
    response = organizer_client.post(url, {**opened_form(organizer_client, url), "format": "4l"})
    assert response.context["form"].errors["format"] == [
        "The board has cards already: its format can change only while it is empty."
    ]
    board.refresh_from_db()
    assert board.format == "kpt"


@pytest.mark.parametrize(
    "who, status", [("member", 403), ("season_organizer", 200), ("organizer", 200)]
)
def test_format_page_is_for_organizers(request, board, study_session, who, status):
    client = client_for(request.getfixturevalue(who))
    url = reverse("study:retro-board-format", args=study_session.url_args)
    assert client.get(url).status_code == status


# -- action items ----------------------------------------------------------------


def test_organizer_makes_a_try_card_an_action_item_due_next_session(
    organizer_client, organizer, board, member, next_session
):
    card = factories.CardFactory(board=board, column="try", body="질문을 미리 모으자\n둘째 줄")
    url = reverse("study:action-item-edit", args=[card.pk])
    data = opened_form(organizer_client, url)
    assert (data["title"], data["due_session"]) == ("질문을 미리 모으자", str(next_session.pk))
    response = organizer_client.post(url, {**data, "owner": member.pk})
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.card, item.owner, item.due_session, item.status, item.created_by) == (
        card,
        member,
        next_session,
        "open",
        organizer,
    )


def test_action_item_offers_only_later_sessions_of_the_season(
    organizer_client, board, next_session
):
    factories.StudySessionFactory(season=factories.SeasonFactory(), number=99)
    card = factories.CardFactory(board=board, column="try")
    response = organizer_client.get(reverse("study:action-item-edit", args=[card.pk]))
    assert list(response.context["form"].fields["due_session"].queryset) == [next_session]


@pytest.mark.parametrize(
    "who, status", [("member", 403), ("stranger", 403), ("season_organizer", 200)]
)
def test_action_item_page_is_for_organizers(request, board, next_session, who, status):
    card = factories.CardFactory(board=board, column="try")
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("study:action-item-edit", args=[card.pk])).status_code == status


def test_action_item_second_submit_is_a_form_error(organizer_client, board, member, next_session):
    card = factories.CardFactory(board=board, column="try")
    url = reverse("study:action-item-edit", args=[card.pk])
    data = {**opened_form(organizer_client, url), "owner": member.pk}
    factories.ActionItemFactory(card=card, owner=member, due_session=next_session)
    # The form was opened before the item existed: saving again edits nothing silently.
    response = organizer_client.post(url, data)
    assert response.status_code == 200
    assert ActionItem.objects.count() == 1


@pytest.fixture
def action_item(board, member, next_session):
    card = factories.CardFactory(board=board, column="try", body="자료를 미리 올리자")
    return factories.ActionItemFactory(
        card=card, title="자료 미리 올리기", owner=member, due_session=next_session
    )


def test_open_action_item_shows_on_owner_home_and_due_session_page(
    member_client, presenter, action_item, next_session
):
    home = member_client.get(reverse("study:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "자료 미리 올리기" in home
    assert f"(due at {next_session.full_name})" in home
    assert f'href="/actions/{action_item.pk}/resolve/"' in home
    assert "Nothing is waiting for you." not in home
    session_page = client_for(presenter).get(next_session.get_absolute_url()).content.decode()
    assert "자료 미리 올리기" in session_page
    # Not on someone else's home.
    assert (
        "자료 미리 올리기" not in client_for(presenter).get(reverse("study:home")).content.decode()
    )


def test_action_item_due_nowhere_shows_on_home_with_its_retro_session(
    member_client, board, action_item
):
    ActionItem.objects.filter(pk=action_item.pk).update(due_session=None)
    home = member_client.get(reverse("study:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'자료 미리 올리기\n  <span class="muted">({board.session.full_name})</span>' in home


def test_owner_marks_action_item_done_and_it_leaves_home_and_session_page(
    member_client, member, action_item, next_session
):
    url = reverse("study:action-item-resolve", args=[action_item.pk])
    response = member_client.post(url, {"status": "done"})
    assert response.status_code == 302
    assert response["Location"] == next_session.get_absolute_url()
    # The page it leads to says it was marked done (and is read once).
    member_client.get(response["Location"])
    action_item.refresh_from_db()
    assert (action_item.status, action_item.resolved_by) == ("done", member)
    assert action_item.resolved_at is not None
    assert "자료 미리 올리기" not in member_client.get(reverse("study:home")).content.decode()
    assert (
        "자료 미리 올리기"
        not in member_client.get(next_session.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    "who, status",
    [("member", 302), ("organizer", 302), ("season_organizer", 302), ("presenter", 403)],
)
def test_action_item_resolve_by_owner_or_organizer(request, action_item, who, status):
    client = client_for(request.getfixturevalue(who))
    response = client.post(
        reverse("study:action-item-resolve", args=[action_item.pk]), {"status": "dropped"}
    )
    assert response.status_code == status
    action_item.refresh_from_db()
    assert action_item.status == ("dropped" if status == 302 else "open")


def test_action_item_resolve_with_a_bad_status_is_400(member_client, action_item):
    response = member_client.post(
        reverse("study:action-item-resolve", args=[action_item.pk]), {"status": "open"}
    )
    assert response.status_code == 400
    action_item.refresh_from_db()
    assert action_item.status == "open"


def test_action_item_resolved_twice_keeps_the_first_resolution(
    member_client, organizer_client, member, action_item
):
    url = reverse("study:action-item-resolve", args=[action_item.pk])
    member_client.post(url, {"status": "done"})
    organizer_client.post(url, {"status": "dropped"})
    action_item.refresh_from_db()
    assert (action_item.status, action_item.resolved_by) == ("done", member)


# -- questions that carry over -------------------------------------------------------


@pytest.fixture
def open_question(talk, member, presenter):
    return factories.QuestionFactory(
        presentation=talk, asked_by=member, addressed_to=presenter, body="역전파는 어떻게 되나요?"
    )


def test_unanswered_question_shows_on_next_session_and_addressee_home(
    member_client, presenter_client, open_question, next_session
):
    page = member_client.get(
        next_session.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "지난 모임에서 넘어온 질문" in page
    assert "역전파는 어떻게 되나요?" in page
    assert "역전파는 어떻게 되나요?" in presenter_client.get(reverse("study:home")).content.decode()


def test_session_carry_over_lists_questions_by_session_and_position_and_items_oldest_first(
    member, presenter, board, study_session, next_session
):
    from sessions.views.retros import session_carry_over

    season = study_session.season
    earlier = factories.StudySessionFactory(season=season, number=study_session.number - 1)
    later_talk = factories.PresentationFactory(session=study_session, topic="나중 발표")
    earlier_talk = factories.PresentationFactory(session=earlier, topic="먼저 발표")
    second = factories.QuestionFactory(presentation=later_talk, position=2, body="둘째")
    first = factories.QuestionFactory(presentation=later_talk, position=1, body="첫째")
    oldest = factories.QuestionFactory(
        presentation=earlier_talk, asked_by=member, addressed_to=presenter, body="맨 처음"
    )
    factories.AnswerFactory(question=factories.QuestionFactory(presentation=earlier_talk))
    items = [
        factories.ActionItemFactory(
            card=factories.CardFactory(board=board, column="try"),
            title=title,
            owner=member,
            due_session=next_session,
        )
        for title in ("먼저 할 일", "나중 할 일")
    ]
    factories.ActionItemFactory(
        card=factories.CardFactory(board=board, column="try"),
        owner=member,
        due_session=next_session,
        status=ActionItem.Status.DONE,
        resolved_by=member,
        resolved_at=timezone.now(),
    )
    questions, due = session_carry_over(next_session)
    assert [(row.pk, row.text) for row in questions] == [
        (oldest.pk, "맨 처음"),
        (first.pk, "첫째"),
        (second.pk, "둘째"),
    ]
    assert (questions[0].by.label, questions[0].to_id, questions[0].where) == (
        member.label,
        presenter.pk,
        f"{earlier.full_name} · 먼저 발표",
    )
    assert [(row.pk, row.text, row.by_id, row.to, row.where) for row in due] == [
        (item.pk, item.title, member.pk, None, study_session.full_name) for item in items
    ]


def test_question_does_not_carry_over_into_another_season(member_client, open_question):
    other = factories.StudySessionFactory(season=factories.SeasonFactory(), number=7)
    assert (
        "역전파는 어떻게 되나요?"
        not in member_client.get(other.get_absolute_url()).content.decode()
    )


def test_answered_question_leaves_next_session_and_home(
    member_client, presenter_client, presenter, open_question, next_session
):
    factories.AnswerFactory(question=open_question, author=presenter)
    assert (
        "역전파는 어떻게 되나요?"
        not in member_client.get(next_session.get_absolute_url()).content.decode()
    )
    assert (
        "역전파는 어떻게 되나요?"
        not in presenter_client.get(reverse("study:home")).content.decode()
    )


def test_addressee_closes_a_question_without_answer_and_it_leaves_both(
    member_client, presenter_client, presenter, open_question, next_session
):
    response = presenter_client.post(reverse("study:question-close", args=[open_question.pk]))
    assert response.status_code == 302
    open_question.refresh_from_db()
    assert open_question.closed_by == presenter and open_question.closed_at is not None
    assert (
        "역전파는 어떻게 되나요?"
        not in member_client.get(next_session.get_absolute_url()).content.decode()
    )
    assert (
        "역전파는 어떻게 되나요?"
        not in presenter_client.get(reverse("study:home")).content.decode()
    )


@pytest.mark.parametrize(
    "who, status",
    [("presenter", 302), ("organizer", 302), ("season_organizer", 302), ("member", 403)],
)
def test_question_close_by_addressee_or_organizer_only(request, open_question, who, status):
    """The asker (`member`) may not close it for the presenter."""
    client = client_for(request.getfixturevalue(who))
    assert (
        client.post(reverse("study:question-close", args=[open_question.pk])).status_code == status
    )
    open_question.refresh_from_db()
    assert (open_question.closed_at is not None) == (status == 302)


def test_close_link_shows_only_to_addressee_and_organizers(
    member_client, presenter_client, organizer_client, open_question, next_session
):
    close_url = reverse("study:question-close", args=[open_question.pk])
    url = next_session.get_absolute_url()
    assert close_url in presenter_client.get(url).content.decode()
    assert close_url in organizer_client.get(url).content.decode()
    assert close_url not in member_client.get(url).content.decode()


# -- the organizers' overview --------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [("organizer", 200), ("season_organizer", 200), ("member", 403), ("stranger", 403)],
)
def test_overview_is_for_organizers(request, season, roster, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("study:retro-overview", args=[season.slug])).status_code == status


def test_overview_lists_open_items_and_questions_even_to_members_without_login(
    organizer_client, action_item, talk, season
):
    newcomer = factories.MemberFactory(display_name="가입전", password=None)
    newcomer.set_unusable_password()
    newcomer.save(update_fields=["password"])
    talk.set_presenters([newcomer])
    factories.QuestionFactory(
        presentation=talk, addressed_to=newcomer, body="아직 로그인 못한 분께"
    )
    closed = factories.QuestionFactory(presentation=talk, addressed_to=newcomer, body="닫힌 질문")
    closed.close(newcomer)
    response = organizer_client.get(
        reverse("study:retro-overview", args=[season.slug]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = response.content.decode()
    assert [item.title for item in response.context["action_items"]] == ["자료 미리 올리기"]
    assert [q.body for q in response.context["questions"]] == ["아직 로그인 못한 분께"]
    assert "No login yet" in html


# -- query counts -------------------------------------------------------------------


def fill_board(board, count, season):
    voters = [factories.SeasonMembershipFactory(season=season).member for _ in range(3)]
    later = factories.StudySessionFactory(season=season, number=board.session.number + 1)
    for index in range(count):
        card = factories.CardFactory(board=board, column=["keep", "problem", "try"][index % 3])
        for voter in voters[: index % 3 + 1]:
            factories.CardVoteFactory(card=card, member=voter)
        factories.CardFactory(board=board, merged_into=card)
        factories.ActionItemFactory(card=card, owner=voters[0], due_session=later)


@pytest.mark.parametrize("cards", [1, 20])
def test_board_page_queries_do_not_grow_with_cards(
    member_client, board, season, study_session, cards, django_assert_num_queries
):
    fill_board(board, cards, season)
    # Session and user, the session, the viewer's role, the board, its cards,
    # their merged cards and their action items.
    with django_assert_num_queries(8):
        response = member_client.get(board_url(study_session))
    assert response.content.decode().count('class="retro-card"') == cards


@pytest.mark.parametrize("items", [1, 20])
def test_overview_queries_do_not_grow_with_items(
    organizer_client, board, season, study_session, talk, items, django_assert_num_queries
):
    fill_board(board, items, season)
    for _ in range(items):
        factories.QuestionFactory(presentation=talk)
    # Session and user, the season, the action items, the questions.
    with django_assert_num_queries(5):
        response = organizer_client.get(reverse("study:retro-overview", args=[season.slug]))
    html = response.content.decode()
    assert (html.count('class="overview-item"'), html.count('class="overview-question"')) == (
        items,
        items,
    )


# -- anonymous cards on every surface ------------------------------------------------------


def test_anonymous_card_author_not_on_board_for_other_members(
    member_client, secret_card, study_session
):
    html = member_client.get(board_url(study_session)).content.decode()
    assert "시간 배분이 아쉬웠다" in html
    assert SECRET_AUTHOR not in html
    assert reverse("study:card-edit", args=[secret_card.pk]) not in html


def test_anonymous_card_author_not_on_board_for_organizers(
    organizer_client, secret_card, study_session
):
    html = organizer_client.get(board_url(study_session)).content.decode()
    assert "시간 배분이 아쉬웠다" in html and SECRET_AUTHOR not in html


def test_anonymous_card_author_sees_own_name_and_edit_link(secret_card, study_session):
    html = client_for(secret_card.author).get(board_url(study_session)).content.decode()
    assert SECRET_AUTHOR in html
    assert reverse("study:card-edit", args=[secret_card.pk]) in html


def test_anonymous_card_author_not_on_merged_card(
    organizer_client, board, secret_card, study_session
):
    target = factories.CardFactory(board=board, column="problem")
    secret_card.merge_into(target)
    html = organizer_client.get(board_url(study_session)).content.decode()
    assert "시간 배분이 아쉬웠다" in html and SECRET_AUTHOR not in html


def test_anonymous_card_author_not_on_session_page_or_home(
    member_client, organizer_client, secret_card, study_session, next_session, member
):
    """Even when the card became an action item (owned by someone else)."""
    factories.ActionItemFactory(
        card=secret_card, title="시간표 다시 짜기", owner=member, due_session=next_session
    )
    for client, url in [
        (member_client, reverse("study:home")),
        (member_client, next_session.get_absolute_url()),
        (organizer_client, study_session.get_absolute_url()),
        (organizer_client, reverse("study:retro-overview", args=[study_session.season.slug])),
        (
            member_client,
            reverse("study:action-item-resolve", args=[secret_card.action_items.get().pk]),
        ),
    ]:
        html = client.get(url).content.decode()
        assert SECRET_AUTHOR not in html, url


def test_anonymous_card_author_not_in_search(member_client, secret_card):
    html = member_client.get(reverse("study:search") + "?q=시간 배분").content.decode()
    assert SECRET_AUTHOR not in html


def test_anonymous_card_author_not_in_feed(outsider_client, member, secret_card):
    response = outsider_client.get(reverse("study:feed-activity", args=[member.activity_token]))
    assert response.status_code == 200
    assert SECRET_AUTHOR not in response.content.decode()


def test_anonymous_card_author_not_in_export(tmp_path, secret_card):
    call_command("export_markdown", "--out", str(tmp_path), stdout=io.StringIO())
    text = "".join(path.read_text(encoding="utf-8") for path in tmp_path.rglob("*.md"))
    assert "시간 배분이 아쉬웠다" in text
    assert SECRET_AUTHOR not in text


def test_anonymous_card_author_not_in_admin_for_staff_who_are_not_superusers(secret_card):
    from django.contrib.auth.models import Permission

    staff = factories.MemberFactory(username="staff", display_name="스태프", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_card", "change_card"])
    )
    client = client_for(staff)
    listing = client.get(reverse("admin:study_card_changelist"))
    assert listing.status_code == 200
    assert SECRET_AUTHOR not in listing.content.decode()
    change = client.get(reverse("admin:study_card_change", args=[secret_card.pk]))
    assert change.status_code == 200
    assert SECRET_AUTHOR not in change.content.decode()


def test_anonymous_card_author_in_admin_for_superusers(secret_card):
    root = factories.MemberFactory(
        username="root", display_name="관리자", is_staff=True, is_superuser=True
    )
    html = client_for(root).get(reverse("admin:study_card_changelist")).content.decode()
    assert SECRET_AUTHOR in html


def test_anonymous_card_history_names_nobody(member_client, secret_card):
    factories.CardVoteFactory(card=secret_card)
    client = client_for(secret_card.author)
    url = reverse("study:card-edit", args=[secret_card.pk])
    client.post(url, {**opened_form(client, url), "body": "시간 배분을 다시 보자"})
    html = member_client.get(reverse("study:card-history", args=[secret_card.pk])).content.decode()
    assert "시간 배분이 아쉬웠다" in html
    assert SECRET_AUTHOR not in html


# -- edit history ----------------------------------------------------------------------


def edit(client, url, body):
    return client.post(url, {**opened_form(client, url), "body": body})


def test_answered_question_edited_twice_shows_both_earlier_versions(
    member_client, presenter, talk, member
):
    question = factories.QuestionFactory(
        presentation=talk, asked_by=member, addressed_to=presenter, body="첫 질문"
    )
    factories.AnswerFactory(question=question, author=presenter)
    url = reverse("study:question-edit", args=[question.pk])
    edit(member_client, url, "둘째 질문")
    edit(member_client, url, "셋째 질문")
    question.refresh_from_db()
    assert question.edited_at is not None
    talk_page = member_client.get(
        talk.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    history_url = reverse("study:question-history", args=[question.pk])
    assert f'<a class="badge" href="{history_url}">Edited</a>' in talk_page
    response = client_for(factories.MemberFactory()).get(history_url)
    assert [version.body for version in response.context["versions"]] == ["둘째 질문", "첫 질문"]


def test_question_edited_before_any_answer_is_not_marked(member_client, presenter, talk, member):
    question = factories.QuestionFactory(
        presentation=talk, asked_by=member, addressed_to=presenter, body="첫 질문"
    )
    edit(member_client, reverse("study:question-edit", args=[question.pk]), "고친 질문")
    question.refresh_from_db()
    assert question.edited_at is None


def test_edited_answer_shows_its_earlier_version(presenter_client, presenter, talk):
    answer = factories.AnswerFactory(
        question=factories.QuestionFactory(presentation=talk), author=presenter, body="처음 답"
    )
    edit(presenter_client, reverse("study:answer-edit", args=[answer.pk]), "고친 답")
    response = presenter_client.get(reverse("study:answer-history", args=[answer.pk]))
    assert [version.body for version in response.context["versions"]] == ["처음 답"]


def test_history_pages_need_login(outsider_client, talk):
    question = factories.QuestionFactory(presentation=talk)
    response = outsider_client.get(reverse("study:question-history", args=[question.pk]))
    assert response.status_code == 302


def test_card_history_is_for_the_roster(stranger, member_client, board):
    card = factories.CardFactory(board=board)
    url = reverse("study:card-history", args=[card.pk])
    assert member_client.get(url).status_code == 200
    assert client_for(stranger).get(url).status_code == 403


def test_card_edited_after_a_vote_is_marked_edited(member_client, member, board, study_session):
    card = factories.CardFactory(board=board, author=member, body="처음 카드")
    url = reverse("study:card-edit", args=[card.pk])
    edit(member_client, url, "고친 카드")
    card.refresh_from_db()
    assert card.edited_at is None
    factories.CardVoteFactory(card=card)
    edit(member_client, url, "다시 고친 카드")
    card.refresh_from_db()
    assert card.edited_at is not None
    html = member_client.get(board_url(study_session)).content.decode()
    assert reverse("study:card-history", args=[card.pk]) in html


def test_question_model_open_excludes_answered_and_closed(talk, presenter):
    waiting = factories.QuestionFactory(presentation=talk)
    factories.AnswerFactory(question=factories.QuestionFactory(presentation=talk))
    factories.QuestionFactory(presentation=talk).close(presenter)
    assert list(Question.objects.open()) == [waiting]


def test_edited_imported_question_keeps_its_imported_text_as_earlier_version(
    member_client, member, presenter, talk
):
    """Rows the importer writes in bulk have no history yet; the first edit
    records the stored text before it changes."""
    (question,) = Question.objects.bulk_create(
        [Question(presentation=talk, asked_by=member, addressed_to=presenter, body="가져온 질문")]
    )
    factories.AnswerFactory(question=question, author=presenter)
    assert question.history.count() == 0
    edit(member_client, reverse("study:question-edit", args=[question.pk]), "고친 질문")
    response = member_client.get(reverse("study:question-history", args=[question.pk]))
    assert [version.body for version in response.context["versions"]] == ["가져온 질문"]


def test_merging_members_keeps_one_vote_per_card(board, member, presenter):
    card = factories.CardFactory(board=board)
    factories.CardVoteFactory(card=card, member=member)
    factories.CardVoteFactory(card=card, member=presenter)
    member.absorb(presenter)
    assert list(CardVote.objects.values_list("card", "member")) == [(card.pk, member.pk)]


@pytest.mark.parametrize(
    "name, args",
    [
        ("study:retro-board", "session"),
        ("study:retro-board-format", "session"),
        ("study:card-create", "session"),
        ("study:card-edit", "card"),
        ("study:card-delete", "card"),
        ("study:card-vote", "card"),
        ("study:card-merge", "card"),
        ("study:card-history", "card"),
        ("study:action-item-edit", "card"),
        ("study:action-item-resolve", "item"),
        ("study:question-close", "question"),
        ("study:question-history", "question"),
        ("study:answer-history", "answer"),
        ("study:retro-overview", "season"),
    ],
)
def test_every_retrospective_page_sends_outsiders_to_login(
    outsider_client, action_item, talk, name, args
):
    question = factories.QuestionFactory(presentation=talk)
    objects = {
        "session": action_item.card.board.session.url_args,
        "card": [action_item.card.pk],
        "item": [action_item.pk],
        "question": [question.pk],
        "answer": [factories.AnswerFactory(question=question).pk],
        "season": [action_item.card.board.session.season.slug],
    }
    response = outsider_client.post(
        reverse(name, args=objects[args]), {"vote": "on", "status": "done"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    action_item.refresh_from_db()
    assert action_item.status == "open"
    assert CardVote.objects.count() == 0
