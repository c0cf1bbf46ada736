"""When things fail: styled 500 and 503 pages in the reader's language, a
health check, and pages no shared cache keeps."""

import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from sessions.views.errors import server_error
from tests import factories


def database_down():
    """Every query fails as it does when PostgreSQL is stopped."""
    return mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    )


def failed_request(error, language="en"):
    """The response of server_error while `error` is being handled."""
    request = RequestFactory().get("/")
    with translation.override(language):
        try:
            raise error
        except Exception:
            return server_error(request)


def test_500_page_renders_without_the_database():
    """No `django_db` mark: any query here would fail the test."""
    response = failed_request(RuntimeError("boom"))
    content = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in content
    assert 'href="/static/css/app.css"' in content
    assert "style=" not in content and "<script" not in content


def test_500_page_is_korean_in_korean():
    content = failed_request(RuntimeError("boom"), language="ko").content.decode()
    assert '<html lang="ko">' in content
    assert "<h1>서버에서 문제가 생겼습니다</h1>" in content


def test_503_page_for_an_unreachable_database():
    response = failed_request(OperationalError("could not connect to server"))
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert "<h1>The study group is briefly unavailable</h1>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "The study group is briefly unavailable"),
        ("ko", "스터디 모임에 잠시 접속할 수 없습니다"),
    ],
)
def test_page_with_the_database_stopped_is_the_503_page(member, language, heading):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    with database_down():
        response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert f"<h1>{heading}</h1>" in response.content.decode()


@pytest.mark.django_db
def test_login_with_the_database_stopped_is_the_503_page(member):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post("/accounts/login/", {"username": "member", "password": "x"})
    assert response.status_code == 503


# -- /healthz -------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_200_when_everything_answers(outsider_client):
    response = outsider_client.get("/healthz")
    body = json.loads(response.content)
    assert (response.status_code, body["status"], response["Cache-Control"]) == (
        200,
        "ok",
        "max-age=0, no-cache, no-store, must-revalidate, private",
    )
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "storage": True,
    }
    assert all(isinstance(check["ms"], float) for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(outsider_client):
    with database_down():
        response = outsider_client.get("/healthz")
    body = json.loads(response.content)
    assert (response.status_code, body["status"]) == (503, "unavailable")
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert "connection refused" not in response.content.decode()
    assert (body["checks"]["cache"]["ok"], body["checks"]["storage"]["ok"]) == (True, True)


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_is_down(outsider_client):
    with mock.patch.object(cache, "set", side_effect=ConnectionError("redis is gone")):
        response = outsider_client.get("/healthz")
    body = json.loads(response.content)
    assert (response.status_code, body["checks"]["cache"]) == (
        503,
        {"ok": False, "error": "ConnectionError", "ms": body["checks"]["cache"]["ms"]},
    )
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_answers_503_when_the_storage_is_down(outsider_client):
    with mock.patch.object(default_storage, "exists", side_effect=PermissionError("/srv/media")):
        response = outsider_client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["storage"]["ok"] is False
    assert "/srv/media" not in response.content.decode()


def test_healthz_is_exempt_from_the_https_redirect(settings):
    """A load balancer checks the app over plain HTTP."""
    from django.middleware.security import SecurityMiddleware

    settings.SECURE_SSL_REDIRECT = True
    middleware = SecurityMiddleware(lambda request: None)
    assert middleware.process_request(RequestFactory().get("/healthz")) is None
    assert middleware.process_request(RequestFactory().get("/")).status_code == 301


# -- Cache-Control ----------------------------------------------------------


@pytest.mark.django_db
def test_logged_in_pages_are_private(member_client, talk):
    for url in [
        "/",
        talk.get_absolute_url(),
        talk.session.get_absolute_url(),
        reverse("study:paper-list"),
    ]:
        response = member_client.get(url)
        assert (url, response.status_code, response["Cache-Control"]) == (url, 200, "private")


@pytest.mark.django_db
def test_pages_with_private_text_are_not_stored(member_client, member):
    entry = factories.JournalEntryFactory(author=member)
    urls = [
        reverse("study:journal-list"),
        entry.get_absolute_url(),
        reverse("study:journal-edit", args=[entry.pk]),
        reverse("study:profile-edit"),
        member.get_absolute_url(),
        reverse("study:search") + "?q=논문",
    ]
    for url in urls:
        response = member_client.get(url)
        assert (url, response.status_code, response["Cache-Control"]) == (
            url,
            200,
            "max-age=0, no-cache, no-store, must-revalidate, private",
        )


@pytest.mark.django_db
def test_feeds_are_private(outsider_client, member):
    for name, token in [
        ("study:feed-calendar", member.calendar_token),
        ("study:feed-activity", member.activity_token),
    ]:
        response = outsider_client.get(reverse(name, args=[token]))
        assert (response.status_code, response["Cache-Control"]) == (200, "private")


def test_favicon_ico_redirects_to_the_icon_without_login(outsider_client):
    response = outsider_client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/icon.svg"


def test_pages_link_the_icon(member_client):
    page = member_client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/icon.svg" type="image/svg+xml">' in page
