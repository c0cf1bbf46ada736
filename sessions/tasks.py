"""Work done by the task worker (`manage.py db_worker`), not in a request."""

from django_tasks import task

from sessions.invitations import send_invitation
from sessions.models import Member


@task()
def email_invitation(member_pk, link):
    """Email the invitation `link` to the member, so that the organizer's
    page does not wait for the mail server. Returns whether a mail was sent
    (not when the member has no address, or is gone, by then)."""
    member = Member.objects.filter(pk=member_pk).first()
    return member is not None and send_invitation(member, link)
