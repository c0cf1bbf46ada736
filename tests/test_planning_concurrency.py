"""Planning under simultaneous requests, in threads on PostgreSQL: members
claiming one slot at once leave one holder and clear messages for the
others; members double-clicking a vote leave one vote each; never a 500.

Every request waits, just before it writes, until all of them are there:
then they write at the same moment.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from sessions.models import NominationVote, TalkSlot
from tests import factories
from tests.editing import window
from tests.test_concurrent_saves import at_once, validated_together  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

CLAIMS = 6
VOTERS = 4


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite's in-memory test database cannot queue writers from threads"
        )


@pytest.fixture
def claimed_together(monkeypatch):
    """Each of the next `n` claims waits for the others before it writes."""

    def arrange(parties):
        barrier = threading.Barrier(parties, timeout=30)
        claim = TalkSlot.claim

        def waiting_claim(slot, member):
            barrier.wait()
            return claim(slot, member)

        monkeypatch.setattr(TalkSlot, "claim", waiting_claim)

    return arrange


def test_members_claiming_one_slot_at_once_leave_one_holder(claimed_together):
    season = factories.default_season()
    members = factories.MemberFactory.create_batch(CLAIMS)
    for member in members:
        factories.SeasonMembershipFactory(season=season, member=member)
    slot = factories.TalkSlotFactory(session=factories.upcoming_session(season=season))
    url = reverse("study:slot-claim", args=[slot.pk])
    windows = [window(member) for member in members]
    claimed_together(CLAIMS)

    results = at_once([(w, url, {}) for w in windows])

    assert [status for status, page in results] == [302] * CLAIMS
    holder = TalkSlot.objects.get(pk=slot.pk).holder
    assert holder in members
    assert TalkSlot.objects.held().count() == 1
    # Each loser sees who was faster on the session page it is sent to.
    pages = [w.get(slot.session.get_absolute_url()).content.decode() for w in windows]
    faster = f"Someone was a moment faster: this slot is taken by {holder.display_name}. Choose another open slot."
    assert sum(faster in page for page in pages) == CLAIMS - 1


def test_members_voting_twice_at_once_leave_one_vote_each(validated_together):  # noqa: F811
    season = factories.default_season()
    voters = factories.MemberFactory.create_batch(VOTERS)
    for voter in voters:
        factories.SeasonMembershipFactory(season=season, member=voter)
    nomination = factories.NominationFactory(season=season)
    url = reverse("study:nomination-vote", args=[nomination.pk])
    # Two windows per voter: a double click, or two tabs.
    posts = [(window(voter), url, {"value": "1"}) for voter in voters for _twice in range(2)]
    validated_together(len(posts))

    results = at_once(posts)

    assert [status for status, page in results] == [302] * len(posts)
    assert sorted(
        NominationVote.objects.filter(nomination=nomination).values_list("member", flat=True)
    ) == sorted(voter.pk for voter in voters)
