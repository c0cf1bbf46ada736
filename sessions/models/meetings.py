from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from sessions.paths import page_url

from .base import RenderedMarkdownModel, ids_of, split_ids
from .content import SessionRow


class StudySessionQuerySet(models.QuerySet):
    def upcoming(self):
        """Sessions from today on, soonest first."""
        return self.filter(date__gte=timezone.localdate()).order_by("date", "number")

    def past(self):
        """Sessions before today, latest first."""
        return self.filter(date__lt=timezone.localdate()).order_by("-date", "-number")

    def in_year(self, year):
        return self.filter(date__year=year)

    def in_season(self, season):
        return self.filter(season=season)

    def current_season_first(self, current=None):
        """Every session with its season: the current season's first (that
        of `current` when known), then the other seasons newest first, each
        latest session first."""
        from .seasons import Season

        current = current or Season.objects.current()
        return self.select_related("season").order_by(
            models.Case(
                models.When(season_id=current.pk if current else None, then=0),
                default=1,
            ),
            models.F("season__starts_on").desc(nulls_last=True),
            "-season_id",
            "-date",
            "-number",
        )

    def for_session_page(self):
        """With what the session page asks of a session besides its own
        fields, in the same query: the ids of its season's organizers (for
        `session.season.organizer_ids()`, which `find` puts on the season),
        whether it has talk slots (`has_slots`; without, the page asks
        nothing more of them) and the ids of the season's earlier sessions
        (for `earlier_session_ids()`)."""
        from .planning import TalkSlot
        from .seasons import organizers_of_season

        return self.annotate(
            joined_organizer_ids=organizers_of_season("season_id"),
            has_slots=models.Exists(TalkSlot.objects.filter(session=models.OuterRef("pk"))),
            joined_earlier_session_ids=ids_of(
                StudySession.objects.filter(number__lt=models.OuterRef("number")),
                "pk",
                "season",
                "season_id",
            ),
        )

    def find(self, season_slug, number):
        """The session `number` of the season with `season_slug` (DoesNotExist otherwise)."""
        session = self.select_related("season").get(season__slug=season_slug, number=number)
        if hasattr(session, "joined_organizer_ids"):
            session.season.joined_organizer_ids = session.joined_organizer_ids
        return session

    def for_legacy_number(self, number):
        """The session that answered `/sessions/<number>/` before seasons: the
        one that had that number then, else that number in the oldest season
        holding it (None when there is none)."""
        return (
            self.select_related("season")
            .filter(models.Q(legacy_number=number) | models.Q(number=number))
            .order_by(
                models.Case(models.When(legacy_number=number, then=0), default=1),
                "season_id",
            )
            .first()
        )


def session_full_name(season_name, number):
    """`StudySession.full_name` of a session known by these two fields only."""
    return _("%(season)s, session %(number)s") % {"season": season_name, "number": number}


class StudySession(RenderedMarkdownModel):
    """One numbered meeting of the group ("6주차")."""

    season = models.ForeignKey(
        "Season", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("season")
    )
    number = models.PositiveIntegerField(_("number"))
    # The number the session had when numbers were unique across all time:
    # its old address (/sessions/N/) and calendar UID stay its own.
    legacy_number = models.PositiveIntegerField(null=True, blank=True, editable=False)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    notes = MarkdownxField(_("notes"), blank=True)
    notes_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StudySessionQuerySet.as_manager()

    markdown_fields = {"notes": "notes_html"}

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "-number"]
        constraints = [
            # "6주차" names exactly one meeting of a season; the importer and
            # the URLs (/seasons/<season>/<number>/) rely on it.
            models.UniqueConstraint(
                fields=["season", "number"], name="study_session_season_number_unique"
            ),
            # Old addresses and calendar UIDs name one session each.
            models.UniqueConstraint(
                fields=["legacy_number"], name="study_session_legacy_number_unique"
            ),
        ]
        indexes = [
            # The home page and the calendar look sessions up by date.
            models.Index(fields=["date"], name="study_session_date_idx"),
        ]

    def __str__(self):
        return _("Session %(number)s") % {"number": self.number}

    @property
    def full_name(self):
        """The session with its season ("2025 논문 스터디 6주차"), where the
        number alone would be ambiguous."""
        return session_full_name(self.season.name, self.number)

    def earlier_session_ids(self):
        """The ids of the sessions of this one's season numbered before it
        (whose questions still open it shows): loaded with the session by
        `for_session_page`, or queried."""
        if hasattr(self, "joined_earlier_session_ids"):
            return split_ids(self.joined_earlier_session_ids)
        earlier = StudySession.objects.filter(season_id=self.season_id, number__lt=self.number)
        return set(earlier.values_list("pk", flat=True))

    @property
    def url_args(self):
        """The season's slug and the number: the arguments of every session URL."""
        return [self.season.slug, self.number]

    def get_absolute_url(self):
        return page_url("study:session-detail", *self.url_args)

    @property
    def ical_uid_key(self):
        """What the calendar UID is made of: the old number for sessions from
        before seasons (so calendars keep them), the row otherwise."""
        if self.legacy_number is not None:
            return f"session-{self.legacy_number}"
        return f"study-session-{self.pk}"

    @property
    def is_upcoming(self):
        return self.date >= timezone.localdate()


def session_and_season_of(row, session_id):
    """(session_id, its season's id), from the session loaded on `row` (a
    model with a `session` foreign key), else from the database."""
    session = row._state.fields_cache.get("session")
    if session is not None and session.pk == session_id:
        return (session_id, session.season_id)
    season = StudySession.objects.filter(pk=session_id).values_list("season_id", flat=True)
    return (session_id, season.first())


class OnSession(SessionRow):
    """A SessionRow placed by its `session` foreign key (on no session when it is empty)."""

    placed_by = "session"

    class Meta:
        abstract = True

    def session_of_place(self, place):
        return None if place is None else session_and_season_of(self, place)


class Attendance(OnSession):
    """A member's answer for a session (going or not) and whether they came."""

    class Response(models.TextChoices):
        GOING = "going", _("Going")
        NOT_GOING = "not_going", _("Not going")

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("session"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("member"),
    )
    response = models.CharField(_("response"), max_length=16, choices=Response.choices, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "member__display_name"]
        constraints = [
            # One answer per member per session; a change of mind updates it.
            models.UniqueConstraint(
                fields=["session", "member"], name="study_attendance_member_session_unique"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.session}"
