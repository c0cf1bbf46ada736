"""Seasons: the current season, the season page and its forms, the roster,
old session addresses, the import into seasons and the migration that
brought them."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.legacy.exporter import export_all
from sessions.models import Season, SeasonMembership, StudySession
from tests import factories
from tests.factories import SEASON

FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures" / "legacy"

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


# The current season


def test_current_season_is_the_one_whose_dates_hold_today():
    factories.SeasonFactory(slug="past", starts_on=days(-300), ends_on=days(-100))
    running = factories.SeasonFactory(slug="running", starts_on=days(-50), ends_on=days(50))
    factories.SeasonFactory(slug="future", starts_on=days(10))
    assert Season.objects.current() == running


def test_current_season_without_one_holding_today_is_the_latest():
    factories.SeasonFactory(slug="older", starts_on=days(-300), ends_on=days(-200))
    latest = factories.SeasonFactory(slug="later", starts_on=days(-100), ends_on=days(-50))
    assert Season.objects.current() == latest
    assert [s.slug for s in Season.objects.current_first()] == ["later", "older"]


def test_current_season_with_no_seasons_is_none():
    assert Season.objects.current() is None


# Season page


def test_season_page_shows_sessions_roster_and_participation(member_client, member, talk):
    season = talk.session.season
    SeasonMembership.objects.create(season=season, member=member)
    SeasonMembership.objects.create(
        season=season, member=talk.ordered_presenters()[0], role=SeasonMembership.Role.ORGANIZER
    )
    factories.QuestionFactory(presentation=talk, asked_by=member)
    content = member_client.get(season.get_absolute_url()).content.decode()
    assert '<h1>2025 논문 스터디 <span class="badge">Current season</span></h1>' in content
    assert '<a class="session-number" href="/seasons/2025/6/">Session 6</a>' in content
    rows = re.findall(
        r'<th scope="row"><a href="/members/\d+/">([^<]+)</a>(.*?)</th>\s*'
        r"<td>(\d+)</td>\s*<td>(\d+)</td>",
        content,
    )
    assert rows == [
        ("🐼 강발표", ' <span class="badge">Organizer</span>', "1", "0"),
        ("🐱 조회원", "", "0", "1"),
    ]
    # Members see the roster but cannot change the season.
    assert reverse("study:season-roster", args=[SEASON]) not in content


def test_season_page_unknown_is_404(member_client):
    assert member_client.get("/seasons/nope/").status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_season_page_query_count_does_not_grow(member_client, count, django_assert_num_queries):
    season = factories.default_season()
    for number in range(1, count + 1):
        factories.StudySessionFactory(number=number)
        SeasonMembership.objects.create(season=season, member=factories.MemberFactory())
    # versions, user, season, its organizers, sessions, roster roles, roster
    # count, roster page with counts, current season
    with django_assert_num_queries(8):
        response = member_client.get(season.get_absolute_url())
    content = response.content.decode()
    assert content.count('class="session-number"') == count
    assert content.count('<th scope="row">') == count
    # Again: versions and user; everything else comes from the cache but the
    # bell's unread count.
    with django_assert_num_queries(2):
        member_client.get(season.get_absolute_url())


# Creating and editing seasons


def season_data(**overrides):
    data = {
        "name": "부캠 3기",
        "slug": "",
        "starts_on": "2026-09-01",
        "ends_on": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_season_create_by_organizer_makes_the_slug_from_the_name(organizer_client):
    response = organizer_client.post(reverse("study:season-create"), season_data())
    season = Season.objects.get()
    assert (season.name, season.slug, season.starts_on) == (
        "부캠 3기",
        "부캠-3기",
        datetime.date(2026, 9, 1),
    )
    assert response["Location"] == season.get_absolute_url()


def test_season_create_by_member_is_403_and_changes_nothing(member_client):
    response = member_client.post(reverse("study:season-create"), season_data())
    assert response.status_code == 403
    assert Season.objects.count() == 0


def test_season_create_anonymous_goes_to_login(outsider_client):
    response = outsider_client.get(reverse("study:season-create"))
    assert response["Location"] == "/accounts/login/?next=/seasons/new/"


@pytest.mark.parametrize(
    "overrides, errors",
    [
        (
            {"slug": "new"},
            {"slug": ["This address is taken by a page of the app; choose another."]},
        ),
        ({"name": "2025 논문 스터디"}, {"name": ["A season with this name already exists."]}),
        ({"slug": SEASON}, {"slug": ["Another season already has this address."]}),
        (
            {"starts_on": "2026-09-01", "ends_on": "2026-08-01"},
            {"ends_on": ["The season cannot end before it starts."]},
        ),
    ],
)
def test_season_create_bad_input_is_a_form_error(organizer_client, overrides, errors):
    factories.default_season()
    response = organizer_client.post(reverse("study:season-create"), season_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Season.objects.count() == 1


def test_season_edit_by_season_organizer_works_and_by_member_is_403(member, presenter):
    season = factories.default_season()
    SeasonMembership.objects.create(
        season=season, member=presenter, role=SeasonMembership.Role.ORGANIZER
    )
    SeasonMembership.objects.create(season=season, member=member)
    url = reverse("study:season-edit", args=[SEASON])
    as_member, as_season_organizer = Client(), Client()
    as_member.force_login(member)
    as_season_organizer.force_login(presenter)
    assert as_member.post(url, season_data(slug=SEASON)).status_code == 403
    assert Season.objects.get().name == "2025 논문 스터디"
    response = as_season_organizer.post(url, season_data(slug=SEASON, name="2025 봄"))
    assert response.status_code == 302
    assert Season.objects.get().name == "2025 봄"


def test_season_organizer_schedules_sessions_of_their_season_only(presenter):
    season = factories.default_season()
    other = factories.SeasonFactory(slug="other", name="다른 시즌")
    SeasonMembership.objects.create(
        season=season, member=presenter, role=SeasonMembership.Role.ORGANIZER
    )
    client = Client()
    client.force_login(presenter)
    data = {
        "season": str(season.pk),
        "number": "1",
        "date": "2026-01-02",
        "title": "",
        "place": "",
        "video_url": "",
        "notes": "",
    }
    assert client.post(reverse("study:session-create") + "?season=2025", data).status_code == 302
    assert client.get(reverse("study:session-create") + "?season=other").status_code == 403
    assert client.post(
        reverse("study:session-create") + "?season=2025", {**data, "season": str(other.pk)}
    ).context["form"].errors == {
        "season": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert StudySession.objects.count() == 1


# Roster


def test_roster_edit_adds_removes_and_names_organizers(organizer_client, member, presenter):
    season = factories.default_season()
    gone = factories.MemberFactory()
    SeasonMembership.objects.create(season=season, member=gone)
    url = reverse("study:season-roster", args=[SEASON])
    organizer_client.get(url)
    response = organizer_client.post(
        url,
        {
            "members": [member.pk, presenter.pk],
            "organizers": [presenter.pk],
            "initial-members": [gone.pk],
            "initial-organizers": [],
        },
    )
    assert response.status_code == 302
    assert sorted(season.memberships.values_list("member__username", "role")) == [
        ("member", "member"),
        ("presenter", "organizer"),
    ]


def test_roster_edits_of_two_organizers_at_once_both_stay(organizer_client, member, presenter):
    """Each form applies only what its organizer changed from what they were shown."""
    season = factories.default_season()
    url = reverse("study:season-roster", args=[SEASON])
    # Both opened the empty roster; one adds the member, the other the presenter.
    organizer_client.post(url, {"members": [member.pk], "initial-members": []})
    organizer_client.post(url, {"members": [presenter.pk], "initial-members": []})
    assert sorted(season.memberships.values_list("member__username", flat=True)) == [
        "member",
        "presenter",
    ]


def test_roster_edit_by_member_is_403(member_client):
    factories.default_season()
    response = member_client.post(reverse("study:season-roster", args=[SEASON]), {"members": []})
    assert response.status_code == 403


# Old session addresses


@pytest.mark.parametrize(
    "old, new",
    [
        ("/sessions/6/", "/seasons/2025/6/"),
        ("/sessions/6/edit/", "/seasons/2025/6/edit/"),
        ("/sessions/6/delete/", "/seasons/2025/6/delete/"),
        ("/sessions/6/talks/new/", "/seasons/2025/6/talks/new/"),
        ("/sessions/6/reflection/", "/seasons/2025/6/reflection/"),
        ("/sessions/6/reflection/?template=kpt", "/seasons/2025/6/reflection/?template=kpt"),
        ("/sessions/6/attendance/mark/", "/seasons/2025/6/attendance/mark/"),
    ],
)
def test_old_session_address_answers_301_to_its_place_in_the_season(member_client, old, new):
    factories.StudySessionFactory(number=6, legacy_number=6)
    # A newer season's 6주차 does not take the old address over.
    factories.StudySessionFactory(season=factories.SeasonFactory(slug="next"), number=6)
    response = member_client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_old_session_address_of_a_renumbered_session_still_finds_it(member_client):
    factories.StudySessionFactory(number=9, legacy_number=6)
    response = member_client.get("/sessions/6/")
    assert response["Location"] == "/seasons/2025/9/"


@pytest.mark.parametrize("old", ["/sessions/99/", "/sessions/6/unknown/"])
def test_old_session_address_unknown_is_404(member_client, old):
    factories.StudySessionFactory(number=6, legacy_number=6)
    assert member_client.get(old).status_code == 404


# Import into seasons


def run(*args):
    out = io.StringIO()
    try:
        call_command("import_legacy", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def session_note(number, date, title="모임"):
    return f"# {number}주차 {title}\n**발표일**: {date}\n\n# 주제\n## 주제 하나\n- 발표자: 김민지\n".encode()


def test_import_with_season_creates_it_and_says_so(tmp_path):
    (tmp_path / "a.md").write_bytes(session_note(1, "2024.03.01"))
    output, status = run("--season", "2024 봄", str(tmp_path))
    assert status == 0
    assert re.search(r"^seasons\s+1\s+0\s+0\s+0$", output, re.M)
    session = StudySession.objects.get()
    assert (session.season.name, session.season.slug, session.number) == ("2024 봄", "2024-봄", 1)


def test_import_without_season_goes_to_the_current_season(tmp_path):
    current = factories.SeasonFactory(slug="now", name="지금", starts_on=days(-10))
    (tmp_path / "a.md").write_bytes(session_note(3, "2024.03.01"))
    assert run(str(tmp_path))[1] == 0
    assert StudySession.objects.get().season == current


def test_import_number_taken_in_the_season_is_one_line_and_writes_nothing(tmp_path):
    factories.StudySessionFactory(number=1, date=datetime.date(2025, 1, 3))
    (tmp_path / "a.md").write_bytes(session_note(1, "2024.03.01", "다른 모임"))
    output, status = run("--season", "2025 논문 스터디", str(tmp_path))
    assert status == 1
    assert (
        f"  {tmp_path / 'a.md'}: season '2025 논문 스터디' already has session 1, dated 2025-01-03, "
        "not 2024-03-01 as in this file: import it into another season (--season)"
    ) in output.splitlines()
    assert StudySession.objects.get().title == "1주차 논문 읽기"


def test_import_same_number_into_two_seasons_imports_both(tmp_path):
    (tmp_path / "a.md").write_bytes(session_note(1, "2024.03.01"))
    (tmp_path / "b.md").write_bytes(session_note(1, "2025.03.07"))
    assert run("--season", "시즌 1", str(tmp_path / "a.md"))[1] == 0
    assert run("--season", "시즌 2", str(tmp_path / "b.md"))[1] == 0
    assert sorted(StudySession.objects.values_list("season__name", "number")) == [
        ("시즌 1", 1),
        ("시즌 2", 1),
    ]


def test_export_then_import_restores_the_seasons(tmp_path):
    first = factories.SeasonFactory(slug="s1", name="시즌 1")
    second = factories.SeasonFactory(slug="s2", name="시즌 2")
    factories.PresentationFactory(session=factories.StudySessionFactory(season=first, number=1))
    factories.PresentationFactory(session=factories.StudySessionFactory(season=second, number=1))
    paths = export_all(tmp_path / "out")
    assert sorted(str(p.relative_to(tmp_path / "out")) for p in paths) == [
        "sessions/s1/001주차.md",
        "sessions/s2/001주차.md",
    ]
    StudySession.objects.all().delete()
    Season.objects.all().delete()
    assert run(str(tmp_path / "out"))[1] == 0
    assert sorted(StudySession.objects.values_list("season__name", "number")) == [
        ("시즌 1", 1),
        ("시즌 2", 1),
    ]


# The migration


@pytest.mark.django_db(transaction=True)
def test_migration_puts_every_session_into_one_season_and_back(versions_paused):
    executor = MigrationExecutor(connection)
    executor.migrate([("study", "0006_content_version")])
    old = executor.loader.project_state([("study", "0006_content_version")]).apps
    Member = old.get_model("study", "Member")
    Session = old.get_model("study", "StudySession")
    Presentation = old.get_model("study", "Presentation")
    Question = old.get_model("study", "Question")
    Reflection = old.get_model("study", "Reflection")
    author = Member.objects.create(username="m", display_name="김민지", role="organizer")
    for number, day in [(1, datetime.date(2024, 11, 1)), (2, datetime.date(2025, 2, 7))]:
        session = Session.objects.create(number=number, date=day)
        talk = Presentation.objects.create(session=session, topic=f"주제 {number}")
        Question.objects.create(presentation=talk, body="질문", position=1)
        Reflection.objects.create(kind="session", session=session, author=author, body="소감")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    season = Season.objects.get()
    assert (season.name, season.slug, season.starts_on) == (
        "2024–2025",
        "2024-2025",
        datetime.date(2024, 11, 1),
    )
    assert list(StudySession.objects.values_list("season_id", "number", "legacy_number")) == [
        (season.pk, 2, 2),
        (season.pk, 1, 1),
    ]
    assert list(season.memberships.values_list("member__username", "role")) == [("m", "organizer")]
    assert (Presentation.objects.count(), Question.objects.count(), Reflection.objects.count()) == (
        2,
        2,
        2,
    )

    executor = MigrationExecutor(connection)
    executor.migrate([("study", "0006_content_version")])
    old = executor.loader.project_state([("study", "0006_content_version")]).apps
    assert sorted(
        old.get_model("study", "StudySession").objects.values_list("number", flat=True)
    ) == [1, 2]
    assert old.get_model("study", "Reflection").objects.count() == 2
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize(
    "url", ["/seasons/a%00b/", "/seasons/a%00b/6/", "/sessions/new/?season=a%00b"]
)
def test_season_address_that_no_slug_can_be_is_404_or_ignored(organizer_client, url):
    """A NUL character made PostgreSQL refuse the query (a 500)."""
    factories.StudySessionFactory(number=6)
    assert organizer_client.get(url).status_code == (200 if "?season" in url else 404)


@pytest.mark.django_db
def test_season_organizer_ids_loaded_with_the_season_need_no_query(django_assert_num_queries):
    season = factories.SeasonFactory()
    organizers = factories.SeasonMembershipFactory.create_batch(
        3, season=season, role=SeasonMembership.Role.ORGANIZER
    )
    factories.SeasonMembershipFactory(season=season)  # on the roster, not organizing
    other = factories.SeasonFactory()
    factories.SeasonMembershipFactory(season=other, role=SeasonMembership.Role.ORGANIZER)
    with django_assert_num_queries(1):
        loaded = Season.objects.with_organizer_ids().get(pk=season.pk)
        assert loaded.organizer_ids() == {membership.member_id for membership in organizers}
    assert loaded.organizer_ids() == season.organizer_ids()


@pytest.mark.django_db
def test_session_found_with_its_season_organizers_needs_no_second_query(
    django_assert_num_queries,
):
    session = factories.StudySessionFactory()
    organizer = factories.SeasonMembershipFactory(
        season=session.season, role=SeasonMembership.Role.ORGANIZER
    ).member
    lonely = factories.StudySessionFactory(season=factories.SeasonFactory())
    with django_assert_num_queries(2):
        found = StudySession.objects.for_session_page().find(session.season.slug, session.number)
        assert found.season.organizer_ids() == {organizer.pk}
        alone = StudySession.objects.for_session_page().find(lonely.season.slug, lonely.number)
        assert alone.season.organizer_ids() == set()
