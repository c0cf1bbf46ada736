"""Participation: counts per member, activity heatmaps, attendance over time."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sessions import charts
from sessions.views.participation import activity_by_member, member_totals, sessions_attendance
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
DAY = datetime.date(2025, 5, 2)


@pytest.fixture
def busy(member, presenter, organizer):
    """`presenter` gives a talk on DAY; `member` asks two questions and comes."""
    session = factories.StudySessionFactory(number=40, date=DAY)
    talk = factories.PresentationFactory(session=session, presenters=[presenter])
    first = factories.QuestionFactory(presentation=talk, asked_by=member)
    factories.QuestionFactory(presentation=talk, asked_by=member)
    factories.AnswerFactory(question=first, author=presenter)
    factories.AnswerFactory(question=first, author=presenter, body="덧붙이면…")
    factories.ReflectionFactory(session=session, author=member)
    factories.JournalEntryFactory(author=member, date=DAY + datetime.timedelta(days=1))
    factories.AttendanceFactory(session=session, member=member, attended=True)
    factories.AttendanceFactory(session=session, member=presenter, attended=True)
    factories.AttendanceFactory(session=session, member=organizer, response="going", attended=False)
    return session


def _totals():
    return {
        m.username: (
            m.talk_count,
            m.asked_count,
            m.received_count,
            m.answered_count,
            m.reflection_count,
            m.journal_count,
            m.attended_count,
        )
        for m in member_totals()
    }


def test_member_totals_count_each_kind_of_participation(busy):
    assert _totals() == {
        "member": (0, 2, 0, 0, 1, 1, 1),
        "presenter": (1, 0, 2, 1, 0, 0, 1),
        "organizer": (0, 0, 0, 0, 0, 0, 0),
    }


def test_member_totals_leave_out_inactive_members(busy, organizer):
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    assert sorted(_totals()) == ["member", "presenter"]


def test_activity_counts_on_the_session_day_and_journal_date(busy, member, presenter):
    activity = activity_by_member(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    # Two questions, a reflection and attendance on DAY; the journal the day after.
    assert activity[member.pk] == {DAY: 4, DAY + datetime.timedelta(days=1): 1}
    # A talk, two answers and attendance.
    assert activity[presenter.pk] == {DAY: 4}


def test_activity_outside_the_range_is_left_out(busy, member):
    activity = activity_by_member(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert dict(activity) == {}


def test_sessions_attendance_counts_came_and_going(busy):
    factories.StudySessionFactory(number=99, date=timezone.localdate() + datetime.timedelta(days=7))
    assert sessions_attendance() == [(40, DAY, 2, 3)]


@pytest.mark.parametrize(
    ("count", "highest", "level"),
    [(0, 5, 0), (1, 8, 1), (2, 8, 1), (3, 8, 2), (8, 8, 4), (1, 1, 4)],
)
def test_heat_level(count, highest, level):
    assert charts.heat_level(count, highest) == level


def test_heatmap_has_a_square_per_day_shaded_by_count():
    svg = charts.heatmap(
        {DAY: 4, DAY + datetime.timedelta(days=1): 1},
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
        label="활동",
    )
    root = ET.fromstring(str(svg))
    cells = root.findall(f"{SVG}rect")
    levels = {cell.get("data-date"): cell.get("class") for cell in cells}
    assert levels == {"2025-05-02": "heat heat-4", "2025-05-03": "heat heat-1"}
    assert [cell.findtext(f"{SVG}title") for cell in cells] == ["02 May 2025: 4", "03 May 2025: 1"]
    # The other 363 days are the squares of one path.
    empty = root.find(f"{SVG}path[@class='heat heat-0']")
    assert empty.get("d").count("M") == 363
    assert "M28 16h11v11h-11z" not in empty.get("d")  # 2025 starts on a Wednesday
    assert empty.get("d").startswith("M28 42h11v11h-11z")
    # Monday on top: 2025-05-02 is a Friday (row 4), in the 18th week column.
    friday = next(cell for cell in cells if cell.get("data-date") == "2025-05-02")
    assert (friday.get("x"), friday.get("y")) == (str(28 + 17 * 13), str(16 + 4 * 13))
    assert root.get("aria-label") == "활동"


def test_attendance_chart_draws_a_bar_per_session():
    svg = charts.attendance_chart(
        [(1, DAY, 4, 5), (2, DAY + datetime.timedelta(days=7), 2, 0)], label="출석"
    )
    root = ET.fromstring(str(svg))
    bars = root.findall(f"{SVG}rect[@class='chart-bar']")
    assert [(b.get("data-session"), b.get("data-attended"), b.get("height")) for b in bars] == [
        ("1", "4", "112"),
        ("2", "2", "56"),
    ]
    assert len(root.findall(f"{SVG}rect[@class='chart-bar-going']")) == 1


def test_attendance_chart_without_sessions_is_empty():
    assert charts.attendance_chart([], label="출석") == ""


def test_participation_page_shows_counts_and_charts(member_client, busy, member):
    response = member_client.get(reverse("study:participation"), {"year": 2025})
    assert response.status_code == 200
    content = response.content.decode()
    row = re.search(rf'<tr id="totals-{member.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "2", "0", "0", "1", "1", "1"]
    assert content.count('class="chart heatmap"') == 3
    assert content.count('class="chart attendance-chart"') == 1
    # The CSP forbids inline styles: charts use presentation attributes and classes.
    assert "style=" not in content


def test_participation_page_bad_year_falls_back_to_this_year(member_client, busy):
    response = member_client.get(reverse("study:participation"), {"year": "soon"})
    assert (response.status_code, response.context["year"]) == (200, timezone.localdate().year)


def test_participation_page_needs_login(outsider_client, db):
    response = outsider_client.get(reverse("study:participation"))
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/participation/")


@pytest.mark.parametrize("count", [1, 3])
def test_participation_page_query_count(member_client, django_assert_num_queries, count):
    for _ in range(count):
        talk = factories.PresentationFactory(session__date=DAY)
        factories.QuestionFactory(presentation=talk)
        factories.AttendanceFactory(session=talk.session, attended=True)
    # Versions, session and member; the years that have sessions; the page of
    # members with their number and totals; five activity sources; attendance
    # per session.
    with django_assert_num_queries(10):
        response = member_client.get(reverse("study:participation"), {"year": 2025})
    assert response.content.decode().count('class="chart heatmap"') == 1 + 3 * count
    # Again: everything but the versions and the member is cached (the page
    # links too).
    with django_assert_num_queries(2):
        again = member_client.get(reverse("study:participation"), {"year": 2025})
    assert again.content.decode().count('class="chart heatmap"') == 1 + 3 * count


def test_participation_page_shows_twenty_members_a_page(member_client, member):
    factories.MemberFactory.create_batch(24)
    url = reverse("study:participation")
    first = member_client.get(url, {"year": 2025}).content.decode()
    second = member_client.get(url, {"year": 2025, "page": 2}).content.decode()
    assert (first.count('class="chart heatmap"'), second.count('class="chart heatmap"')) == (20, 5)
    assert (first.count('<tr id="totals-'), second.count('<tr id="totals-')) == (20, 5)
    assert '<a href="?year=2025&amp;page=2" rel="next">' in first


def test_participation_page_charts_only_the_years_sessions(member_client, member):
    for day in (datetime.date(2024, 12, 20), DAY, DAY + datetime.timedelta(days=7)):
        factories.AttendanceFactory(
            session=factories.StudySessionFactory(date=day), member=member, attended=True
        )
    content = member_client.get(reverse("study:participation"), {"year": 2025}).content.decode()
    assert content.count('class="chart-bar"') == 2


def test_participation_page_counts_what_happened_after_it_was_cached(member_client, busy, member):
    url = reverse("study:participation")
    member_client.get(url, {"year": 2025})
    factories.JournalEntryFactory(author=member, date=DAY)
    content = member_client.get(url, {"year": 2025}).content.decode()
    row = re.search(rf'<tr id="totals-{member.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row)[5] == "2"


def test_heatmap_labels_rows_with_short_day_names_in_korean():
    with translation.override("ko"):
        svg = charts.heatmap(
            {}, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), label="활동"
        )
    root = ET.fromstring(str(svg))
    labels = [text.text for text in root.findall(f"{SVG}text[@text-anchor='end']")]
    assert labels == ["월", "수", "금"]


def test_member_totals_of_a_year_count_that_years_sessions_and_journal_entries(
    busy, member, presenter
):
    later = factories.StudySessionFactory(number=41, date=datetime.date(2026, 3, 6))
    factories.PresentationFactory(session=later, presenters=[member])
    factories.AttendanceFactory(session=later, member=member, attended=True)
    factories.JournalEntryFactory(author=member, date=datetime.date(2026, 3, 7))
    of_2025 = {
        m.username: (m.talk_count, m.journal_count, m.attended_count)
        for m in member_totals(year=2025)
    }
    of_2026 = {
        m.username: (m.talk_count, m.journal_count, m.attended_count)
        for m in member_totals(year=2026)
    }
    assert (of_2025["member"], of_2025["presenter"]) == ((0, 1, 1), (1, 0, 1))
    assert (of_2026["member"], of_2026["presenter"]) == ((1, 1, 1), (0, 0, 0))


def test_participation_table_follows_the_chosen_year(member_client, busy, member):
    earlier = factories.StudySessionFactory(number=41, date=datetime.date(2024, 5, 3))
    factories.AttendanceFactory(session=earlier, member=member, attended=True)
    content = member_client.get(reverse("study:participation"), {"year": 2024}).content.decode()
    row = re.search(rf'<tr id="totals-{member.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["0", "0", "0", "0", "0", "0", "1"]
    assert "Who does what in 2024" in content


def test_participation_heatmaps_are_collapsed(member_client, busy, member):
    content = member_client.get(reverse("study:participation"), {"year": 2025}).content.decode()
    assert content.count('<details class="heatmap-row"') == 3
    assert "<details open" not in content


def test_participation_attendance_chart_empty_states(member_client, member):
    url = reverse("study:participation")
    assert (
        "No sessions took place in 2023." in member_client.get(url, {"year": 2023}).content.decode()
    )
    factories.StudySessionFactory(date=datetime.date(2023, 4, 7))
    content = member_client.get(url, {"year": 2023}).content.decode()
    assert "Nobody's attendance was recorded at the sessions of 2023." in content
    assert 'class="chart attendance-chart"' not in content


def test_attendance_chart_with_few_sessions_is_at_least_its_minimum_width():
    root = ET.fromstring(str(charts.attendance_chart([(1, DAY, 3, 4)], label="출석")))
    assert root.get("width") == "360"
    bar = root.find(f"{SVG}rect[@class='chart-bar']")
    assert int(bar.get("x")) + 9 == 30 + (360 - 30 - 10) // 2  # in the middle of the plot
    many = [(n, DAY + datetime.timedelta(days=7 * n), 1, 1) for n in range(40)]
    assert ET.fromstring(str(charts.attendance_chart(many, label="출석"))).get("width") == str(
        30 + 40 * 24 + 10
    )


def test_activity_totals_agree_with_member_totals(busy, member, presenter):
    """The page takes these counts from the activity query (one union)
    rather than from subqueries: both must say the same."""
    from sessions.views.participation import ACTIVITY_TOTALS, activity_and_totals

    _activity, totals = activity_and_totals(
        datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), [member.pk, presenter.pk]
    )
    expected = {
        m.pk: {name: getattr(m, name) for name in ACTIVITY_TOTALS if getattr(m, name)}
        for m in member_totals(year=2025)
        if m.pk in (member.pk, presenter.pk)
    }
    assert {pk: dict(counts) for pk, counts in totals.items()} == expected
    assert expected[presenter.pk]["answered_count"] == 1
