"""iCalendar and Atom feeds behind each member's secret token."""

import datetime
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sessions import ical
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"


def _calendar_url(member):
    return reverse("study:feed-calendar", args=[member.feed_token])


def _atom_url(member):
    return reverse("study:feed-activity", args=[member.feed_token])


def test_calendar_parses_back_with_sessions_talks_and_place(outsider_client, member):
    session = factories.StudySessionFactory(
        number=7,
        date=datetime.date(2025, 7, 4),
        start_time=datetime.time(19, 30),
        title="어텐션, 다시; 그리고\n정리",
        place="강남 스터디룸 3",
    )
    first, second = factories.MemberFactory(display_name="김민지", emoji="🐱"), member
    factories.PresentationFactory(session=session, topic="셀프 어텐션", presenters=[first, second])
    online = factories.StudySessionFactory(
        number=8, date=datetime.date(2025, 7, 11), place="", video_url="https://meet.example.org/x"
    )
    response = outsider_client.get(_calendar_url(member))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert sorted(events) == ["session-7@testserver", "session-8@testserver"]
    event = events["session-7@testserver"]
    with translation.override("en"):
        assert str(event["SUMMARY"]) == f"{session}: 어텐션, 다시; 그리고\n정리"
    # 19:30 in Seoul is 10:30 UTC.
    assert event.decoded("DTSTART") == datetime.datetime(2025, 7, 4, 10, 30, tzinfo=datetime.UTC)
    assert event.decoded("DTEND") == datetime.datetime(2025, 7, 4, 12, 30, tzinfo=datetime.UTC)
    assert str(event["LOCATION"]) == "강남 스터디룸 3"
    assert str(event["URL"]) == "http://testserver/sessions/7/"
    assert str(event["DESCRIPTION"]) == (
        f"- 셀프 어텐션 (김민지🐱, {member.label})\nhttp://testserver/sessions/7/"
    )
    all_day = events["session-8@testserver"]
    assert all_day.decoded("DTSTART") == online.date
    assert all_day.decoded("DTEND") == datetime.date(2025, 7, 12)
    assert str(all_day["LOCATION"]) == "https://meet.example.org/x"


def test_calendar_lines_are_folded_at_75_octets(outsider_client, member):
    session = factories.StudySessionFactory(number=9, title="아주 긴 제목 " * 20)
    factories.PresentationFactory(session=session, topic="트랜스포머의 모든 것 " * 8)
    response = outsider_client.get(_calendar_url(member))
    lines = response.content.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    with translation.override("en"):
        assert str(event["SUMMARY"]) == f"{session}: {'아주 긴 제목 ' * 20}"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("a,b;c\\d", "a\\,b\\;c\\\\d"), ("줄\r\n바꿈\r끝", "줄\\n바꿈\\n끝")],
)
def test_escape_text(text, escaped):
    assert ical.escape_text(text) == escaped


def test_fold_never_splits_a_character():
    folded = ical.fold("DESCRIPTION:" + "가" * 100)
    pieces = folded.encode().split(b"\r\n")
    assert [len(p) <= 75 for p in pieces] == [True] * len(pieces)
    assert [p.decode() for p in pieces]  # every piece is valid UTF-8
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "가" * 100


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_query_count(outsider_client, member, django_assert_num_queries, count):
    for _ in range(count):
        factories.PresentationFactory()
    # Member by token, sessions, their talks, the talks' presenters.
    with django_assert_num_queries(4):
        response = outsider_client.get(_calendar_url(member))
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == count


def test_atom_feed_is_well_formed_and_newest_first(outsider_client, member, presenter):
    now = timezone.now()
    talk = factories.PresentationFactory(topic="셀프 어텐션", presenters=[presenter])
    reflection = factories.ReflectionFactory(author=member, body="많이 배웠다 <script>")
    journal = factories.JournalEntryFactory(author=member, title="공부 일지 & 회고")
    for obj, age in ((talk, 3), (reflection, 2), (journal, 1)):
        type(obj).objects.filter(pk=obj.pk).update(created_at=now - datetime.timedelta(hours=age))
    response = outsider_client.get(_atom_url(member))
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "공부 일지 & 회고",
        str(reflection),
        f"{talk.session} · 셀프 어텐션",
    ]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"http://testserver/journal/{journal.pk}/",
        f"http://testserver/sessions/{reflection.session.number}/#reflection-{reflection.pk}",
        f"http://testserver/talks/{talk.pk}/",
    ]
    assert entries[2].find(f"{ATOM}author/{ATOM}name").text == presenter.display_name
    assert "&lt;script&gt;" in entries[1].find(f"{ATOM}summary").text


def test_atom_feed_keeps_only_the_newest_items(outsider_client, member):
    factories.ReflectionFactory.create_batch(25)
    factories.PresentationFactory.create_batch(10)
    root = ET.fromstring(outsider_client.get(_atom_url(member)).content)
    assert len(root.findall(f"{ATOM}entry")) == 30


@pytest.mark.parametrize("count", [1, 3])
def test_atom_feed_query_count(outsider_client, member, django_assert_num_queries, count):
    factories.PresentationFactory.create_batch(count)
    factories.ReflectionFactory.create_batch(count)
    # Member by token, talks, their presenters, reflections.
    with django_assert_num_queries(4):
        response = outsider_client.get(_atom_url(member))
    assert len(ET.fromstring(response.content).findall(f"{ATOM}entry")) == 2 * count


@pytest.mark.parametrize("url_name", ["study:feed-calendar", "study:feed-activity"])
def test_feed_with_wrong_token_is_404(outsider_client, member, url_name):
    assert outsider_client.get(reverse(url_name, args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("url_name", ["study:feed-calendar", "study:feed-activity"])
def test_feed_of_inactive_member_is_404(outsider_client, member, url_name):
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert outsider_client.get(reverse(url_name, args=[member.feed_token])).status_code == 404


def test_reset_feed_token_retires_the_old_urls(member_client, outsider_client, member):
    old_calendar, old_atom = _calendar_url(member), _atom_url(member)
    response = member_client.post(reverse("study:feed-token-reset"))
    assert (response.status_code, response.url) == (302, member.get_absolute_url())
    member.refresh_from_db()
    assert outsider_client.get(old_calendar).status_code == 404
    assert outsider_client.get(old_atom).status_code == 404
    assert outsider_client.get(_calendar_url(member)).status_code == 200
    assert outsider_client.get(_atom_url(member)).status_code == 200


def test_reset_feed_token_only_by_post(member_client, member):
    token = member.feed_token
    assert member_client.get(reverse("study:feed-token-reset")).status_code == 405
    member.refresh_from_db()
    assert member.feed_token == token


def test_reset_feed_token_needs_login(outsider_client, member):
    token = member.feed_token
    response = outsider_client.post(reverse("study:feed-token-reset"))
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/feeds/reset/")
    member.refresh_from_db()
    assert member.feed_token == token


def test_own_profile_shows_the_secret_feed_urls(member_client, member):
    response = member_client.get(member.get_absolute_url())
    content = response.content.decode()
    assert response.context["calendar_feed_url"] == (
        f"http://testserver/feeds/{member.feed_token}/sessions.ics"
    )
    assert f"http://testserver/feeds/{member.feed_token}/atom.xml" in content
    assert 'action="/feeds/reset/"' in content


def test_other_profiles_do_not_show_feed_urls(member_client, presenter):
    response = member_client.get(presenter.get_absolute_url())
    assert "calendar_feed_url" not in response.context
    assert presenter.feed_token not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/%00/sessions.ics",
        "/feeds/a%00b/atom.xml",
        "/feeds/%F0%9F%90%B1/atom.xml",
        "/feeds/" + "a" * 65 + "/atom.xml",
    ],
)
def test_feed_with_a_malformed_token_is_404(outsider_client, member, url):
    """A NUL character in the token made PostgreSQL refuse the query (a 500)."""
    assert outsider_client.get(url).status_code == 404
