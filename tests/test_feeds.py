"""iCalendar and Atom feeds behind each member's secret token."""

import datetime
import re
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from sessions import ical
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"


def _calendar_url(member):
    return reverse("study:feed-calendar", args=[member.calendar_token])


def _atom_url(member):
    return reverse("study:feed-activity", args=[member.activity_token])


def test_calendar_parses_back_with_sessions_talks_and_place(outsider_client, member):
    """A session from before seasons keeps its UID (session-<number>); a
    newer one has its own (study-session-<row>), unique across seasons."""
    session = factories.StudySessionFactory(
        number=7,
        legacy_number=7,
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
    assert sorted(events) == ["session-7@testserver", f"study-session-{online.pk}@testserver"]
    event = events["session-7@testserver"]
    with translation.override("en"):
        assert str(event["SUMMARY"]) == "2025 논문 스터디, session 7: 어텐션, 다시; 그리고\n정리"
    # 19:30 in Seoul is 10:30 UTC.
    assert event.decoded("DTSTART") == datetime.datetime(2025, 7, 4, 10, 30, tzinfo=datetime.UTC)
    assert event.decoded("DTEND") == datetime.datetime(2025, 7, 4, 12, 30, tzinfo=datetime.UTC)
    assert str(event["LOCATION"]) == "강남 스터디룸 3"
    assert str(event["URL"]) == "http://testserver/seasons/2025/7/"
    assert str(event["DESCRIPTION"]) == (
        f"- 셀프 어텐션 (🐱 김민지, {member.label})\nhttp://testserver/seasons/2025/7/"
    )
    all_day = events[f"study-session-{online.pk}@testserver"]
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
        assert str(event["SUMMARY"]) == f"2025 논문 스터디, session 9: {'아주 긴 제목 ' * 20}"


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
    # Member by token, sessions, their talks, the talks' presenters and
    # papers, the sessions' held slots (their backlog papers only when there are some).
    with django_assert_num_queries(7):
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
        f"{talk.session.full_name} · 셀프 어텐션",
    ]
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"http://testserver/journal/{journal.pk}/",
        f"http://testserver/seasons/2025/{reflection.session.number}/#reflection-{reflection.pk}",
        f"http://testserver/talks/{talk.pk}/",
    ]
    assert entries[2].find(f"{ATOM}author/{ATOM}name").text == presenter.display_name
    # Titles and links only: no entry carries its text.
    assert [e.find(f"{ATOM}summary") for e in entries] == [None, None, None]
    assert "많이 배웠다" not in response.content.decode()


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
    with django_assert_num_queries(5):
        response = outsider_client.get(_atom_url(member))
    assert len(ET.fromstring(response.content).findall(f"{ATOM}entry")) == 2 * count


@pytest.mark.parametrize("url_name", ["study:feed-calendar", "study:feed-activity"])
def test_feed_with_wrong_token_is_404(outsider_client, member, url_name):
    assert outsider_client.get(reverse(url_name, args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("url_name", ["study:feed-calendar", "study:feed-activity"])
def test_feed_of_inactive_member_is_404(outsider_client, member, url_name):
    urls = {"study:feed-calendar": _calendar_url(member), "study:feed-activity": _atom_url(member)}
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert outsider_client.get(urls[url_name]).status_code == 404


def test_feed_tokens_are_two_different_secrets(member):
    assert member.calendar_token != member.activity_token
    assert (len(member.calendar_token), len(member.activity_token)) == (32, 32)


def test_calendar_token_does_not_open_the_activity_feed(outsider_client, member):
    url = reverse("study:feed-activity", args=[member.calendar_token])
    assert outsider_client.get(url).status_code == 404


def test_activity_token_does_not_open_the_calendar(outsider_client, member):
    url = reverse("study:feed-calendar", args=[member.activity_token])
    assert outsider_client.get(url).status_code == 404


def test_reset_calendar_token_keeps_the_activity_feed(member_client, outsider_client, member):
    old_calendar, atom = _calendar_url(member), _atom_url(member)
    response = member_client.post(reverse("study:feed-token-reset"), {"feed": "calendar"})
    assert (response.status_code, response.url) == (302, f"{member.get_absolute_url()}#feeds")
    member.refresh_from_db()
    assert _atom_url(member) == atom
    assert [
        outsider_client.get(url).status_code for url in (old_calendar, _calendar_url(member), atom)
    ] == [404, 200, 200]


def test_reset_activity_token_keeps_the_calendar(member_client, outsider_client, member):
    calendar, old_atom = _calendar_url(member), _atom_url(member)
    response = member_client.post(reverse("study:feed-token-reset"), {"feed": "activity"})
    assert (response.status_code, response.url) == (302, f"{member.get_absolute_url()}#feeds")
    member.refresh_from_db()
    assert _calendar_url(member) == calendar
    assert [
        outsider_client.get(url).status_code for url in (old_atom, _atom_url(member), calendar)
    ] == [404, 200, 200]


@pytest.mark.parametrize("data", [{}, {"feed": "everything"}, {"feed": "calendar\x00"}])
def test_reset_feed_token_without_a_known_feed_is_400_and_changes_nothing(
    member_client, member, data
):
    tokens = (member.calendar_token, member.activity_token)
    response = member_client.post(reverse("study:feed-token-reset"), data)
    assert (response.status_code, response.content.decode()) == (
        400,
        "Choose the feed whose address to reset.",
    )
    member.refresh_from_db()
    assert (member.calendar_token, member.activity_token) == tokens


def test_reset_feed_token_only_by_post(member_client, member):
    tokens = (member.calendar_token, member.activity_token)
    assert member_client.get(reverse("study:feed-token-reset")).status_code == 405
    member.refresh_from_db()
    assert (member.calendar_token, member.activity_token) == tokens


def test_reset_feed_token_needs_login(outsider_client, member):
    tokens = (member.calendar_token, member.activity_token)
    response = outsider_client.post(reverse("study:feed-token-reset"), {"feed": "calendar"})
    assert (response.status_code, response.url) == (302, "/accounts/login/?next=/feeds/reset/")
    member.refresh_from_db()
    assert (member.calendar_token, member.activity_token) == tokens


def test_own_profile_shows_the_secret_feed_urls(member_client, member):
    response = member_client.get(member.get_absolute_url())
    content = response.content.decode()
    assert response.context["calendar_feed_url"] == (
        f"http://testserver/feeds/{member.calendar_token}/sessions.ics"
    )
    assert response.context["activity_feed_url"] == (
        f"http://testserver/feeds/{member.activity_token}/atom.xml"
    )
    assert f"http://testserver/feeds/{member.activity_token}/atom.xml" in content
    assert re.findall(r'<input type="hidden" name="feed" value="(\w+)">', content) == [
        "calendar",
        "activity",
    ]
    assert content.count('action="/feeds/reset/"') == 2


def test_other_profiles_do_not_show_feed_urls(member_client, presenter):
    response = member_client.get(presenter.get_absolute_url())
    content = response.content.decode()
    assert "calendar_feed_url" not in response.context
    assert (presenter.calendar_token in content, presenter.activity_token in content) == (
        False,
        False,
    )


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
