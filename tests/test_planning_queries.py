"""The planning pages run the same number of queries for one item as for
twenty: roster members on the rotation, nominations on the backlog, slots
on the session page, home and the rotation's fill."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories


@pytest.fixture
def season(db):
    return factories.default_season()


def viewer(season, organizer=False):
    person = (factories.OrganizerFactory if organizer else factories.MemberFactory)()
    factories.SeasonMembershipFactory(season=season, member=person)
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.parametrize("count", [1, 20])
def test_rotation_queries(season, count, django_assert_num_queries):
    for member in factories.MemberFactory.create_batch(count):
        factories.SeasonMembershipFactory(season=season, member=member)
        factories.PresentationFactory(
            session=factories.StudySessionFactory(season=season), presenters=[member]
        )
    client = viewer(season)
    # Session, user, season, roster, talks, held slots, organizers, open slots.
    with django_assert_num_queries(7):
        response = client.get(reverse("study:rotation", args=[season.slug]))
    assert len(response.context["order"]) == count + 1


@pytest.mark.parametrize("count", [1, 20])
def test_backlog_queries(season, count, django_assert_num_queries):
    holder = factories.MemberFactory()
    factories.SeasonMembershipFactory(season=season, member=holder)
    factories.TalkSlotFactory(session=factories.upcoming_session(season=season), holder=holder)
    for nomination in factories.NominationFactory.create_batch(count, season=season):
        factories.NominationVoteFactory(nomination=nomination)
    client = Client()
    client.force_login(holder)
    # Session, user, season, organizers, roster check, count, page, my
    # votes, my slots to take papers into.
    with django_assert_num_queries(8):
        response = client.get(reverse("study:backlog", args=[season.slug]))
    assert response.content.decode().count('class="card nomination"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_session_page_with_slots_queries(season, count, django_assert_num_queries):
    session = factories.upcoming_session(season=season)
    for index in range(count):
        holder = factories.MemberFactory()
        factories.SeasonMembershipFactory(season=season, member=holder)
        slot = factories.TalkSlotFactory(session=session, holder=holder if index % 2 else None)
        factories.NominationFactory(season=season, slot=slot)
    client = viewer(season)
    # Versions, session, user, the session, organizers, talks (with
    # presenters and papers), attendance, reflections, slots, their
    # backlog papers, the roster, the questions carried over, the action
    # items due.
    with django_assert_num_queries(10):
        response = client.get(session.get_absolute_url())
    assert response.content.decode().count('class="card slot"') == count
    with django_assert_num_queries(2):
        client.get(session.get_absolute_url())


@pytest.mark.parametrize("count", [1, 20])
def test_home_with_slots_queries(season, count, django_assert_num_queries):
    for _ in range(count):
        factories.TalkSlotFactory(
            session=factories.upcoming_session(season=season), holder=factories.MemberFactory()
        )
    client = viewer(season)
    with django_assert_num_queries(9):
        response = client.get(reverse("study:home"))
    assert response.content.decode().count("In preparation") == count


@pytest.mark.parametrize("count", [1, 20])
def test_rotation_fill_queries(season, count, django_assert_num_queries):
    for _ in range(count):
        factories.SeasonMembershipFactory(season=season, member=factories.MemberFactory())
    session = factories.upcoming_session(season=season)
    factories.TalkSlotFactory.create_batch(count, session=session)
    client = viewer(season, organizer=True)
    # Session, user, season, open slots, roster, talks, held slots, slots
    # held on those sessions, the roster for the choices (once for all).
    with django_assert_num_queries(9):
        response = client.get(reverse("study:rotation-fill", args=[season.slug]))
    assert len(response.context["form"].fields) == count
