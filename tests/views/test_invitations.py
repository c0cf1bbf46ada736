"""Invitations: one-time links for members who cannot log in yet."""

import datetime
import re
from functools import partial

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks_db.models import DBTaskResult

from sessions.invitations import (
    InvitationError,
    InvitationTokenGenerator,
    create_invited_member,
    invitation_tokens,
    make_invitation_link,
    member_for_invitation,
    send_invitation,
)
from sessions.models import Member
from sessions.tasks import email_invitation
from tests import factories


@pytest.fixture
def imported(db):
    """A member as the importer creates them: no usable password."""
    member = factories.MemberFactory(
        username="김민지", display_name="김민지", email="minji@example.org", password=None
    )
    assert not member.has_usable_password()
    return member


@pytest.fixture
def imported_without_email(db):
    return factories.MemberFactory(
        username="이서준", display_name="이서준", email="", password=None
    )


def link_path(link):
    return re.search(r"https?://[^/]+(/invite/[^/\s]+/[^/\s]+/)", link).group(1)


# The token and link functions


def test_make_invitation_link_with_base_url(imported):
    link = make_invitation_link(imported, "https://study.example.org/")
    uid = urlsafe_base64_encode(force_bytes(imported.pk))
    assert link.startswith(f"https://study.example.org/invite/{uid}/")
    assert member_for_invitation(uid, link.rstrip("/").rsplit("/", 1)[1]) == imported


def test_make_invitation_link_records_when_the_member_was_invited(imported):
    assert imported.invited_at is None
    make_invitation_link(imported, "https://study.example.org/")
    stored = Member.objects.get(pk=imported.pk).invited_at
    assert stored == imported.invited_at and stored is not None


def test_make_invitation_link_refuses_members_who_can_log_in(member):
    with pytest.raises(InvitationError):
        make_invitation_link(member, "https://study.example.org")


def test_invitation_and_reset_tokens_are_not_interchangeable(imported):
    uid = urlsafe_base64_encode(force_bytes(imported.pk))
    reset_token = default_token_generator.make_token(imported)
    invitation_token = invitation_tokens.make_token(imported)
    assert invitation_token != reset_token
    assert member_for_invitation(uid, reset_token) is None
    assert not default_token_generator.check_token(imported, invitation_token)


def test_invitation_token_expires(imported, settings, monkeypatch):
    uid = urlsafe_base64_encode(force_bytes(imported.pk))
    token = invitation_tokens.make_token(imported)
    later = datetime.datetime.now() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    assert member_for_invitation(uid, token) is None


def test_invitation_token_dies_once_a_password_is_set(imported):
    uid = urlsafe_base64_encode(force_bytes(imported.pk))
    token = invitation_tokens.make_token(imported)
    imported.set_password("a fresh pass phrase 42")
    imported.save()
    assert member_for_invitation(uid, token) is None


@pytest.mark.parametrize("uid", ["", "!!!", "MTIzNDU2Nzg5"])
def test_member_for_invitation_bad_uid_is_none(imported, uid):
    assert member_for_invitation(uid, invitation_tokens.make_token(imported)) is None


def test_send_invitation_emails_the_link(imported):
    assert send_invitation(imported, "https://study.example.org/invite/x/y/") is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["minji@example.org"]
    assert "https://study.example.org/invite/x/y/" in message.body
    assert "김민지" in message.body
    assert "\n" not in message.subject


def test_send_invitation_without_address_sends_nothing(imported_without_email):
    assert send_invitation(imported_without_email, "https://x/invite/a/b/") is False
    assert mail.outbox == []


def test_create_invited_member_gets_free_username_and_no_password(db):
    factories.MemberFactory(username="minji")
    member = create_invited_member("김민지", "minji@example.org")
    assert (member.username, member.display_name, member.email) == (
        "minji2",
        "김민지",
        "minji@example.org",
    )
    assert not member.has_usable_password()


# Inviting from the web


def invite_url(member):
    return reverse("study:member-invite", args=[member.pk])


def test_member_invite_anonymous_is_sent_to_login(outsider_client, imported):
    response = outsider_client.post(invite_url(imported))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={invite_url(imported)}"
    assert mail.outbox == []


def test_member_invite_by_member_is_forbidden(member_client, imported):
    response = member_client.post(invite_url(imported))
    assert response.status_code == 403
    assert mail.outbox == []


def test_member_invite_get_is_not_allowed(organizer_client, imported):
    assert organizer_client.get(invite_url(imported)).status_code == 405
    assert mail.outbox == []


def test_member_invite_unknown_member_is_404(organizer_client, db):
    assert organizer_client.post(reverse("study:member-invite", args=[999999])).status_code == 404


def test_member_invite_without_email_shows_link_to_organizer(
    organizer_client, imported_without_email
):
    response = organizer_client.post(invite_url(imported_without_email), follow=True)
    assert mail.outbox == []
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith(
        "이서준 has no email address. Pass on this one-time link: http://testserver/invite/"
    )
    page = Client().get(link_path(message))
    assert page.status_code == 200
    assert page.context["member"] == imported_without_email


def test_member_invite_who_can_log_in_is_refused_with_message(organizer_client, member):
    response = organizer_client.post(invite_url(member), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "조회원 can already log in; they can reset their password instead."
    ]
    assert mail.outbox == []


@pytest.fixture
def committing(settings, django_capture_on_commit_callbacks):
    """`with committing():` runs what the block enqueues at its commit
    right away, instead of in the task worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return partial(django_capture_on_commit_callbacks, execute=True)


def test_member_invite_emails_from_the_task_worker(
    organizer_client, imported, django_capture_on_commit_callbacks
):
    """The page does not send the mail: it enqueues it when its transaction commits."""
    with django_capture_on_commit_callbacks() as callbacks:
        organizer_client.post(invite_url(imported))
    assert (len(callbacks), mail.outbox) == (1, [])
    callbacks[0]()
    result = DBTaskResult.objects.get()
    assert (result.task_path, result.args_kwargs["args"][0]) == (
        "sessions.tasks.email_invitation",
        imported.pk,
    )
    assert result.status == "READY"


def test_invitation_end_to_end(organizer_client, client, imported, committing):
    """Organizer invites an imported member; they set a password and are logged in; the link dies."""
    with committing():
        response = organizer_client.post(invite_url(imported))
    assert response.status_code == 302
    assert response["Location"] == f"/members/{imported.pk}/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["minji@example.org"]
    path = link_path(mail.outbox[0].body)

    page = client.get(path)
    assert page.status_code == 200
    assert page.context["member"] == imported
    assert "<strong>김민지</strong>" in page.content.decode()  # the username to log in with

    response = client.post(
        path, {"new_password1": "stronger pass 9731", "new_password2": "stronger pass 9731"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(imported.pk)
    imported.refresh_from_db()
    assert imported.check_password("stronger pass 9731")

    # Used once: the same link now shows the clear page, and changes nothing.
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "This invitation link is not valid" in again.content.decode()
    again = client.post(
        path, {"new_password1": "other pass 1234x", "new_password2": "other pass 1234x"}
    )
    assert again.status_code == 400
    imported.refresh_from_db()
    assert imported.check_password("stronger pass 9731")
    assert "_auth_user_id" not in client.session


def test_invitation_mismatched_passwords_is_a_form_error(client, imported):
    path = link_path(make_invitation_link(imported, "http://testserver"))
    response = client.post(path, {"new_password1": "stronger pass 9731", "new_password2": "other"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["new_password2"]
    imported.refresh_from_db()
    assert not imported.has_usable_password()


def test_invitation_tampered_link_shows_clear_page(client, imported):
    path = link_path(make_invitation_link(imported, "http://testserver"))
    tampered = path[:-3] + ("a" if path[-3] != "a" else "b") + path[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert response.templates[0].name == "study/invitation_invalid.html"
    assert 'href="/accounts/login/"' in response.content.decode()


def test_invitation_expired_link_shows_clear_page(client, imported, settings, monkeypatch):
    path = link_path(make_invitation_link(imported, "http://testserver"))
    later = datetime.datetime.now() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    monkeypatch.setattr(InvitationTokenGenerator, "_now", lambda self: later)
    response = client.get(path)
    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()


# Adding a member


def test_member_create_anonymous_is_sent_to_login(outsider_client, db):
    response = outsider_client.get("/members/new/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/members/new/"


def test_member_create_by_member_is_forbidden(member_client, member):
    assert member_client.get("/members/new/").status_code == 403
    response = member_client.post(
        "/members/new/", {"display_name": "새사람", "email": "", "emoji": "", "role": "member"}
    )
    assert response.status_code == 403
    assert not Member.objects.filter(display_name="새사람").exists()


def test_member_create_adds_and_emails_invitation(organizer_client, organizer, committing):
    assert organizer_client.get("/members/new/").status_code == 200
    with committing():
        response = organizer_client.post(
            "/members/new/",
            {
                "display_name": "박지우",
                "email": "jiwoo@example.org",
                "emoji": "🐻",
                "role": "member",
            },
        )
    new = Member.objects.get(display_name="박지우")
    assert response.status_code == 302
    assert response["Location"] == f"/members/{new.pk}/"
    assert (new.username, new.email, new.emoji, new.role) == (
        "jiwoo",
        "jiwoo@example.org",
        "🐻",
        "member",
    )
    assert not new.has_usable_password()
    assert len(mail.outbox) == 1
    assert f"/invite/{urlsafe_base64_encode(force_bytes(new.pk))}/" in mail.outbox[0].body
    page = organizer_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "An invitation is on its way to 박지우 at jiwoo@example.org."
    ]


def test_member_create_taken_display_name_is_a_form_error(organizer_client, member):
    response = organizer_client.post(
        "/members/new/", {"display_name": "조회원", "email": "", "emoji": "", "role": "member"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["display_name"]
    assert Member.objects.filter(display_name="조회원").count() == 1
    assert mail.outbox == []


def test_member_profile_after_an_invitation_says_when_and_offers_send_again(
    organizer_client, imported, committing
):
    before = organizer_client.get(
        f"/members/{imported.pk}/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "초대 전" in before
    assert "다시 보내기" not in before and "초대함" not in before
    with committing():
        organizer_client.post(invite_url(imported))
    imported.refresh_from_db()
    assert imported.invited_at is not None
    page = organizer_client.get(
        f"/members/{imported.pk}/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    with translation.override("ko"):
        day = formats.date_format(timezone.localdate(imported.invited_at), "DATE_FORMAT")
    assert f"초대함 ({day})" in page
    assert ">다시 보내기</button>" in page
    with committing():
        organizer_client.post(invite_url(imported))
    assert len(mail.outbox) == 2


def test_member_profile_without_email_after_an_invitation_offers_a_new_link(
    organizer_client, imported_without_email
):
    organizer_client.post(invite_url(imported_without_email))
    page = organizer_client.get(f"/members/{imported_without_email.pk}/").content.decode()
    assert "Invited (" in page and ">Make a new link</button>" in page
    assert "Not invited yet" not in page


def test_email_invitation_task_sends_the_link(imported):
    assert email_invitation.call(imported.pk, "https://study.example.org/invite/x/y/") is True
    assert [(m.to, "https://study.example.org/invite/x/y/" in m.body) for m in mail.outbox] == [
        (["minji@example.org"], True)
    ]


def test_email_invitation_task_for_a_member_gone_meanwhile_sends_nothing(imported):
    pk = imported.pk
    imported.delete()
    assert (email_invitation.call(pk, "https://x/invite/a/b/"), mail.outbox) == (False, [])
