import secrets

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from sessions.markdown import MAX_SHORT_TEXT
from sessions.paths import page_url

from .base import RenderedMarkdownModel
from .notifications import Notification
from .reflections import Visibility


def new_feed_token():
    return secrets.token_urlsafe(24)


# An unusable password (set_unusable_password) starts with this prefix.
_CANNOT_LOG_IN = models.Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)


class MemberQuerySet(models.QuerySet):
    def organizers(self):
        return self.filter(models.Q(role=Member.Role.ORGANIZER) | models.Q(is_superuser=True))

    def invitable(self):
        """Members who cannot log in yet (created by the importer or invited)."""
        return self.filter(_CANNOT_LOG_IN)

    def with_can_log_in(self):
        """Annotate `can_log_in`: whether the member has a usable password,
        read in the database, so that the hash need not be loaded."""
        return self.annotate(
            can_log_in=models.ExpressionWrapper(~_CANNOT_LOG_IN, output_field=models.BooleanField())
        )

    def with_unread_count(self):
        """Annotate `unread_count`: the member's unread notifications (the
        bell of every page), in the query that reads the member."""
        unread = (
            Notification.objects.filter(recipient=models.OuterRef("pk"))
            .unread()
            .order_by()
            .values("recipient")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(unread_count=Coalesce(models.Subquery(unread), 0))


class MemberManager(UserManager.from_queryset(MemberQuerySet)):
    pass


def label_of(display_name, emoji):
    """`Member.label` of a member known by these two fields only."""
    return f"{emoji} {display_name}" if emoji else display_name


class Member(RenderedMarkdownModel, AbstractUser):
    """A person in the group; also the login account."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ORGANIZER = "organizer", _("Organizer")

    first_name = None
    last_name = None
    display_name = models.CharField(
        _("display name"),
        max_length=50,
        unique=True,
        help_text=_("The name the group knows you by, e.g. 김민지."),
    )
    emoji = models.CharField(_("emoji"), max_length=8, blank=True)
    bio = MarkdownxField(_("bio"), blank=True)
    bio_html = models.TextField(editable=False, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    # Two secrets: a calendar link passed around (a shared family calendar)
    # must not open the activity feed, which lists what members wrote.
    calendar_token = models.CharField(
        _("calendar feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )
    activity_token = models.CharField(
        _("activity feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )
    default_journal_visibility = models.CharField(
        _("new journal entries"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
        help_text=_("Who reads a new entry unless you choose otherwise when you write it."),
    )
    # The language of the member's emails: saved by the language switcher.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # When an invitation link was last made for the member (emailed or handed on).
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True, editable=False)
    # Moves on with every full save and every profile edit; the profile form
    # saves only over the version it was opened on (sessions/forms/concurrency.py).
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberManager()

    markdown_fields = {"bio": "bio_html"}
    markdown_max_length = MAX_SHORT_TEXT
    REQUIRED_FIELDS = ["email", "display_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        if not self.display_name:
            self.display_name = self.username
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return page_url("study:member-detail", self.pk)

    @property
    def label(self):
        """The member's emoji, then their display name: "🐻 최하은". The one rule
        for a name on a page: the emoji comes first, so a Korean particle
        always follows the name itself ("🐻 최하은의 소감", never "최하은🐻의")."""
        return label_of(self.display_name, self.emoji)

    @property
    def is_organizer(self):
        return self.role == self.Role.ORGANIZER or self.is_superuser

    @property
    def has_password(self):
        return self.has_usable_password()

    FEED_TOKENS = {"calendar": "calendar_token", "activity": "activity_token"}

    def reset_feed_token(self, feed):
        """A new secret for one feed ("calendar" or "activity"); the other
        feed's address stays as it was."""
        field = self.FEED_TOKENS[feed]
        setattr(self, field, new_feed_token())
        self.save(update_fields=[field])

    @transaction.atomic
    def absorb(self, other):
        """Move every row that belongs to `other` to this member, then delete `other`.

        Touches every relation that points at members. Where a uniqueness rule
        would be broken (both presented the same talk, both wrote a reflection
        on the same session, both answered for the same session, both voted
        for a nomination, both held a slot on one session), this
        member's row is kept and `other`'s text is appended to it.
        """
        from .meetings import Attendance
        from .planning import NominationVote, TalkSlot
        from .reflections import Reflection
        from .retros import CardVote
        from .seasons import SeasonMembership
        from .talks import PresentationPresenter

        if other.pk == self.pk:
            raise ValueError("A member cannot absorb themselves.")

        PresentationPresenter.objects.filter(
            member=other, presentation__presenter_links__member=self
        ).delete()
        for mine in Reflection.objects.filter(author=self, session__isnull=False):
            theirs = Reflection.objects.filter(author=other, session=mine.session).first()
            if theirs is not None:
                mine.body = f"{mine.body}\n\n{theirs.body}".strip()
                mine.save(update_fields=["body"])
                theirs.delete()
        Attendance.objects.filter(member=other, session__attendances__member=self).delete()
        SeasonMembership.objects.filter(member=other, season__memberships__member=self).delete()
        NominationVote.objects.filter(member=other, nomination__votes__member=self).delete()
        # A member holds one slot a session: where both held one, `other`'s opens again.
        TalkSlot.objects.filter(holder=other, session__slots__holder=self).update(
            holder=None, claimed_at=None
        )
        CardVote.objects.filter(member=other, card__votes__member=self).delete()

        for relation in other._meta.related_objects:
            if relation.one_to_many or relation.one_to_one:
                relation.related_model._base_manager.filter(**{relation.field.name: other}).update(
                    **{relation.field.name: self}
                )
        for field in ("emoji", "bio", "email"):
            if not getattr(self, field) and getattr(other, field):
                setattr(self, field, getattr(other, field))
        self.save()
        other.delete()
