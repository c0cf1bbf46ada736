"""Notifications: telling members what happened, in the inbox and by email.

Emit an event with `notify(kind, recipients, actor=..., target=...)`, inside
the transaction that writes it. Each recipient (never the actor) gets one
Notification row; the named unique constraint on (kind, recipient, target)
makes a second `notify` of the same event a no-op. Emails wanted at once
are queued as tasks (sessions/tasks.py) when the transaction commits, so a
rolled-back write sends nothing; digest emails wait for `send_digests`.

Sending (`send_notification_email`) claims the row under a lock, sends, and
marks it sent in the same transaction:

- Two tasks for one row (a retry and the sweep's re-queue, two workers)
  cannot both send: the second waits for the lock, then finds it sent.
- A worker killed while sending rolls the transaction back: the row still
  waits, and `requeue_lost_emails` (run by `send_digests` from cron) queues
  it again. Only if the worker dies after the mail server accepted the
  message and before the commit (a few milliseconds) is it sent again; its
  Message-ID, fixed per notification, lets mail programs drop the copy.
- An SMTP failure rolls back too; the task tries again later with back-off
  (RETRY_DELAYS), and after the last attempt the row is marked failed.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions.models import Delivery, Member, Notification, NotificationKind, NotificationPreference

logger = logging.getLogger(__name__)

# Seconds to wait before each retry of an email the mail server refused.
RETRY_DELAYS = [60, 5 * 60, 30 * 60, 2 * 60 * 60]
# An at-once email whose task was queued this long ago and that still waits
# lost its task (a worker killed mid-task): `requeue_lost_emails` queues it again.
LOST_AFTER = datetime.timedelta(hours=1)

UNSUBSCRIBE_SALT = "study.notifications.unsubscribe"
# In an unsubscribe token: every kind (the digest's link).
ALL_KINDS = "*"

_EMAIL_STATE = {
    Delivery.AT_ONCE: Notification.Email.PENDING,
    Delivery.DIGEST: Notification.Email.DIGEST,
    Delivery.NEVER: Notification.Email.NONE,
}


def notify(kind, recipients, *, actor, target, label=""):
    """Tell `recipients` (members; the actor and inactive members are left
    out) that `actor` (a member, or None for the app itself) did `kind` to
    `target` (a model instance: where the notification links). `label` names
    the target in the inbox and the email. Returns the notifications created
    (none for an event told before)."""
    kind = NotificationKind(kind)
    people = {member.pk: member for member in recipients if member is not None and member.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return []
    members = list(people.values())
    deliveries = NotificationPreference.deliveries(members, kind)
    target_type = ContentType.objects.get_for_model(target)
    created = []
    for member in members:
        state = _EMAIL_STATE[deliveries[member.pk]] if member.email else Notification.Email.NONE
        try:
            # A savepoint each: an event told before breaks the unique
            # constraint and is skipped without spoiling the others.
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        kind=kind,
                        recipient=member,
                        actor=actor,
                        target_type=target_type,
                        target_id=target.pk,
                        target_label=label[:300],
                        email=state,
                        email_queued_at=timezone.now()
                        if state == Notification.Email.PENDING
                        else None,
                    )
                )
        except IntegrityError:
            continue
    pending = [n.pk for n in created if n.email == Notification.Email.PENDING]
    if pending:
        # robust: a queue that cannot take the task must not fail the page
        # whose write is committed; the row waits and the sweep queues it.
        transaction.on_commit(lambda: queue_emails(pending), robust=True)
    return created


def queue_emails(pks):
    from sessions.tasks import send_notification

    for pk in pks:
        send_notification.enqueue(pk)


def requeue_lost_emails(now=None):
    """Queue again the at-once emails whose task was lost; return how many."""
    now = now or timezone.now()
    lost = list(
        Notification.objects.filter(
            email=Notification.Email.PENDING, email_queued_at__lt=now - LOST_AFTER
        ).values_list("pk", flat=True)
    )
    if lost:
        Notification.objects.filter(pk__in=lost).update(email_queued_at=now)
        queue_emails(lost)
    return len(lost)


# Unsubscribing -------------------------------------------------------------


def unsubscribe_token(member, kind):
    """A signed token that stops `member`'s emails of `kind` (ALL_KINDS: all)."""
    return signing.dumps({"m": member.pk, "k": str(kind)}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(member, kinds) of a token; signing.BadSignature or Member.DoesNotExist
    for a forged, damaged or orphaned one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        raise signing.BadSignature("malformed unsubscribe token")
    kind = data["k"]
    if kind == ALL_KINDS:
        kinds = list(NotificationKind)
    elif kind in NotificationKind.values:
        kinds = [NotificationKind(kind)]
    else:
        raise signing.BadSignature("unknown kind")
    member = Member.objects.get(pk=data.get("m"), is_active=True)
    return member, kinds


def unsubscribe(member, kinds):
    for kind in kinds:
        NotificationPreference.choose(member, kind, Delivery.NEVER)
    # What already waits for the digest is not sent either.
    Notification.objects.filter(
        recipient=member, kind__in=kinds, email=Notification.Email.DIGEST
    ).update(email=Notification.Email.NONE)


def unsubscribe_url(member, kind):
    return settings.SITE_URL + reverse("study:unsubscribe", args=[unsubscribe_token(member, kind)])


# Sending ---------------------------------------------------------------------


def _message(member, kind, subject, body, message_id):
    url = unsubscribe_url(member, kind)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.email],
        headers={
            # RFC 8058: mail programs offer "unsubscribe" and POST to it.
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id,
        },
    )


def _domain():
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def render_email(notification):
    """The EmailMessage of one notification, in its recipient's language."""
    member = notification.recipient
    with translation.override(member.language):
        context = {
            "member": member,
            "notification": notification,
            "sentence": notification.sentence,
            "target": notification.target,
            "url": settings.SITE_URL + notification.open_url(),
            "unsubscribe_url": unsubscribe_url(member, notification.kind),
            "preferences_url": settings.SITE_URL + reverse("study:notification-preferences"),
        }
        if notification.kind == NotificationKind.SESSION_REMINDER and context["target"] is not None:
            context.update(_session_context(context["target"], member))
        body = render_to_string(f"study/email/notification_{notification.kind}.txt", context)
        subject = str(notification.sentence)
    return _message(
        member, notification.kind, subject, body, f"<notification-{notification.pk}@{_domain()}>"
    )


def _session_context(session, member):
    from sessions.models import Attendance

    attendance = Attendance.objects.filter(session=session, member=member).first()
    return {
        "session": session,
        "talks": session.presentations.order_by("order", "pk"),
        "response": attendance.get_response_display() if attendance and attendance.response else "",
    }


class Outcome:
    SENT = "sent"
    NOTHING_TO_DO = "nothing to do"
    RETRY = "retry"
    FAILED = "failed"


def send_notification_email(pk):
    """Send the at-once email of notification `pk` if it still waits, and
    return an Outcome. Raises nothing for an SMTP failure: it counts the
    attempt and returns RETRY (or FAILED after the last one)."""
    try:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient", "actor")
                .filter(pk=pk, email=Notification.Email.PENDING)
                .first()
            )
            if notification is None:
                return Outcome.NOTHING_TO_DO
            message = render_email(notification)
            message.send(fail_silently=False)
            notification.email = Notification.Email.SENT
            notification.emailed_at = timezone.now()
            notification.email_attempts += 1
            notification.save(update_fields=["email", "emailed_at", "email_attempts"])
            return Outcome.SENT
    except (OSError, ConnectionError) as error:
        # smtplib's errors are OSErrors too; the rollback left the row waiting.
        logger.warning("Notification %s: email failed (%s)", pk, error)
        return _count_failure(pk)


def _count_failure(pk):
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=pk, email=Notification.Email.PENDING)
            .first()
        )
        if notification is None:
            return Outcome.NOTHING_TO_DO
        notification.email_attempts += 1
        gave_up = notification.email_attempts > len(RETRY_DELAYS)
        notification.email = Notification.Email.FAILED if gave_up else Notification.Email.PENDING
        # Counted from when the retry is due, so the sweep leaves the back-off alone.
        notification.email_queued_at = timezone.now() + datetime.timedelta(
            seconds=retry_delay(notification)
        )
        notification.save(update_fields=["email", "email_attempts", "email_queued_at"])
        return Outcome.FAILED if gave_up else Outcome.RETRY


def retry_delay(notification):
    """Seconds from a failed attempt of `notification`'s email to the next."""
    return RETRY_DELAYS[min(max(notification.email_attempts, 1), len(RETRY_DELAYS)) - 1]


# The daily digest ----------------------------------------------------------


def send_digests(until=None):
    """One email per member with every digest notification created before
    `until` (default: the start of today, local time), grouped by day.
    Returns the number of emails sent. Safe to run again: what is sent is
    marked in the same transaction."""
    if until is None:
        until = timezone.make_aware(
            datetime.datetime.combine(timezone.localdate(), datetime.time.min)
        )
    waiting = (
        Notification.objects.filter(email=Notification.Email.DIGEST, created_at__lt=until)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    connection = get_connection()
    for member_pk in sorted(set(waiting)):
        try:
            if _send_digest(member_pk, until, connection):
                sent += 1
        except (OSError, ConnectionError) as error:
            # The rows still wait: the next run sends them.
            logger.warning("Digest for member %s failed (%s)", member_pk, error)
    return sent


def _send_digest(member_pk, until, connection):
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(recipient=member_pk, email=Notification.Email.DIGEST, created_at__lt=until)
            .select_related("recipient", "actor")
            .order_by("created_at", "pk")
        )
        if not items:
            return False
        member = items[0].recipient
        if not member.email or not member.is_active:
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                email=Notification.Email.NONE
            )
            return False
        with translation.override(member.language):
            days = {}
            for item in items:
                day = timezone.localdate(item.created_at)
                days.setdefault(day, []).append(
                    (item.sentence, settings.SITE_URL + item.open_url())
                )
            context = {
                "member": member,
                "days": sorted(days.items()),
                "unsubscribe_url": unsubscribe_url(member, ALL_KINDS),
                "preferences_url": settings.SITE_URL + reverse("study:notification-preferences"),
            }
            body = render_to_string("study/email/notification_digest.txt", context)
            subject = _("%(count)d notification(s) from the study group") % {"count": len(items)}
        message = _message(member, ALL_KINDS, subject, body, f"<digest-{items[-1].pk}@{_domain()}>")
        message.connection = connection
        message.send(fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(
            email=Notification.Email.SENT, emailed_at=timezone.now()
        )
        return True
