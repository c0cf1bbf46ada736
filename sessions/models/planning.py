"""Planning the coming meetings: talk slots on future sessions, and the
backlog of papers members nominate and vote for."""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import count_of
from .meetings import StudySession
from .papers import Paper
from .talks import Presentation


class ClaimResult(models.TextChoices):
    """How a claim (or an assignment) of a slot ended."""

    CLAIMED = "claimed"
    # Someone else holds the slot now (they were first).
    TAKEN = "taken"
    # The member holds another slot of that session already.
    HOLDS_ONE = "holds_one"


class TalkSlotQuerySet(models.QuerySet):
    def open(self):
        return self.filter(holder__isnull=True)

    def held(self):
        return self.filter(holder__isnull=False)

    def upcoming(self):
        """Slots of sessions from today on, soonest first."""
        return self.filter(session__date__gte=timezone.localdate()).order_by(
            "session__date", "session__number", "position", "pk"
        )

    def held_by(self, member):
        return self.filter(holder=member)

    def next_for(self, member):
        """The soonest upcoming slot `member` holds (with its session and
        season), or None."""
        return self.held_by(member).upcoming().select_related("session__season").first()


class TalkSlot(models.Model):
    """An open place for a talk on a future session.

    A roster member claims it, or an organizer assigns it; its holder then
    presents there. The holder's talk is posted later (topic, papers,
    slides): until then the slot says "in preparation", and once posted the
    talk is linked here. A talk is a normal `Presentation` only once it has a
    topic, so the record of meetings (pages, search, feeds, export) never
    sees a talk without one.
    """

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="slots", verbose_name=_("session")
    )
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talk_slots",
        verbose_name=_("presenter"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    talk = models.OneToOneField(
        Presentation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="slot",
        verbose_name=_("talk"),
    )
    # The last give-back, for the organizers: who gave the slot back and when.
    given_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given back by"),
    )
    given_back_at = models.DateTimeField(_("given back at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TalkSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("talk slot")
        verbose_name_plural = _("talk slots")
        ordering = ["session", "position", "pk"]
        constraints = [
            # A member presents once a session: a second claim there is refused.
            models.UniqueConstraint(
                fields=["session", "holder"],
                condition=Q(holder__isnull=False),
                name="study_talkslot_one_per_member_per_session",
            ),
            # A held slot says since when; an open one has no claim time.
            models.CheckConstraint(
                condition=Q(holder__isnull=True, claimed_at__isnull=True)
                | Q(holder__isnull=False, claimed_at__isnull=False),
                name="study_talkslot_claimed_when_held",
            ),
        ]

    def __str__(self):
        return f"{self.session.full_name} #{self.position + 1}"

    def get_absolute_url(self):
        return f"{self.session.get_absolute_url()}#slot-{self.pk}"

    def claim(self, member):
        """Make `member` the holder if the slot is still open: one
        conditional UPDATE, so of two claims at once exactly one changes the
        row. Returns a `ClaimResult`."""
        now = timezone.now()
        try:
            with transaction.atomic():
                won = TalkSlot.objects.filter(pk=self.pk, holder__isnull=True).update(
                    holder=member, claimed_at=now, updated_at=now
                )
        except IntegrityError:
            return ClaimResult.HOLDS_ONE
        if not won:
            return ClaimResult.TAKEN
        self.holder, self.claimed_at = member, now
        return ClaimResult.CLAIMED

    @transaction.atomic
    def give_back(self, by):
        """Open the slot again (`by`: the holder or an organizer), if nobody
        changed it meanwhile and no talk is posted in it. Papers taken into
        it go back to the backlog. Returns whether it was given back."""
        now = timezone.now()
        given_back = TalkSlot.objects.filter(
            pk=self.pk, holder_id=self.holder_id, holder__isnull=False, talk__isnull=True
        ).update(holder=None, claimed_at=None, given_back_by=by, given_back_at=now, updated_at=now)
        if given_back:
            self.nominations.update(slot=None, updated_at=now)
        return bool(given_back)

    @classmethod
    def attach_talk(cls, talk):
        """Link a newly posted `talk` to the slot one of its presenters holds
        on its session (the first such slot without a talk); the papers taken
        into that slot from the backlog join the talk. Returns the slot or None."""
        presenters = talk.presenter_links.values("member_id")
        slot = (
            cls.objects.filter(session=talk.session_id, holder__in=presenters, talk__isnull=True)
            .order_by("position", "pk")
            .first()
        )
        if slot is None:
            return None
        if not cls.objects.filter(pk=slot.pk, talk__isnull=True).update(
            talk=talk, updated_at=timezone.now()
        ):
            return None
        talk.papers.add(*Paper.objects.filter(nominations__slot=slot))
        slot.talk = talk
        return slot


class NominationQuerySet(models.QuerySet):
    def active(self):
        """Nominations not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def open(self):
        """Active nominations not taken into a slot yet."""
        return self.active().filter(slot__isnull=True)

    def scheduled(self):
        """Taken into a slot of a session from today on."""
        return self.active().filter(slot__session__date__gte=timezone.localdate())

    def discussed(self):
        """Taken into a slot of a session that took place."""
        return self.active().filter(slot__session__date__lt=timezone.localdate())

    def with_votes(self):
        """Annotate `vote_count` (a subquery per nomination)."""
        return self.annotate(vote_count=count_of(NominationVote.objects, "nomination"))

    def by_votes(self):
        """Most votes first, then the oldest (it waited longest)."""
        return self.with_votes().order_by("-vote_count", "created_at", "pk")


class Nomination(models.Model):
    """A paper a member proposes for the group to read, with why."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SCHEDULED = "scheduled", _("Scheduled")
        DISCUSSED = "discussed", _("Discussed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    season = models.ForeignKey(
        "Season", on_delete=models.CASCADE, related_name="nominations", verbose_name=_("season")
    )
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("paper")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="nominations",
        verbose_name=_("nominated by"),
    )
    note = models.CharField(_("why"), max_length=500, blank=True)
    slot = models.ForeignKey(
        TalkSlot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("taken into"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A paper is on a season's backlog once (its votes gather on one
            # row); after a withdrawal it may be nominated again.
            models.UniqueConstraint(
                fields=["season", "paper"],
                condition=Q(withdrawn_at__isnull=True),
                name="study_nomination_paper_once_per_season",
            ),
        ]
        indexes = [
            # The backlog lists a season's nominations, newest or oldest first.
            models.Index(fields=["season", "created_at"], name="study_nomination_season_idx"),
        ]

    def __str__(self):
        return str(self.paper)

    def get_absolute_url(self):
        return f"{reverse('study:backlog', args=[self.season.slug])}#nomination-{self.pk}"

    @property
    def status(self):
        """Derived from the slot's session date, so that a meeting that took
        place turns "scheduled" into "discussed" without a write."""
        if self.withdrawn_at is not None:
            return self.Status.WITHDRAWN
        if self.slot_id is None:
            return self.Status.OPEN
        if self.slot.session.date >= timezone.localdate():
            return self.Status.SCHEDULED
        return self.Status.DISCUSSED

    def withdraw(self, by):
        """Take the nomination off the backlog (if still on it). Returns whether it was."""
        now = timezone.now()
        return bool(
            Nomination.objects.filter(pk=self.pk, withdrawn_at__isnull=True).update(
                withdrawn_at=now, withdrawn_by=by, updated_at=now
            )
        )

    def take_into(self, slot):
        """Schedule the paper into `slot` if the nomination is still open;
        a talk already posted in the slot gets the paper. Returns whether it was."""
        with transaction.atomic():
            taken = Nomination.objects.filter(
                pk=self.pk, withdrawn_at__isnull=True, slot__isnull=True
            ).update(slot=slot, updated_at=timezone.now())
            if taken and slot.talk_id is not None:
                slot.talk.papers.add(self.paper_id)
        if taken:
            self.slot = slot
        return bool(taken)


class NominationVote(models.Model):
    """A member's vote for a nomination."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="votes", verbose_name=_("nomination")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="nomination_votes",
        verbose_name=_("member"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["nomination", "created_at"]
        constraints = [
            # One vote per member per nomination: a double click or two tabs
            # voting at once leave one row (the second insert is refused).
            models.UniqueConstraint(
                fields=["nomination", "member"], name="study_nominationvote_once_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} → {self.nomination}"

    @classmethod
    def set_vote(cls, nomination, member, voted):
        """Make `member`'s vote for `nomination` be there (`voted`) or not.
        Idempotent: sending the same choice twice (a double click) changes
        nothing the second time."""
        if not voted:
            cls.objects.filter(nomination=nomination, member=member).delete()
            return
        try:
            with transaction.atomic():
                cls.objects.get_or_create(nomination=nomination, member=member)
        except IntegrityError:
            # A simultaneous request inserted the same vote first: it stands.
            pass
