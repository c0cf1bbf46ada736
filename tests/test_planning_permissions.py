"""Who may do what in planning, per role, for every new view.

Roles: anonymous (sent to log in), an outsider (a member of the group not on
the season's roster), a roster member, the presenter (holder of a slot) and
an organizer of the group. A refused request answers 403 and changes
nothing; the database is compared before and after.
"""

import datetime

import pytest
from django.test import Client
from django.urls import resolve, reverse

from sessions.models import Nomination, NominationVote, SeasonMembership, TalkSlot
from tests import factories

ROLES = ["anonymous", "outsider", "member", "presenter", "organizer"]


@pytest.fixture
def plan(organizer, presenter, member):
    season = factories.default_season()
    outsider = factories.MemberFactory(username="outsider", display_name="박외부")
    for person in (presenter, member):
        factories.SeasonMembershipFactory(season=season, member=person)
    session = factories.upcoming_session(number=9, season=season)
    held = factories.TalkSlotFactory(session=session, holder=presenter)
    # On another session: the presenter may claim it too.
    free = factories.TalkSlotFactory(
        session=factories.upcoming_session(days=14, number=10, season=season)
    )
    nomination = factories.NominationFactory(season=season, author=member)
    clients = {"anonymous": Client()}
    for role, person in [
        ("outsider", outsider),
        ("member", member),
        ("presenter", presenter),
        ("organizer", organizer),
    ]:
        clients[role] = Client()
        clients[role].force_login(person)
    return {
        "season": season,
        "session": session,
        "held": held,
        "free": free,
        "nomination": nomination,
        "clients": clients,
        "member": member,
    }


def state():
    """Everything planning writes."""
    return (
        list(TalkSlot.objects.order_by("pk").values_list("pk", "holder", "talk", "given_back_by")),
        list(Nomination.objects.order_by("pk").values_list("pk", "slot", "withdrawn_at")),
        list(NominationVote.objects.order_by("pk").values_list("nomination", "member")),
        list(SeasonMembership.objects.order_by("pk").values_list("pk", "away")),
    )


def request_for(name, plan):
    """(method, url, data) of the view `name` on the `plan` fixture."""
    season, session, nomination = plan["season"].slug, plan["session"], plan["nomination"]
    return {
        "slot-open": ("post", reverse("study:slot-open", args=session.url_args), {"count": 2}),
        "slot-open-form": ("get", reverse("study:slot-open", args=session.url_args), None),
        "slot-claim": ("post", reverse("study:slot-claim", args=[plan["free"].pk]), {}),
        "slot-assign": (
            "post",
            reverse("study:slot-assign", args=[plan["free"].pk]),
            {"member": plan["member"].pk},
        ),
        "slot-release": ("post", reverse("study:slot-release", args=[plan["held"].pk]), {}),
        "rotation": ("get", reverse("study:rotation", args=[season]), None),
        "rotation-fill-form": ("get", reverse("study:rotation-fill", args=[season]), None),
        "rotation-fill": (
            "post",
            reverse("study:rotation-fill", args=[season]),
            {f"slot_{plan['free'].pk}": plan["member"].pk},
        ),
        "away-set": ("post", reverse("study:away-set", args=[season]), {"value": "1"}),
        "backlog": ("get", reverse("study:backlog", args=[season]), None),
        "nomination-form": ("get", reverse("study:nomination-create", args=[season]), None),
        "nomination-create": (
            "post",
            reverse("study:nomination-create", args=[season]),
            {"link": "https://arxiv.org/abs/2006.11239", "title": "DDPM"},
        ),
        "nomination-vote": (
            "post",
            reverse("study:nomination-vote", args=[nomination.pk]),
            {"value": "1"},
        ),
        "nomination-withdraw": (
            "post",
            reverse("study:nomination-withdraw", args=[nomination.pk]),
            {},
        ),
        "nomination-take": (
            "post",
            reverse("study:nomination-take", args=[nomination.pk]),
            {"slot": plan["held"].pk},
        ),
    }[name]


# View -> the status each role gets (anonymous, outsider, member, presenter, organizer).
# 302 after a write is its redirect; "login" is the redirect to the login page.
EXPECTED = {
    "slot-open-form": ["login", 403, 403, 403, 200],
    "slot-open": ["login", 403, 403, 403, 302],
    "slot-claim": ["login", 403, 302, 302, 302],
    "slot-assign": ["login", 403, 403, 403, 302],
    "slot-release": ["login", 403, 403, 302, 302],
    "rotation": ["login", 200, 200, 200, 200],
    "rotation-fill-form": ["login", 403, 403, 403, 200],
    "rotation-fill": ["login", 403, 403, 403, 302],
    # Organizers of the group who are not on the roster have no away to set.
    "away-set": ["login", 403, 302, 302, 403],
    "backlog": ["login", 200, 200, 200, 200],
    "nomination-form": ["login", 403, 200, 200, 200],
    "nomination-create": ["login", 403, 302, 302, 302],
    "nomination-vote": ["login", 403, 302, 302, 302],
    # The member nominated it; the presenter did not.
    "nomination-withdraw": ["login", 403, 302, 403, 302],
    # The presenter holds a slot; the member does not.
    "nomination-take": ["login", 403, 403, 302, 302],
}


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("name", EXPECTED)
def test_planning_view_per_role(name, role, role_index, plan):
    method, url, data = request_for(name, plan)
    before = state()
    response = getattr(plan["clients"][role], method)(url, data)
    expected = EXPECTED[name][role_index]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if expected in ("login", 403) or method == "get":
        assert state() == before
    else:
        assert state() != before


def test_every_planning_view_has_its_permissions_tested(plan):
    from sessions.urls import urlpatterns

    planning = {p.name for p in urlpatterns if p.callback.__module__ == "sessions.views.planning"}
    tested = {resolve(request_for(name, plan)[1]).url_name for name in EXPECTED}
    # The current season's rotation only redirects to the season's one.
    assert sorted(planning - tested) == ["rotation-current"]


def test_claim_on_past_session_changes_nothing(member):
    season = factories.default_season()
    factories.SeasonMembershipFactory(season=season, member=member)
    slot = factories.TalkSlotFactory(
        session=factories.StudySessionFactory(season=season, date=datetime.date(2025, 3, 7))
    )
    client = Client()
    client.force_login(member)
    response = client.post(reverse("study:slot-claim", args=[slot.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"{slot.session.full_name} took place already: its slots are closed."
    ]
    assert TalkSlot.objects.get(pk=slot.pk).holder is None
