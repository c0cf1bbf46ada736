"""One-time invitation links for members who cannot log in yet.

Members created by the importer (or by an organizer) have no usable
password. An organizer sends them a link; on its page they choose a
password and are logged in. The link is a token in the style of Django's
password reset tokens, with its own salt so that a reset token is never an
invitation token and the other way round. It stops working once a password
is set (the password hash is part of the token) and after
settings.PASSWORD_RESET_TIMEOUT seconds.
"""

import re

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from sessions.models import Member

__all__ = [
    "InvitationError",
    "InvitationTokenGenerator",
    "create_invited_member",
    "invitation_tokens",
    "make_invitation_link",
    "member_for_invitation",
    "send_invitation",
]


class InvitationError(Exception):
    """The member cannot be invited (for example: they can already log in)."""


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Password-reset style tokens, salted apart from real reset tokens."""

    key_salt = "sessions.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def check_invitable(member):
    """Raise InvitationError unless `member` still needs an invitation."""
    if member.has_usable_password():
        raise InvitationError(
            _("%(name)s can already log in; they can reset their password instead.")
            % {"name": member.display_name}
        )
    if not member.is_active:
        raise InvitationError(_("%(name)s is deactivated.") % {"name": member.display_name})


def invitation_path(member):
    """The site-relative path of a fresh invitation link for `member`."""
    return reverse(
        "study:invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(member.pk)),
            "token": invitation_tokens.make_token(member),
        },
    )


def make_invitation_link(member, request_or_base_url):
    """An absolute one-time link for `member`.

    `request_or_base_url` is the current request (links use its host) or a
    base URL such as "https://study.example.org" (for the command line).
    Raises InvitationError for members who can already log in. Records when
    the member was invited (`Member.invited_at`, shown on their profile).
    """
    check_invitable(member)
    path = invitation_path(member)
    member.invited_at = timezone.now()
    Member.objects.filter(pk=member.pk).update(invited_at=member.invited_at)
    if isinstance(request_or_base_url, str):
        return request_or_base_url.rstrip("/") + path
    return request_or_base_url.build_absolute_uri(path)


def send_invitation(member, link):
    """Email `link` to the member. Returns False (sends nothing) without an address."""
    if not member.email:
        return False
    context = {
        "member": member,
        "link": link,
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    subject = render_to_string("registration/invitation_subject.txt", context)
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail(" ".join(subject.split()), body, None, [member.email])
    return True


def member_for_invitation(uidb64, token):
    """The member an invitation link is for, or None when it is not (or no longer) valid."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        member = Member.objects.get(pk=pk)
    except (TypeError, ValueError, OverflowError, Member.DoesNotExist):
        return None
    if member.has_usable_password() or not member.is_active:
        return None
    if not invitation_tokens.check_token(member, token):
        return None
    return member


def _free_username(display_name, email):
    """A username nobody has: from the email's local part, else the display name."""
    source = email.split("@")[0] if email else display_name
    base = re.sub(r"[^\w.@+-]+", ".", source).strip(".")[:140] or "member"
    candidate, suffix = base, 1
    while Member.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base}{suffix}"
    return candidate


@transaction.atomic
def create_invited_member(display_name, email="", **fields):
    """A new member who cannot log in until they accept an invitation."""
    member = Member(
        username=_free_username(display_name, email),
        display_name=display_name,
        email=email,
        **fields,
    )
    member.set_unusable_password()
    member.save()
    return member
