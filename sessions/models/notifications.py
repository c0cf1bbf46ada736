"""Notifications: one row per event and recipient, shown in the inbox and
emailed at once, in a daily digest or never, as the recipient prefers.

sessions/notifications.py creates them (`notify`) and sends their emails;
sessions/tasks.py runs the sending in the task worker.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What happened. A new kind needs a choice here, a default delivery in
    DEFAULT_DELIVERY, a sentence in SENTENCES and an email template
    study/email/notification_<kind>.txt."""

    QUESTION = "question", _("A question addressed to you")
    ANSWER = "answer", _("An answer to your question")
    SESSION_REMINDER = "session_reminder", _("The session reminder the day before")
    SLOT_OPENED = "slot_opened", _("A new open talk slot in your season")
    SLOT_ASSIGNED = "slot_assigned", _("A talk slot assigned to you")
    SLOT_GIVEN_BACK = "slot_given_back", _("A talk slot given back (for organizers)")
    NOMINATION_SCHEDULED = "nomination_scheduled", _("Your nominated paper scheduled for a talk")
    ACTION_ITEM = "action_item", _("A retrospective action item assigned to you")


class Delivery(models.TextChoices):
    """How a member wants to hear about one kind of notification by email."""

    AT_ONCE = "at_once", _("At once")
    DIGEST = "digest", _("In a daily digest")
    NEVER = "never", _("Never")


# Without a preference of their own, members get these.
DEFAULT_DELIVERY = {
    NotificationKind.QUESTION: Delivery.AT_ONCE,
    NotificationKind.ANSWER: Delivery.AT_ONCE,
    NotificationKind.SESSION_REMINDER: Delivery.AT_ONCE,
    NotificationKind.SLOT_OPENED: Delivery.DIGEST,
    NotificationKind.SLOT_ASSIGNED: Delivery.AT_ONCE,
    NotificationKind.SLOT_GIVEN_BACK: Delivery.AT_ONCE,
    NotificationKind.NOMINATION_SCHEDULED: Delivery.DIGEST,
    NotificationKind.ACTION_ITEM: Delivery.AT_ONCE,
}

# The line that says what happened, in the inbox and as the email's subject.
SENTENCES = {
    NotificationKind.QUESTION: _("%(actor)s asked you a question about “%(label)s”"),
    NotificationKind.ANSWER: _("%(actor)s answered your question about “%(label)s”"),
    NotificationKind.SESSION_REMINDER: _("Tomorrow: %(label)s"),
    NotificationKind.SLOT_OPENED: _("%(actor)s opened talk slots: %(label)s"),
    NotificationKind.SLOT_ASSIGNED: _("%(actor)s gave you a talk slot: %(label)s"),
    NotificationKind.SLOT_GIVEN_BACK: _("%(actor)s gave a talk slot back: %(label)s"),
    NotificationKind.NOMINATION_SCHEDULED: _(
        "%(actor)s scheduled the paper you nominated: %(label)s"
    ),
    NotificationKind.ACTION_ITEM: _("%(actor)s gave you an action item: %(label)s"),
}


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self, member):
        return self.filter(recipient=member).select_related("actor").order_by("-created_at", "-pk")

    def mark_read(self):
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One event told to one member."""

    class Email(models.TextChoices):
        NONE = "none", _("Not emailed")
        PENDING = "pending", _("Waiting to be sent")
        DIGEST = "digest", _("Waiting for the digest")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    Kind = NotificationKind

    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # What the event is about (a question, an answer, a session): the place
    # the notification links to, and with kind and recipient its identity.
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # The name of that place when the event happened (a talk's topic, a
    # session's name), so the inbox needs no query per item.
    target_label = models.CharField(_("about"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email = models.CharField(_("email"), max_length=16, choices=Email.choices, default=Email.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    # When a task to send the email was last queued: the sweep queues again
    # those that a lost task (a killed worker) left waiting.
    email_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An event is told to a member once: the same event notified
            # twice (a retried request, two processes) stores and sends nothing new.
            models.UniqueConstraint(
                fields=["kind", "recipient", "target_type", "target_id"],
                name="study_notification_once",
            ),
        ]
        indexes = [
            # The inbox, newest first.
            models.Index(fields=["recipient", "-created_at"], name="study_notif_inbox_idx"),
            # The bell's unread count on every page.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="study_notif_unread_idx",
            ),
            # The digest and the sweep find what waits to be emailed.
            models.Index(
                fields=["email", "created_at"],
                condition=models.Q(email__in=["pending", "digest"]),
                name="study_notif_email_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"

    @property
    def sentence(self):
        actor = self.actor.display_name if self.actor_id else _("Someone")
        return SENTENCES[self.kind] % {"actor": actor, "label": self.target_label}

    def open_url(self):
        """Where the inbox and the email link: marks it read, then goes to its place."""
        return reverse("study:notification-open", args=[self.pk])


class NotificationPreference(models.Model):
    """How one member wants one kind of notification emailed; without a row
    the kind's default (DEFAULT_DELIVERY) holds."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    delivery = models.CharField(_("email"), max_length=16, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            # One choice per member and kind.
            models.UniqueConstraint(fields=["member", "kind"], name="study_notif_pref_once"),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_kind_display()} → {self.get_delivery_display()}"

    @classmethod
    def deliveries(cls, members, kind):
        """{member pk: delivery} of `kind` for `members` (one query)."""
        chosen = dict(
            cls.objects.filter(member__in=members, kind=kind).values_list("member_id", "delivery")
        )
        return {member.pk: chosen.get(member.pk, DEFAULT_DELIVERY[kind]) for member in members}

    @classmethod
    def of_member(cls, member):
        """{kind: delivery} of every kind for `member`."""
        chosen = dict(cls.objects.filter(member=member).values_list("kind", "delivery"))
        return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind}

    @classmethod
    def choose(cls, member, kind, delivery):
        cls.objects.update_or_create(member=member, kind=kind, defaults={"delivery": delivery})
