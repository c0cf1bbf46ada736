"""The demo data of `make run`: realistic, loadable twice, with a working organizer login."""

import pytest
from django.core.management import call_command

from sessions.demo import DEMO_PASSWORD, DEMO_USERNAME
from sessions.models import (
    Answer,
    Member,
    Nomination,
    NominationVote,
    Paper,
    Presentation,
    Question,
    Reflection,
    Season,
    StudySession,
    TalkSlot,
)

pytestmark = pytest.mark.django_db


def _counts():
    return [
        model.objects.count()
        for model in (
            Member,
            StudySession,
            Presentation,
            Paper,
            Question,
            Answer,
            Reflection,
            TalkSlot,
            Nomination,
            NominationVote,
        )
    ]


def test_load_demo_twice_changes_nothing(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    # Two papers more than the talks cover: the backlog's nominations.
    assert _counts() == first == [5, 7, 8, 8, 5, 4, 6, 3, 2, 3]


def test_load_demo_prints_a_login_that_opens_the_admin(capsys, client):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert f"username: {DEMO_USERNAME}\n  password: {DEMO_PASSWORD}" in out
    organizer = Member.objects.get(username=DEMO_USERNAME)
    assert organizer.check_password(DEMO_PASSWORD) is True
    client.force_login(organizer)
    response = client.get("/admin/study/studysession/")
    assert response.context["cl"].result_count == 7


def test_load_demo_has_an_upcoming_session():
    call_command("load_demo", verbosity=0)
    assert StudySession.objects.upcoming().first().number == 5


def test_load_demo_has_two_seasons_each_with_a_first_session():
    call_command("load_demo", verbosity=0)
    assert sorted(StudySession.objects.filter(number=1).values_list("season__slug", flat=True)) == [
        "season-1",
        "season-2",
    ]
    assert Season.objects.current().slug == "season-2"
