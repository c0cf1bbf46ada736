"""Logging in under attack: lockouts hit the attacker's address only, behind
the proxy too, and odd input is a form error, never a 500."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory

from sessions.throttling import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
PROXY = "127.0.0.1"
ATTACKER = "203.0.113.66"
MEMBER_HOME = "198.51.100.7"


def log_in(username, password, *, forwarded_for=None):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, **headers
    )


def fail_five_times(username, forwarded_for):
    statuses = [
        log_in(username, "wrong", forwarded_for=forwarded_for).status_code for _ in range(5)
    ]
    assert statuses == [200] * 4 + [429]


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True


def test_behind_proxy_failures_from_elsewhere_do_not_lock_the_member_out(behind_proxy, member):
    fail_five_times("member", ATTACKER)
    assert log_in("member", PASSWORD, forwarded_for=MEMBER_HOME).status_code == 302
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("member", ATTACKER)
    ]


def test_behind_proxy_failures_lock_out_their_own_address(behind_proxy, member):
    fail_five_times("member", ATTACKER)
    response = log_in("member", PASSWORD, forwarded_for=ATTACKER)
    assert response.status_code == 429


def test_behind_proxy_forged_forwarded_entries_do_not_change_the_address(behind_proxy, member):
    """The proxy appends the address it saw; what the client wrote before it is not believed."""
    statuses = [
        log_in("member", "wrong", forwarded_for=f"192.0.2.{n}, {ATTACKER}").status_code
        for n in range(5)
    ]
    assert statuses == [200] * 4 + [429]
    assert log_in("member", PASSWORD, forwarded_for=f"192.0.2.99, {ATTACKER}").status_code == 429


def test_without_proxy_forwarded_for_is_ignored(member):
    statuses = [
        log_in("member", "wrong", forwarded_for=f"192.0.2.{n}").status_code for n in range(5)
    ]
    assert statuses == [200] * 4 + [429]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


@pytest.mark.parametrize(
    ("behind", "forwarded_for", "address"),
    [
        (True, ATTACKER, ATTACKER),
        (True, f"6.6.6.6, {ATTACKER}", ATTACKER),
        (True, "2001:db8::1", "2001:db8::1"),
        (True, "not an address", PROXY),
        (True, None, PROXY),
        (False, ATTACKER, PROXY),
    ],
)
def test_client_ip(settings, behind, forwarded_for, address):
    settings.BEHIND_PROXY = behind
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    assert client_ip(RequestFactory().get("/", **headers)) == address


def test_login_with_an_overlong_username_is_a_form_error(member):
    response = log_in("x" * 300, "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "username": ["Ensure this value has at most 150 characters (it has 300)."]
    }
    assert AccessAttempt.objects.count() == 0


def test_login_with_a_nul_in_the_username_is_a_form_error(member):
    response = log_in("mem\x00ber", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors == {"username": ["Null characters are not allowed."]}
