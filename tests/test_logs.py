"""Logs and errors: a request id on each request and its log lines, JSON
lines when asked, and server errors mailed to ADMINS."""

import json
import logging
import sys

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import include, path

from sessions.request_id import JsonFormatter, RequestIdFilter, current_request_id

seen_ids = []


def failing_view(request):
    logging.getLogger("sessions.test").warning("inside the view")
    seen_ids.append(current_request_id())
    raise RuntimeError("the page broke")


# The app's pages and one that fails (tests set ROOT_URLCONF to this module).
urlpatterns = [path("broken/", failing_view), path("", include("studygroup.urls"))]


@pytest.fixture
def broken_page(settings, member_client):
    settings.ROOT_URLCONF = "tests.test_logs"
    seen_ids.clear()
    member_client.raise_request_exception = False
    return "/broken/"


def test_request_id_is_new_for_each_request(member_client):
    first = member_client.get("/")["X-Request-ID"]
    second = member_client.get("/")["X-Request-ID"]
    assert (len(first), len(second), first != second) == (32, 32, True)


def test_request_id_is_taken_from_the_proxy(member_client):
    response = member_client.get("/", HTTP_X_REQUEST_ID="8e1f3c2a-lb-01")
    assert response["X-Request-ID"] == "8e1f3c2a-lb-01"


@pytest.mark.parametrize("given", ["bad id\nINFO forged line", "x" * 65, ""])
def test_request_id_from_the_client_that_could_forge_log_lines_is_replaced(outsider_client, given):
    response = outsider_client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_log_lines_of_a_request_carry_its_id(broken_page, member_client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    response = member_client.get(broken_page, HTTP_X_REQUEST_ID="req-42")

    assert seen_ids == ["req-42"]
    assert (response.status_code, response["X-Request-ID"]) == (500, "req-42")
    assert [(r.name, r.request_id) for r in caplog.records] == [
        ("sessions.test", "req-42"),
        ("django.request", "req-42"),
    ]
    assert current_request_id() == "-"


def test_json_formatter_writes_one_object_a_line():
    request = RequestFactory().get("/seasons/2025/6/")
    try:
        raise ValueError("없는 값")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/seasons/2025/6/",),
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request, "request_id": "abc"},
        )
    line = JsonFormatter().format(record)
    entry = json.loads(line)

    assert "\n" not in line
    assert {
        key: entry[key]
        for key in ("level", "logger", "message", "request_id", "status_code", "method", "path")
    } == {
        "level": "ERROR",
        "logger": "django.request",
        "message": "Internal Server Error: /seasons/2025/6/",
        "request_id": "abc",
        "status_code": 500,
        "method": "GET",
        "path": "/seasons/2025/6/",
    }
    assert entry["exception"].endswith("ValueError: 없는 값")
    assert entry["time"].endswith("+00:00")


def test_server_error_is_mailed_to_admins(broken_page, settings, member_client):
    settings.ADMINS = [("운영진", "ops@example.org")]
    assert member_client.get(broken_page).status_code == 500

    assert [message.to for message in mail.outbox] == [["ops@example.org"]]
    assert mail.outbox[0].subject == "[Django] ERROR (EXTERNAL IP): Internal Server Error: /broken/"
    assert mail.outbox[0].body.startswith(
        "Internal Server Error: /broken/\n\nRuntimeError at /broken/\nthe page broke\n"
    )
