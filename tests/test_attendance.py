"""Attendance: members answer for upcoming sessions, organizers mark who came."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sessions.models import Attendance
from sessions.views.attendance import attendance_controls, attendance_lists
from tests import factories
from tests.factories import SEASON


@pytest.fixture
def upcoming(db):
    return factories.StudySessionFactory(
        number=20, date=timezone.localdate() + datetime.timedelta(days=3)
    )


@pytest.fixture
def past(db):
    return factories.StudySessionFactory(
        number=19, date=timezone.localdate() - datetime.timedelta(days=4)
    )


def _rows(session):
    return sorted(
        Attendance.objects.filter(session=session).values_list(
            "member__username", "response", "attended"
        )
    )


def test_respond_going_records_the_answer(member_client, member, upcoming):
    url = reverse("study:attendance-respond", args=[SEASON, upcoming.number])
    response = member_client.post(url, {"response": "going"})
    assert (response.status_code, response.url) == (302, "/seasons/2025/20/#attendance")
    assert _rows(upcoming) == [("member", "going", None)]


def test_respond_again_changes_the_answer(member_client, member, upcoming):
    url = reverse("study:attendance-respond", args=[SEASON, upcoming.number])
    member_client.post(url, {"response": "going"})
    member_client.post(url, {"response": "not_going"})
    assert _rows(upcoming) == [("member", "not_going", None)]


def test_respond_with_bad_choice_saves_nothing(member_client, upcoming):
    url = reverse("study:attendance-respond", args=[SEASON, upcoming.number])
    response = member_client.post(
        url, {"response": "maybe"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert _rows(upcoming) == []
    assert [str(m) for m in response.context["messages"]] == ["Choose whether you are coming."]


def test_respond_to_past_session_is_refused(member_client, past):
    url = reverse("study:attendance-respond", args=[SEASON, past.number])
    response = member_client.post(url, {"response": "going"})
    assert (response.status_code, _rows(past)) == (302, [])


def test_respond_only_by_post(member_client, upcoming):
    url = reverse("study:attendance-respond", args=[SEASON, upcoming.number])
    assert member_client.get(url).status_code == 405


def test_respond_unknown_session_is_404(member_client, db):
    url = reverse("study:attendance-respond", args=[SEASON, 999])
    assert member_client.post(url, {"response": "going"}).status_code == 404


def test_respond_needs_login(outsider_client, upcoming):
    url = reverse("study:attendance-respond", args=[SEASON, upcoming.number])
    response = outsider_client.post(url, {"response": "going"})
    assert (response.status_code, _rows(upcoming)) == (302, [])


def test_organizer_marks_who_came(organizer_client, member, presenter, past):
    factories.AttendanceFactory(session=past, member=member, response="going")
    factories.AttendanceFactory(session=past, member=presenter, response="going", attended=True)
    url = reverse("study:attendance-mark", args=[SEASON, past.number])
    response = organizer_client.post(url, {"attended": [member.pk]})
    assert (response.status_code, response.url) == (302, "/seasons/2025/19/#attendance")
    assert _rows(past) == [("member", "going", True), ("presenter", "going", False)]


def test_mark_creates_rows_for_members_who_never_answered(organizer_client, organizer, past):
    url = reverse("study:attendance-mark", args=[SEASON, past.number])
    organizer_client.post(url, {"attended": [organizer.pk]})
    assert _rows(past) == [("organizer", "", True)]


def test_mark_form_starts_from_who_came(organizer_client, member, past):
    factories.AttendanceFactory(session=past, member=member, attended=True)
    response = organizer_client.get(reverse("study:attendance-mark", args=[SEASON, past.number]))
    assert response.status_code == 200
    assert response.context["form"].initial == {"attended": [member.pk]}


def test_mark_unknown_member_is_a_form_error(organizer_client, past):
    url = reverse("study:attendance-mark", args=[SEASON, past.number])
    response = organizer_client.post(url, {"attended": [987654]})
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["attended"])
    assert _rows(past) == []


def test_mark_before_the_session_day_is_refused(organizer_client, organizer, upcoming):
    url = reverse("study:attendance-mark", args=[SEASON, upcoming.number])
    response = organizer_client.post(url, {"attended": [organizer.pk]})
    assert (response.status_code, _rows(upcoming)) == (302, [])


def test_mark_by_member_is_forbidden(member_client, member, past):
    url = reverse("study:attendance-mark", args=[SEASON, past.number])
    assert member_client.post(url, {"attended": [member.pk]}).status_code == 403
    assert _rows(past) == []


def test_attendance_lists_who_is_coming(member, presenter, organizer, upcoming):
    factories.AttendanceFactory(session=upcoming, member=presenter, response="going")
    factories.AttendanceFactory(session=upcoming, member=member, response="not_going")
    assert attendance_lists(upcoming) == {
        "coming": [presenter],
        "not_coming": [member],
        "came": [],
        "responses": {presenter.pk: "going", member.pk: "not_going"},
    }


def test_attendance_lists_who_came(member, presenter, organizer, past):
    factories.AttendanceFactory(session=past, member=presenter, response="going", attended=True)
    factories.AttendanceFactory(session=past, member=member, response="going", attended=False)
    assert attendance_lists(past)["came"] == [presenter]


def test_attendance_controls_offer_the_form_with_my_answer_before_the_session(member, upcoming):
    controls = attendance_controls(upcoming, member, "not_going")
    assert (controls["response_form"].initial, controls["can_mark_attendance"]) == (
        {"response": "not_going"},
        False,
    )


def test_attendance_controls_let_organizers_mark_who_came_after_the_session(organizer, past):
    controls = attendance_controls(past, organizer, "")
    assert (controls["response_form"], controls["can_mark_attendance"]) == (None, True)


def _attendance_html(session, user, response):
    lists = render_to_string(
        "study/includes/attendance_lists.html", {"session": session, **attendance_lists(session)}
    )
    return render_to_string(
        "study/includes/attendance.html",
        {
            "session": session,
            "attendance_html": lists,
            **attendance_controls(session, user, response),
        },
    )


def test_attendance_include_renders_both_lists(member, presenter, past, upcoming):
    factories.AttendanceFactory(session=past, member=presenter, attended=True)
    factories.AttendanceFactory(session=upcoming, member=member, response="going")
    past_html = _attendance_html(past, member, "")
    upcoming_html = _attendance_html(upcoming, member, "going")
    assert (
        f'id="attendance-came"><li><a href="/members/{presenter.pk}/">{presenter.label}</a>'
        in past_html
    )
    assert "attendance-respond" not in past_html and 'name="response"' not in past_html
    assert (
        f'id="attendance-coming"><li><a href="/members/{member.pk}/">{member.label}</a>'
        in upcoming_html
    )
    assert 'name="response" value="going" required id="id_response_0" checked>' in upcoming_html


def test_session_page_shows_who_is_coming_and_the_form(member_client, member, presenter, upcoming):
    factories.AttendanceFactory(session=upcoming, member=presenter, response="going")
    response = member_client.get(upcoming.get_absolute_url())
    content = response.content.decode()
    assert f'action="/seasons/2025/{upcoming.number}/attendance/"' in content
    assert (
        f'id="attendance-coming"><li><a href="/members/{presenter.pk}/">{presenter.label}</a>'
        in content
    )


def test_session_page_shows_who_came_and_the_mark_link_to_organizers(
    organizer_client, presenter, past
):
    factories.AttendanceFactory(session=past, member=presenter, attended=True)
    response = organizer_client.get(past.get_absolute_url())
    content = response.content.decode()
    assert response.context["came"] == [presenter]
    assert f'href="/seasons/2025/{past.number}/attendance/mark/"' in content
    assert 'name="response"' not in content


def test_mark_form_starts_from_who_said_they_would_come_when_nobody_is_marked(
    organizer_client, member, presenter, organizer, past
):
    factories.AttendanceFactory(session=past, member=member, response="going")
    factories.AttendanceFactory(session=past, member=presenter, response="not_going")
    response = organizer_client.get(reverse("study:attendance-mark", args=[SEASON, past.number]))
    assert response.context["form"].initial == {"attended": [member.pk]}
    checked = re.findall(
        r'<input type="checkbox" name="attended" value="(\d+)"[^>]* checked>',
        response.content.decode(),
    )
    assert checked == [str(member.pk)]


def test_attendance_question_is_the_legend_of_its_radio_buttons(member_client, upcoming):
    content = member_client.get(upcoming.get_absolute_url()).content.decode()
    form = content[content.index('<form method="post" action="/seasons/2025/20/attendance/"') :]
    form = form[: form.index("</form>")]
    assert "<fieldset>\n      <legend>Are you coming?</legend>" in form
    assert form.index("<legend>") < form.index('type="radio"') < form.index("</fieldset>")
    assert "<label>Are you coming?" not in form and 'for="id_response"' not in form


def test_attendance_card_shows_no_zero_count_heading(member_client, past, upcoming):
    past_page = member_client.get(
        past.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "참석한 사람 (0)" not in past_page and "참석 (0)" not in past_page
    assert "아직 참석 체크를 하지 않았습니다." in past_page
    upcoming_page = member_client.get(
        upcoming.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "참석 예정 (0)" not in upcoming_page
    assert "아직 참석하겠다는 사람이 없습니다." in upcoming_page


def test_attendance_answer_cools_only_its_own_session_lists(member_client, member, upcoming):
    """Answering for one session (first time and again) leaves another
    session's cached attendance lists in place; answering for it shows."""
    from sessions import fragments
    from sessions.views.meetings import render_attendance

    other = factories.StudySessionFactory(number=21, date=upcoming.date)
    render_attendance(upcoming)
    misses = fragments.STATS["misses"]
    url = reverse("study:attendance-respond", args=[SEASON, other.number])
    for answer in ("going", "not_going"):
        member_client.post(url, {"response": answer})
    _html, responses = render_attendance(upcoming)
    kept = fragments.STATS["misses"] == misses
    member_client.post(
        reverse("study:attendance-respond", args=[SEASON, upcoming.number]), {"response": "going"}
    )
    _html, fresh = render_attendance(upcoming)
    assert (kept, responses, fresh) == (True, {}, {member.pk: "going"})
