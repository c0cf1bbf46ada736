"""Planning: talk slots, the rotation and the paper backlog.

The models' rules (one holder per slot, idempotent votes, statuses derived
from the session's date), the rotation's order on an uneven history, the
pages and forms, and what every role may do (a 403 changes nothing).
"""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.fragments import CSRF_PLACEHOLDER
from sessions.models import (
    ClaimResult,
    Nomination,
    NominationVote,
    Paper,
    Presentation,
    SeasonMembership,
    TalkSlot,
)
from sessions.rotation import proposal, rotation
from tests import factories

TODAY = timezone.localdate


def days(n):
    return TODAY() + datetime.timedelta(days=n)


@pytest.fixture
def season(db):
    return factories.default_season()


def on_roster(season, *members, **kwargs):
    for member in members:
        factories.SeasonMembershipFactory(season=season, member=member, **kwargs)


# --- Slots --------------------------------------------------------------


def test_claim_open_slot_makes_member_holder(member):
    slot = factories.TalkSlotFactory()
    assert slot.claim(member) == ClaimResult.CLAIMED
    slot.refresh_from_db()
    assert (slot.holder, slot.claimed_at is not None) == (member, True)


def test_claim_held_slot_is_refused_and_keeps_holder(member, presenter):
    slot = factories.TalkSlotFactory(holder=presenter)
    assert TalkSlot.objects.get(pk=slot.pk).claim(member) == ClaimResult.TAKEN
    assert TalkSlot.objects.get(pk=slot.pk).holder == presenter


def test_claim_second_slot_of_same_session_is_refused(member):
    session = factories.upcoming_session()
    factories.TalkSlotFactory(session=session, holder=member)
    other = factories.TalkSlotFactory(session=session)
    assert other.claim(member) == ClaimResult.HOLDS_ONE
    assert TalkSlot.objects.get(pk=other.pk).holder is None


def test_give_back_opens_slot_and_returns_its_papers_to_backlog(presenter, season):
    slot = factories.TalkSlotFactory(holder=presenter)
    nomination = factories.NominationFactory(season=season, slot=slot)
    assert slot.give_back(presenter) is True
    slot.refresh_from_db()
    nomination.refresh_from_db()
    assert (slot.holder, slot.claimed_at, slot.given_back_by) == (None, None, presenter)
    assert nomination.slot is None


def test_give_back_with_posted_talk_is_refused(presenter):
    slot = factories.TalkSlotFactory(holder=presenter)
    slot.talk = factories.PresentationFactory(session=slot.session, presenters=[presenter])
    slot.save()
    assert slot.give_back(presenter) is False
    assert TalkSlot.objects.get(pk=slot.pk).holder == presenter


def test_posting_talk_fills_the_holders_slot_with_its_papers(presenter, season):
    slot = factories.TalkSlotFactory(holder=presenter)
    nomination = factories.NominationFactory(season=season, slot=slot)
    client = Client()
    client.force_login(presenter)
    url = reverse("study:talk-create", args=slot.session.url_args)
    form = client.get(url).context["form"]
    assert form.initial["paper_links"] == f"{nomination.paper.title} | {nomination.paper.url}"
    response = client.post(
        url,
        {
            "topic": "확산 모델",
            "presenters": [presenter.pk],
            "paper_links": form.initial["paper_links"],
        },
    )
    assert response.status_code == 302
    talk = Presentation.objects.get(topic="확산 모델")
    assert TalkSlot.objects.get(pk=slot.pk).talk == talk
    assert list(talk.papers.all()) == [nomination.paper]


def test_talk_of_someone_without_slot_fills_no_slot(member, presenter):
    slot = factories.TalkSlotFactory(holder=presenter)
    talk = factories.PresentationFactory(session=slot.session, presenters=[member])
    assert TalkSlot.attach_talk(talk) is None
    assert TalkSlot.objects.get(pk=slot.pk).talk is None


# --- Nominations and votes ----------------------------------------------


def test_vote_sent_twice_leaves_one_and_unvote_removes_it(member, season):
    nomination = factories.NominationFactory(season=season)
    NominationVote.set_vote(nomination, member, True)
    NominationVote.set_vote(nomination, member, True)
    assert NominationVote.objects.filter(nomination=nomination, member=member).count() == 1
    NominationVote.set_vote(nomination, member, False)
    NominationVote.set_vote(nomination, member, False)
    assert NominationVote.objects.filter(nomination=nomination).count() == 0


def test_nomination_status_follows_its_slots_session_date(presenter, season):
    coming = factories.TalkSlotFactory(holder=presenter)
    past_session = factories.StudySessionFactory(date=days(-7))
    past = TalkSlot.objects.create(
        session=past_session, holder=presenter, claimed_at=timezone.now()
    )
    open_one = factories.NominationFactory(season=season)
    scheduled = factories.NominationFactory(season=season, slot=coming)
    discussed = factories.NominationFactory(season=season, slot=past)
    withdrawn = factories.NominationFactory(season=season, withdrawn_at=timezone.now())
    assert [n.status for n in (open_one, scheduled, discussed, withdrawn)] == [
        "open",
        "scheduled",
        "discussed",
        "withdrawn",
    ]
    assert list(Nomination.objects.open()) == [open_one]
    assert list(Nomination.objects.scheduled()) == [scheduled]
    assert list(Nomination.objects.discussed()) == [discussed]


def test_backlog_orders_open_nominations_by_votes_then_age(season):
    old, new, popular = factories.NominationFactory.create_batch(3, season=season)
    now = timezone.now()
    for age, nomination in enumerate([popular, new, old]):
        Nomination.objects.filter(pk=nomination.pk).update(
            created_at=now - datetime.timedelta(days=age)
        )
    factories.NominationVoteFactory.create_batch(2, nomination=popular)
    assert list(Nomination.objects.open().by_votes()) == [popular, old, new]


def test_nominating_a_known_paper_reuses_it(member, season):
    on_roster(season, member)
    paper = factories.PaperFactory(
        title="Attention Is All You Need", url="https://arxiv.org/abs/1706.03762"
    )
    client = Client()
    client.force_login(member)
    response = client.post(
        reverse("study:nomination-create", args=[season.slug]),
        {"link": "https://arxiv.org/pdf/1706.03762v5.pdf", "note": "기본기"},
    )
    assert response.status_code == 302
    assert Paper.objects.count() == 1
    assert Nomination.objects.get().paper == paper


def test_nominating_a_paper_twice_says_vote_for_it(member, season):
    on_roster(season, member)
    nomination = factories.NominationFactory(season=season)
    client = Client()
    client.force_login(member)
    response = client.post(
        reverse("study:nomination-create", args=[season.slug]), {"link": nomination.paper.url}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["link"] == [
        f"“{nomination.paper.title}” is on the backlog already: vote for it there."
    ]
    assert Nomination.objects.count() == 1


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"link": "not a link"}, "link", "This is not a link to a paper."),
        (
            {"link": "https://example.org/new-paper"},
            "title",
            "The group has not seen this paper yet: give its title.",
        ),
    ],
)
def test_nomination_form_explains_bad_links(member, season, data, field, message):
    on_roster(season, member)
    client = Client()
    client.force_login(member)
    response = client.post(reverse("study:nomination-create", args=[season.slug]), data)
    assert response.context["form"].errors[field] == [message]
    assert Nomination.objects.count() == 0


def test_taking_paper_into_slot_with_talk_adds_it_to_the_talk(presenter, season):
    slot = factories.TalkSlotFactory(holder=presenter)
    slot.talk = factories.PresentationFactory(session=slot.session, presenters=[presenter])
    slot.save()
    nomination = factories.NominationFactory(season=season)
    assert nomination.take_into(slot) is True
    assert list(slot.talk.papers.all()) == [nomination.paper]
    assert nomination.take_into(slot) is False


# --- Rotation -------------------------------------------------------------


def test_rotation_orders_uneven_history_with_ties_away_and_late_joiners(season):
    """가 and 나 presented once (나 longer ago), 다 never (joined at the
    start), 라 never but joined late, 마 never and joined with 다 (a tie,
    broken by name), 바 is away, 사 holds a coming slot (counts as a talk)."""
    names = ["가", "나", "다", "라", "마", "바", "사"]
    people = {name: factories.MemberFactory(display_name=name) for name in names}
    start, late = datetime.date(2025, 1, 1), datetime.date(2025, 6, 1)
    for name in ["가", "나", "다", "마", "사"]:
        on_roster(season, people[name], joined_on=start)
    on_roster(season, people["라"], joined_on=late)
    on_roster(season, people["바"], joined_on=start, away=True)
    early = factories.StudySessionFactory(season=season, date=datetime.date(2025, 2, 1))
    recent = factories.StudySessionFactory(season=season, date=datetime.date(2025, 5, 1))
    factories.PresentationFactory(session=early, presenters=[people["나"]])
    factories.PresentationFactory(session=recent, presenters=[people["가"]])
    factories.TalkSlotFactory(
        session=factories.upcoming_session(season=season), holder=people["사"]
    )
    # A talk in another season does not count in this one.
    factories.PresentationFactory(
        session=factories.StudySessionFactory(season=factories.SeasonFactory()),
        presenters=[people["다"]],
    )

    order, away = rotation(season)

    assert [(e.member.display_name, e.talks) for e in order] == [
        ("다", 0),
        ("마", 0),
        ("라", 0),
        ("나", 1),
        ("가", 1),
        ("사", 1),
    ]
    assert [(e.member.display_name, e.talks) for e in away] == [("바", 0)]


def test_proposal_skips_members_holding_a_slot_on_that_session(season):
    first, second = (
        factories.MemberFactory(display_name="가"),
        factories.MemberFactory(display_name="나"),
    )
    on_roster(season, first, second)
    session = factories.upcoming_session(season=season)
    factories.TalkSlotFactory(session=session, holder=first)
    open_slots = factories.TalkSlotFactory.create_batch(2, session=session)
    later = factories.TalkSlotFactory(session=factories.upcoming_session(days=14, season=season))
    order, _away = rotation(season)
    assert proposal(order, [*open_slots, later]) == {
        open_slots[0].pk: second,
        open_slots[1].pk: None,
        later.pk: first,
    }


def test_rotation_fill_saves_adjusted_proposal(organizer, season):
    first, second = (
        factories.MemberFactory(display_name="가"),
        factories.MemberFactory(display_name="나"),
    )
    on_roster(season, first, second)
    slots = factories.TalkSlotFactory.create_batch(
        2, session=factories.upcoming_session(season=season)
    )
    client = Client()
    client.force_login(organizer)
    url = reverse("study:rotation-fill", args=[season.slug])
    form = client.get(url).context["form"]
    assert [form[f"slot_{slot.pk}"].initial for slot in slots] == [first, second]
    response = client.post(url, {f"slot_{slots[0].pk}": second.pk, f"slot_{slots[1].pk}": ""})
    assert response.status_code == 302
    assert [TalkSlot.objects.get(pk=slot.pk).holder for slot in slots] == [second, None]


def test_rotation_fill_refuses_one_member_twice_on_a_session(organizer, season):
    first = factories.MemberFactory()
    on_roster(season, first)
    slots = factories.TalkSlotFactory.create_batch(
        2, session=factories.upcoming_session(season=season)
    )
    client = Client()
    client.force_login(organizer)
    response = client.post(
        reverse("study:rotation-fill", args=[season.slug]),
        {f"slot_{slot.pk}": first.pk for slot in slots},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[f"slot_{slots[1].pk}"] == [
        f"{first.display_name} has another slot on this session."
    ]
    assert TalkSlot.objects.held().count() == 0


def test_away_toggle_is_the_members_own_and_idempotent(member, season):
    on_roster(season, member)
    client = Client()
    client.force_login(member)
    url = reverse("study:away-set", args=[season.slug])
    client.post(url, {"value": "1"})
    client.post(url, {"value": "1"})
    assert SeasonMembership.objects.get(member=member).away is True
    client.post(url, {"value": "0"})
    assert SeasonMembership.objects.get(member=member).away is False


# --- Pages ------------------------------------------------------------------


def test_session_page_shows_slots_and_papers(member_client, member, presenter, season):
    on_roster(season, member, presenter)
    session = factories.upcoming_session(number=9, season=season)
    held = factories.TalkSlotFactory(session=session, holder=presenter, theme="확산 모델")
    factories.TalkSlotFactory(session=session)
    factories.NominationFactory(
        season=season, slot=held, paper=factories.PaperFactory(title="DDPM")
    )
    page = member_client.get(session.get_absolute_url()).content.decode()
    assert "Slot 1</strong> · 확산 모델" in page
    assert "In preparation" in page
    assert "From the backlog:" in page and "DDPM" in page
    assert page.count("Claim this slot") == 1


def test_session_page_shows_a_slot_added_after_it_was_cached(member_client, member, season):
    on_roster(season, member)
    session = factories.upcoming_session(number=9, season=season)
    assert "Claim this slot" not in member_client.get(session.get_absolute_url()).content.decode()
    factories.TalkSlotFactory(session=session, theme="새 자리")
    page = member_client.get(session.get_absolute_url()).content.decode()
    assert "Slot 1</strong> · 새 자리" in page
    assert page.count("Claim this slot") == 1


def test_home_and_profile_show_my_next_talk(member_client, member, season):
    session = factories.upcoming_session(number=9, season=season)
    factories.TalkSlotFactory(session=session, holder=member)
    expected = f"My next talk: {session.full_name}"
    assert expected in member_client.get(reverse("study:home")).content.decode()
    assert expected in member_client.get(member.get_absolute_url()).content.decode()


def test_calendar_lists_presenters_and_papers(member, presenter, season):
    session = factories.upcoming_session(number=9, season=season)
    paper = factories.PaperFactory(title="DDPM", url="https://arxiv.org/abs/2006.11239")
    factories.PresentationFactory(
        session=session, topic="확산", presenters=[member], papers=[paper]
    )
    held = factories.TalkSlotFactory(session=session, holder=presenter)
    factories.NominationFactory(
        season=season, slot=held, paper=factories.PaperFactory(title="Score SDE")
    )
    body = (
        Client().get(reverse("study:feed-calendar", args=[member.calendar_token])).content.decode()
    )
    unfolded = body.replace("\r\n ", "")
    assert f"- 확산 ({member.label})\\n  DDPM https://arxiv.org/abs/2006.11239" in unfolded
    assert f"- In preparation ({presenter.label})\\n  Score SDE" in unfolded


def test_merging_members_keeps_one_vote_and_one_slot_per_session(presenter, member, season):
    nomination = factories.NominationFactory(season=season)
    NominationVote.set_vote(nomination, presenter, True)
    NominationVote.set_vote(nomination, member, True)
    session = factories.upcoming_session(number=90, season=season)
    kept = factories.TalkSlotFactory(session=session, holder=presenter)
    theirs = factories.TalkSlotFactory(session=session, holder=member)
    elsewhere = factories.TalkSlotFactory(
        session=factories.upcoming_session(number=91, season=season), holder=member
    )
    presenter.absorb(member)
    assert list(NominationVote.objects.values_list("member", flat=True)) == [presenter.pk]
    assert [TalkSlot.objects.get(pk=slot.pk).holder for slot in (kept, theirs, elsewhere)] == [
        presenter,
        None,
        presenter,
    ]


def test_export_writes_planned_session_with_its_talks_and_no_slots(
    presenter, member, season, tmp_path
):
    """A planned session exports like any other, with the talks posted so
    far; its open and in-preparation slots have nothing to write."""
    from sessions.legacy.exporter import export_all

    session = factories.upcoming_session(number=9, season=season)
    talk = factories.PresentationFactory(
        session=session, topic="확산 모델 입문", presenters=[presenter]
    )
    factories.TalkSlotFactory(session=session, holder=presenter, talk=talk)
    factories.TalkSlotFactory(session=session, holder=member)
    factories.TalkSlotFactory(session=session)
    [path] = export_all(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert path.name == "009주차.md"
    assert "## 확산 모델 입문" in text
    assert member.display_name not in text


def test_current_rotation_address_redirects_to_the_current_seasons(member_client, season):
    response = member_client.get(reverse("study:rotation-current"))
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("study:rotation", args=[season.slug]),
    )


def test_current_rotation_without_seasons_is_404(member_client):
    assert member_client.get(reverse("study:rotation-current")).status_code == 404


def test_opening_slots_on_a_past_session_is_a_form_error(organizer_client, season):
    session = factories.StudySessionFactory(season=season, date=days(-1))
    response = organizer_client.post(
        reverse("study:slot-open", args=session.url_args), {"count": 2}
    )
    assert response.context["form"].non_field_errors() == [
        "This session took place already: slots are for coming sessions."
    ]
    assert TalkSlot.objects.count() == 0


def test_opening_slots_adds_them_after_the_sessions_others(organizer_client, season):
    session = factories.upcoming_session(season=season)
    factories.TalkSlotFactory(session=session, position=0)
    organizer_client.post(
        reverse("study:slot-open", args=session.url_args), {"count": 2, "theme": " 확산 "}
    )
    assert list(session.slots.order_by("position").values_list("position", "theme")) == [
        (0, ""),
        (1, "확산"),
        (2, "확산"),
    ]


def test_organizer_assigns_slot_to_a_roster_member_only(organizer_client, member, season):
    on_roster(season, member)
    outsider = factories.MemberFactory()
    slot = factories.TalkSlotFactory(session=factories.upcoming_session(season=season))
    url = reverse("study:slot-assign", args=[slot.pk])
    response = organizer_client.post(url, {"member": outsider.pk}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Choose a member of the season's roster."
    ]
    assert TalkSlot.objects.get(pk=slot.pk).holder is None
    organizer_client.post(url, {"member": member.pk})
    assert TalkSlot.objects.get(pk=slot.pk).holder == member


def test_backlog_filters_and_unknown_filter(member_client, presenter, season):
    slot = factories.TalkSlotFactory(
        session=factories.upcoming_session(number=9, season=season), holder=presenter
    )
    open_one = factories.NominationFactory(season=season)
    scheduled = factories.NominationFactory(season=season, slot=slot)
    url = reverse("study:backlog", args=[season.slug])
    assert list(member_client.get(url).context["page"].object_list) == [open_one]
    page = member_client.get(url, {"status": "scheduled"})
    assert list(page.context["page"].object_list) == [scheduled]
    assert f"To be presented at {slot.session.full_name}" in page.content.decode()
    assert member_client.get(url, {"status": "nope"}).status_code == 404


def test_backlog_says_discussed_once_the_session_took_place(member_client, presenter, season):
    session = factories.StudySessionFactory(season=season, number=8, date=days(-3))
    slot = TalkSlot.objects.create(session=session, holder=presenter, claimed_at=timezone.now())
    factories.NominationFactory(season=season, slot=slot)
    page = member_client.get(reverse("study:backlog", args=[season.slug]), {"status": "discussed"})
    assert f"Discussed at {session.full_name}" in page.content.decode()


def csrf_of_backlog(client, url, nomination):
    """The CSRF token in the vote form of `nomination` on the backlog page."""
    page = client.get(url).content.decode()
    form = page[page.index(reverse("study:nomination-vote", args=[nomination.pk])) :]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def test_backlog_from_the_cache_carries_the_viewers_own_csrf_token(member, presenter, season):
    on_roster(season, member, presenter)
    nomination = factories.NominationFactory(season=season)
    url = reverse("study:backlog", args=[season.slug])
    vote_url = reverse("study:nomination-vote", args=[nomination.pk])
    first = Client(enforce_csrf_checks=True)
    first.force_login(member)
    first_token = csrf_of_backlog(first, url, nomination)
    # The same member in another browser (another CSRF cookie) is served the
    # cached part and votes with it.
    other = Client(enforce_csrf_checks=True)
    other.force_login(member)
    other_token = csrf_of_backlog(other, url, nomination)
    assert CSRF_PLACEHOLDER not in other.get(url).content.decode()
    assert (
        other.post(vote_url, {"value": "1", "csrfmiddlewaretoken": first_token}).status_code == 403
    )
    response = other.post(vote_url, {"value": "1", "csrfmiddlewaretoken": other_token})
    assert response.status_code == 302
    assert NominationVote.objects.filter(nomination=nomination, member=member).count() == 1


def test_backlog_pages_keep_the_filter(member_client, season):
    factories.NominationFactory.create_batch(21, season=season)
    url = reverse("study:backlog", args=[season.slug])
    first = member_client.get(url, {"status": "open"}).content.decode()
    assert first.count('class="card nomination"') == 20
    assert '<a href="?status=open&amp;page=2" rel="next">' in first
    second = member_client.get(url, {"status": "open", "page": "2"}).content.decode()
    assert second.count('class="card nomination"') == 1
    assert '<a href="?status=open&amp;page=1" rel="prev">' in second
