"""Korean that reads naturally: no page and no form error shows a particle
written for either ending ("은/는", "이/가", "을(를)", …), whichever
message it comes from (ours, Django's, the admin's)."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.editing import opened_form
from tests.test_pages_languages import ANONYMOUS_PAGES, PAGES, QUERY, world  # noqa: F401

KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}
FALLBACK = re.compile(
    r"(은/는|는/은|이/가|가/이|을/를|를/을|와/과|과/와|\((?:을|를|은|는|이|가|과|와|으)\)|\(으\)로)"
)


def fallbacks(content):
    return sorted(set(FALLBACK.findall(content)))


@pytest.mark.parametrize("name", PAGES)
def test_page_in_korean_has_no_particle_fallback(name, organizer_client, world):  # noqa: F811
    url = reverse(name, kwargs=PAGES[name](world)) + QUERY.get(name, "")
    assert fallbacks(organizer_client.get(url, **KOREAN).content.decode()) == []


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_page_before_login_in_korean_has_no_particle_fallback(name, client, world):  # noqa: F811
    assert fallbacks(client.get(ANONYMOUS_PAGES[name](world), **KOREAN).content.decode()) == []


def test_login_error_in_korean_reads_naturally(client, member):
    response = client.post(reverse("login"), {"username": "member", "password": "틀림"}, **KOREAN)
    content = response.content.decode()
    assert "사용자 이름 또는 비밀번호가 맞지 않습니다." in content
    assert fallbacks(content) == []


def test_taken_display_name_in_korean_reads_naturally(member_client, member):
    factories.MemberFactory(display_name="김민지")
    url = reverse("study:profile-edit")
    data = {**opened_form(member_client, url), "display_name": "김민지"}
    content = member_client.post(url, data, **KOREAN).content.decode()
    assert "이미 쓰이고 있는 표시 이름입니다." in content
    assert fallbacks(content) == []


def test_taken_session_number_in_korean_names_the_season(organizer_client, study_session):
    season = study_session.season
    data = {"season": season.pk, "number": 6, "date": "2025-09-01"}
    content = organizer_client.post(
        reverse("study:session-create"), data, **KOREAN
    ).content.decode()
    assert "“2025 논문 스터디”에는 이미 6주차가 있습니다. 다른 번호를 고르세요." in content
    assert fallbacks(content) == []


def test_taken_season_name_in_korean_reads_naturally(organizer_client, study_session):
    data = {"name": "2025 논문 스터디", "slug": "other"}
    content = organizer_client.post(reverse("study:season-create"), data, **KOREAN).content.decode()
    assert "같은 이름의 시즌이 이미 있습니다." in content
    assert fallbacks(content) == []


def test_admin_pages_in_korean_have_no_particle_fallback(client, world):  # noqa: F811
    admin = factories.OrganizerFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in [
        "/admin/",
        "/admin/study/studysession/",
        "/admin/study/season/",
        "/admin/study/member/",
    ]:
        assert fallbacks(client.get(url, **KOREAN).content.decode()) == [], url
