"""`manage.py invite_member`: invitations from the command line."""

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from sessions.management.commands.invite_member import invite_member
from sessions.models import Member
from tests import factories


def run(*args):
    out = io.StringIO()
    call_command("invite_member", *args, "--base-url", "http://testserver", stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(db):
    return factories.MemberFactory(display_name="김민지", email="minji@example.org", password=None)


def test_invite_existing_member_prints_and_emails_link(imported):
    output = run("김민지")
    link = output.strip().splitlines()[-1]
    assert output.splitlines()[0] == "Emailed the invitation to minji@example.org."
    assert re.fullmatch(r"http://testserver/invite/[\w-]+/[\w-]+/", link)
    assert [m.to for m in mail.outbox] == [["minji@example.org"]]
    assert link in mail.outbox[0].body
    # The printed link works.
    page = Client().get(link.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert page.context["member"] == imported


def test_invite_unknown_name_is_an_error(db):
    with pytest.raises(CommandError, match="No member is called '없는사람'"):
        run("없는사람")
    assert Member.objects.count() == 0


def test_invite_unknown_name_with_email_creates_member(db):
    output = run("박지우", "--email", "jiwoo@example.org")
    member = Member.objects.get(display_name="박지우")
    assert (member.username, member.email) == ("jiwoo", "jiwoo@example.org")
    assert not member.has_usable_password()
    assert output.splitlines()[0] == "Created 박지우 (username jiwoo)."
    assert len(mail.outbox) == 1


def test_invite_create_without_email_prints_link_only(db):
    output = run("이서준", "--create")
    member = Member.objects.get(display_name="이서준")
    assert member.email == ""
    assert mail.outbox == []
    assert "Not emailed; pass this one-time link to 이서준:" in output
    assert output.strip().splitlines()[-1].startswith("http://testserver/invite/")


def test_invite_sets_missing_address(db):
    member = factories.MemberFactory(display_name="최하은", email="", password=None)
    run("최하은", "--email", "haeun@example.org")
    member.refresh_from_db()
    assert member.email == "haeun@example.org"
    assert mail.outbox[0].to == ["haeun@example.org"]


def test_invite_different_address_is_an_error(imported):
    with pytest.raises(CommandError, match="already has the address minji@example.org"):
        run("김민지", "--email", "other@example.org")
    imported.refresh_from_db()
    assert imported.email == "minji@example.org"
    assert mail.outbox == []


def test_invite_member_who_can_log_in_is_an_error(member):
    with pytest.raises(CommandError, match="조회원 can already log in"):
        run("조회원")
    assert mail.outbox == []


def test_invite_bad_email_is_an_error(db):
    with pytest.raises(CommandError, match="'not-an-address' is not an email address."):
        run("박지우", "--email", "not-an-address")
    assert Member.objects.count() == 0


def test_invite_dry_run_changes_and_sends_nothing(db):
    output = run("박지우", "--email", "jiwoo@example.org", "--dry-run")
    assert (
        output
        == "Would create 박지우 <jiwoo@example.org> and invite them (dry run: nothing changed).\n"
    )
    assert Member.objects.count() == 0
    assert mail.outbox == []


def test_invite_dry_run_existing_member_prints_link_sends_nothing(imported):
    output = run("김민지", "--dry-run")
    assert output.splitlines()[0] == "Would email the invitation to minji@example.org."
    assert output.strip().splitlines()[-1].startswith("http://testserver/invite/")
    assert mail.outbox == []


def test_invite_no_email_flag_prints_link_only(imported):
    output = run("김민지", "--no-email")
    assert mail.outbox == []
    assert output.strip().splitlines()[-1].startswith("http://testserver/invite/")


def test_invite_quiet_prints_only_the_link(imported):
    out = io.StringIO()
    call_command(
        "invite_member", "김민지", "--base-url", "https://s.example", "-v", "0", stdout=out
    )
    assert re.fullmatch(r"https://s\.example/invite/[\w-]+/[\w-]+/\n", out.getvalue())


def test_invite_member_function_returns_result(imported):
    result = invite_member("김민지", base_url="https://s.example", send_email=False)
    assert (result.member, result.created, result.emailed) == (imported, False, False)
    assert result.link.startswith("https://s.example/invite/")
