import re

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from sessions.paths import page_url

from .base import RenderedMarkdownModel, ids_of, split_ids

# What a season's address can be: a unicode slug (letters, digits, "-" and "_").
SLUG_PATTERN = r"[-\w]+"


def organizers_of_season(outer="pk"):
    """The ids of the organizers of the season the outer row's `outer` is,
    as one text (`ids_of`)."""
    return ids_of(
        SeasonMembership.objects.filter(role=SeasonMembership.Role.ORGANIZER),
        "member_id",
        "season",
        outer,
    )


class SeasonQuerySet(models.QuerySet):
    def with_organizer_ids(self):
        """With the ids of each season's organizers, in the same query
        (what `Season.organizer_ids` then returns without one)."""
        return self.annotate(joined_organizer_ids=organizers_of_season())

    def by_slug(self, slug):
        """The season with address `slug`, or None; text no address can be
        (a NUL character, which PostgreSQL refuses) asks nothing."""
        if not re.fullmatch(SLUG_PATTERN, slug or ""):
            return None
        return self.filter(slug=slug).first()

    def newest_first(self):
        """Latest start first; seasons without a start date after those with one."""
        return self.order_by(F("starts_on").desc(nulls_last=True), "-pk")

    def running_on(self, day):
        """Seasons whose dates hold `day`: started on or before it and not
        ended before it (an open end runs on)."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def current(self):
        """The current season: the one whose dates hold today (the latest
        started, when several do), else the latest; None without seasons."""
        today = timezone.localdate()
        return self.running_on(today).newest_first().first() or self.newest_first().first()

    def current_first(self, current=None):
        """Every season, the current one first (`current` when known), then the newest."""
        seasons = list(self.newest_first())
        current = current or self.current()
        return sorted(seasons, key=lambda season: season != current)


class Season(RenderedMarkdownModel):
    """A run of numbered sessions with its own roster ("2025 논문 스터디",
    "부캠 3기"): each season starts again at 1주차."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("address"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("The season's part of the address, e.g. 2025-spring."),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = MarkdownxField(_("description"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SeasonMembership",
        related_name="seasons",
        verbose_name=_("roster"),
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeasonQuerySet.as_manager()

    markdown_fields = {"description": "description_html"}

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = [F("starts_on").desc(nulls_last=True), "-pk"]
        constraints = [
            # A season cannot end before it starts; "current season" relies on it.
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="study_season_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("study:season-detail", self.slug)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)
        super().save(*args, **kwargs)

    def organizer_ids(self):
        """The members who organize this season (beside the group's
        organizers): loaded with the season by `with_organizer_ids`, or
        queried."""
        if hasattr(self, "joined_organizer_ids"):
            return split_ids(self.joined_organizer_ids)
        return set(
            self.memberships.filter(role=SeasonMembership.Role.ORGANIZER).values_list(
                "member_id", flat=True
            )
        )

    def managers(self):
        """The members who manage this season: the group's organizers and
        the season's own (active ones)."""
        from .members import Member

        return Member.objects.filter(is_active=True).filter(
            models.Q(pk__in=self.organizer_ids()) | models.Q(pk__in=Member.objects.organizers())
        )

    def can_manage(self, user, organizer_ids=None):
        """Organizers of the group, and organizers of this season (its
        `organizer_ids` when known), manage its sessions and roster."""
        if user.is_organizer:
            return True
        return user.pk in (self.organizer_ids() if organizer_ids is None else organizer_ids)

    def has_member(self, user):
        """Whether `user` is on this season's roster."""
        return self.memberships.filter(member=user.pk).exists()

    def can_plan(self, user):
        """Roster members claim slots, nominate and vote; organizers may act for anyone."""
        return self.can_manage(user) or self.has_member(user)

    def next_number(self):
        """The number a new session of this season is offered."""
        highest = self.sessions.aggregate(highest=models.Max("number"))["highest"]
        return (highest or 0) + 1


class SeasonMembership(models.Model):
    """A member on a season's roster, as a member or an organizer of it."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ORGANIZER = "organizer", _("Organizer")

    season = models.ForeignKey(
        Season, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("season")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="season_memberships",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    # Said by the member themself: the rotation skips them while it is set.
    away = models.BooleanField(_("away"), default=False)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        ordering = ["season", "member__display_name"]
        constraints = [
            # A member is on a season's roster once; their role changes in place.
            models.UniqueConstraint(
                fields=["season", "member"], name="study_seasonmembership_member_unique"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.season}"
