"""Background work, run by the task worker (`manage.py db_worker` with the
default database backend; another backend by DJANGO_TASKS_BACKEND)."""

import datetime

from django.utils import timezone
from django_tasks import task

from sessions import notifications
from sessions.invitations import send_invitation
from sessions.models import Member, Notification


@task()
def send_notification(notification_id):
    """Email one notification; after an SMTP failure the task queues itself
    again with back-off (notifications.RETRY_DELAYS) until the attempts run out."""
    outcome = notifications.send_notification_email(notification_id)
    if outcome == notifications.Outcome.RETRY:
        notification = Notification.objects.get(pk=notification_id)
        delay = datetime.timedelta(seconds=notifications.retry_delay(notification))
        if send_notification.get_backend().supports_defer:
            send_notification.using(run_after=timezone.now() + delay).enqueue(notification_id)
        # A backend that cannot wait leaves the row to the sweep
        # (notifications.requeue_lost_emails).
    return outcome


@task()
def send_digests():
    """The daily digest emails, and the at-once emails whose task was lost."""
    requeued = notifications.requeue_lost_emails()
    return {"digests": notifications.send_digests(), "requeued": requeued}


@task()
def email_invitation(member_pk, link):
    """Email the invitation `link` to the member, so that the organizer's
    page does not wait for the mail server. Returns whether a mail was sent
    (not when the member has no address, or is gone, by then)."""
    member = Member.objects.filter(pk=member_pk).first()
    return member is not None and send_invitation(member, link)
