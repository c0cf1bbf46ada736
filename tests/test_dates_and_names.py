"""One way to write dates and names: a format per kind of date in each
language, valid `<time datetime>` values on every page, and names whose
emoji never stands between the name and a Korean particle."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from sessions.templatetags.study_format import ago, day, iso, moment
from tests import factories
from tests.test_pages_languages import PAGES, QUERY, world  # noqa: F401 (a fixture)

# A valid HTML date, or a date and time to the second with its offset.
TIME_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?")
SEOUL = datetime.timezone(datetime.timedelta(hours=9))


def time_values(html):
    return re.findall(r"<time\b[^>]*\bdatetime=\"([^\"]*)\"", html)


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_page_time_elements_have_valid_datetime_values(name, language, organizer_client, world):  # noqa: F811
    url = reverse(name, kwargs=PAGES[name](world)) + QUERY.get(name, "")
    html = organizer_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert [value for value in time_values(html) if not TIME_VALUE.fullmatch(value)] == []


def test_pages_with_dates_mark_them_up_as_time_elements(organizer_client, world):  # noqa: F811
    home = organizer_client.get(reverse("study:home")).content.decode()
    session = organizer_client.get(world.session.get_absolute_url()).content.decode()
    assert any("T" in value for value in time_values(home))  # recent activity: a moment
    assert "2025-03-07" in time_values(session)


@pytest.mark.parametrize(
    ("language", "date", "moment_text"),
    [("ko", "2025. 03. 07.", "2025. 03. 07. 09:05"), ("en", "07 Mar 2025", "07 Mar 2025, 09:05")],
)
def test_dates_have_one_zero_padded_format_per_kind_and_language(language, date, moment_text):
    at = datetime.datetime(2025, 3, 7, 9, 5, 30, 123456, tzinfo=SEOUL)
    with translation.override(language):
        assert day(datetime.date(2025, 3, 7)) == date
        assert day(at) == date
        assert moment(at) == moment_text
        rendered = Template('{{ d|date:"DATE_FORMAT" }}|{{ d }}').render(
            Context({"d": datetime.date(2025, 3, 7)})
        )
        assert rendered == f"{date}|{date}"


def test_iso_has_no_microseconds_and_uses_the_site_time_zone():
    at = datetime.datetime(2025, 3, 7, 0, 5, 30, 123456, tzinfo=datetime.UTC)
    assert iso(at) == "2025-03-07T09:05:30+09:00"
    assert iso(datetime.date(2025, 3, 7)) == "2025-03-07"


@pytest.mark.parametrize(
    ("days", "ko", "en"),
    [
        (0, "오늘 10:00", "today, 10:00"),
        (1, "어제 10:00", "yesterday, 10:00"),
        (3, "3일 전", "3 days ago"),
        (9, None, None),
    ],
)
def test_ago_is_relative_by_the_day_within_a_week(days, ko, en):
    today = timezone.localdate()
    at = datetime.datetime.combine(
        today - datetime.timedelta(days=days), datetime.time(10, 0), tzinfo=SEOUL
    )
    with translation.override("ko"):
        assert ago(at) == (ko or day(at))
    with translation.override("en"):
        assert ago(at) == (en or day(at))


def test_member_label_puts_the_emoji_before_the_name(db):
    assert factories.MemberFactory(display_name="최하은", emoji="🐻").label == "🐻 최하은"
    assert factories.MemberFactory(display_name="이서준", emoji="").label == "이서준"


def test_korean_particle_follows_the_name_not_the_emoji(member_client, db):
    author = factories.MemberFactory(display_name="최하은", emoji="🐻")
    factories.JournalEntryFactory(author=author)
    html = member_client.get(
        reverse("study:journal-list") + f"?author={author.pk}", HTTP_ACCEPT_LANGUAGE="ko"
    )
    assert "<h1>🐻 최하은의 공부 일지</h1>" in html.content.decode()


def test_co_presenters_list_has_no_trailing_comma(member_client, member, presenter, organizer):
    factories.PresentationFactory(presenters=[organizer, presenter, member])
    html = member_client.get(reverse("study:member-detail", args=[member.pk])).content.decode()
    line = re.search(r"With (.*?)</div>", html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", line) == f"{organizer.label}, {presenter.label}"
