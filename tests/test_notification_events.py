"""The planning and retrospective events tell the right people: an open
slot the season's roster, an assigned slot its holder, a slot given back
the season's organizers, a scheduled nomination its author, an action
item its owner; never the one who acted."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Notification, SeasonMembership
from tests import factories
from tests.editing import opened_form

pytestmark = pytest.mark.django_db


def told(kind):
    """(recipient username, label) of every notification of `kind`."""
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", "target_label")
    )


@pytest.fixture
def season(member, presenter):
    season = factories.default_season()
    factories.SeasonMembershipFactory(season=season, member=member)
    factories.SeasonMembershipFactory(season=season, member=presenter)
    return season


@pytest.fixture
def coming(season):
    return factories.StudySessionFactory(
        season=season, number=9, date=timezone.localdate() + datetime.timedelta(days=7)
    )


def test_opening_slots_tells_the_roster_but_not_members_away(
    organizer_client, coming, member, presenter
):
    SeasonMembership.objects.filter(member=presenter).update(away=True)
    organizer_client.post(reverse("study:slot-open", args=coming.url_args), {"count": 2})
    assert told("slot_opened") == [("member", "2025 논문 스터디, session 9")]


def test_organizer_assigning_a_slot_tells_its_holder(organizer_client, coming, member):
    slot = factories.TalkSlotFactory(session=coming)
    organizer_client.post(reverse("study:slot-assign", args=[slot.pk]), {"member": member.pk})
    assert told("slot_assigned") == [("member", "2025 논문 스터디, session 9")]


def test_claiming_a_slot_for_oneself_tells_nobody(member_client, coming):
    slot = factories.TalkSlotFactory(session=coming)
    member_client.post(reverse("study:slot-claim", args=[slot.pk]))
    assert Notification.objects.count() == 0


def test_giving_a_slot_back_tells_the_organizers(
    member_client, organizer, coming, member, presenter
):
    SeasonMembership.objects.filter(member=presenter).update(role=SeasonMembership.Role.ORGANIZER)
    slot = factories.TalkSlotFactory(session=coming, holder=member, claimed_at=timezone.now())
    member_client.post(reverse("study:slot-release", args=[slot.pk]))
    assert told("slot_given_back") == [
        ("organizer", "2025 논문 스터디, session 9"),
        ("presenter", "2025 논문 스터디, session 9"),
    ]


def test_taking_a_nomination_into_a_slot_tells_its_author(
    presenter_client, coming, member, presenter
):
    slot = factories.TalkSlotFactory(session=coming, holder=presenter, claimed_at=timezone.now())
    paper = factories.PaperFactory(title="Attention Is All You Need")
    nomination = factories.NominationFactory(season=coming.season, author=member, paper=paper)
    presenter_client.post(reverse("study:nomination-take", args=[nomination.pk]), {"slot": slot.pk})
    assert told("nomination_scheduled") == [
        ("member", "Attention Is All You Need · 2025 논문 스터디, session 9")
    ]


def test_an_action_item_tells_its_owner_and_a_new_owner(
    organizer_client, season, study_session, member, presenter
):
    board = factories.RetroBoardFactory(session=study_session)
    later = factories.StudySessionFactory(season=season, number=7, date=datetime.date(2025, 3, 14))
    card = factories.CardFactory(board=board, column="try", body="질문을 미리 모으자")
    url = reverse("study:action-item-edit", args=[card.pk])
    organizer_client.post(
        url, {**opened_form(organizer_client, url), "owner": member.pk, "due_session": later.pk}
    )
    assert told("action_item") == [("member", "질문을 미리 모으자")]
    organizer_client.post(url, {**opened_form(organizer_client, url), "owner": presenter.pk})
    assert told("action_item") == [
        ("member", "질문을 미리 모으자"),
        ("presenter", "질문을 미리 모으자"),
    ]
