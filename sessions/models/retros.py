"""The retrospective board of a session: cards in columns, votes, and the
action items that follow the group to a later session."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import RenderedMarkdownModel
from .meetings import StudySession

# A card is a sticky note, not an essay.
CARD_MAX_LENGTH = 1000


class Column(models.TextChoices):
    KEEP = "keep", _("Keep")
    PROBLEM = "problem", _("Problem")
    TRY = "try", _("Try")
    LIKED = "liked", _("Liked")
    LEARNED = "learned", _("Learned")
    LACKED = "lacked", _("Lacked")
    LONGED_FOR = "longed_for", _("Longed for")


class RetroBoard(models.Model):
    """The group's retrospective of one session, in the columns of its format."""

    class Format(models.TextChoices):
        KPT = "kpt", _("KPT (Keep, Problem, Try)")
        FOUR_L = "4l", _("4L (Liked, Learned, Lacked, Longed for)")

    COLUMNS = {
        Format.KPT: [Column.KEEP, Column.PROBLEM, Column.TRY],
        Format.FOUR_L: [Column.LIKED, Column.LEARNED, Column.LACKED, Column.LONGED_FOR],
    }

    session = models.OneToOneField(
        StudySession,
        on_delete=models.CASCADE,
        related_name="retro_board",
        verbose_name=_("session"),
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.KPT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retrospective board")
        verbose_name_plural = _("retrospective boards")
        ordering = ["session"]

    def __str__(self):
        return str(_("Retrospective of %(session)s") % {"session": self.session.full_name})

    def columns(self):
        """The board's columns, as Column choices in order."""
        return self.COLUMNS[self.format]


class CardQuerySet(models.QuerySet):
    def top_level(self):
        """Cards not merged into another one."""
        return self.filter(merged_into__isnull=True)


class Card(RenderedMarkdownModel):
    """A short note on a board; anonymous cards hide their author from
    everyone but the author (and superusers in the admin)."""

    board = models.ForeignKey(
        RetroBoard, on_delete=models.CASCADE, related_name="cards", verbose_name=_("board")
    )
    column = models.CharField(_("column"), max_length=16, choices=Column.choices)
    body = models.TextField(_("card"), max_length=CARD_MAX_LENGTH)
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retro_cards",
        verbose_name=_("author"),
    )
    anonymous = models.BooleanField(
        _("post anonymously"),
        default=False,
        help_text=_("Other members and the organizers do not see that you wrote it."),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cards",
        verbose_name=_("merged into"),
    )
    # Votes that came in with an import (exports keep votes as counts, not voters).
    imported_votes = models.PositiveIntegerField(_("imported votes"), default=0)
    # Set when the text changes after the card got its first vote.
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Earlier versions, shown once the card was edited after a vote.
    history = HistoricalRecords(excluded_fields=["merged_into"])

    objects = CardQuerySet.as_manager()

    markdown_fields = {"body": "body_html"}

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["board", "column", "created_at", "pk"]
        constraints = [
            # A card is not merged into itself (a merge moves it under another card).
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="study_card_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        return self.body[:60]

    def author_shown_to(self, viewer):
        """The author as `viewer` may see them: None for an anonymous card
        unless `viewer` wrote it."""
        if self.anonymous and (viewer is None or viewer.pk != self.author_id):
            return None
        return self.author

    def is_by(self, viewer):
        return viewer is not None and self.author_id is not None and self.author_id == viewer.pk

    @transaction.atomic
    def merge_into(self, target):
        """Put this card (and the cards merged into it) under `target`; its
        votes move to `target`, once per member."""
        moving = CardVote.objects.filter(card__in=[self, *self.merged_cards.all()])
        voters = set(moving.values_list("member_id", flat=True)) - set(
            CardVote.objects.filter(card=target).values_list("member_id", flat=True)
        )
        moving.delete()
        CardVote.objects.bulk_create(
            CardVote(card=target, member_id=voter) for voter in sorted(voters)
        )
        self.merged_cards.update(merged_into=target)
        self.merged_into = target
        self.save(update_fields=["merged_into"])


class CardVote(models.Model):
    """A member's vote for a card."""

    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="votes", verbose_name=_("card")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="card_votes",
        verbose_name=_("member"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("card vote")
        verbose_name_plural = _("card votes")
        constraints = [
            # One vote per member per card; voting again takes it back.
            models.UniqueConstraint(
                fields=["card", "member"], name="study_cardvote_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.card}"


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionItem.Status.OPEN)

    def in_season(self, season):
        return self.filter(card__board__session__season=season)

    def for_lists(self):
        """With what a list of action items shows."""
        return self.select_related("owner", "due_session__season", "card__board__session__season")


class ActionItem(models.Model):
    """A card the group decided to act on: someone owns it until a later
    session, until it is marked done or dropped."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    card = models.ForeignKey(
        Card, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("card")
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    due_session = models.ForeignKey(
        StudySession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items_due",
        verbose_name=_("due at"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_session__date", "created_at", "pk"]
        constraints = [
            # A card becomes one action item; making it one again edits that item.
            models.UniqueConstraint(fields=["card"], name="study_actionitem_one_per_card"),
            # An open item has no resolution; a done or dropped one says when.
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="study_actionitem_resolved_when_closed",
            ),
        ]
        indexes = [
            # "My open action items" on the home page.
            models.Index(fields=["owner", "status"], name="study_action_owner_idx"),
            # The open items due at a session, on its page.
            models.Index(fields=["due_session", "status"], name="study_action_due_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The item's card on its board."""
        session = self.card.board.session
        return f"{reverse('study:retro-board', args=session.url_args)}#card-{self.card_id}"

    def can_resolve(self, user):
        return user.pk == self.owner_id or self.card.board.session.season.can_manage(user)

    def resolve(self, status, user):
        """Mark the item done or dropped by `user`, now."""
        self.status = status
        self.resolved_by = user
        self.resolved_at = timezone.now()
        self.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])
