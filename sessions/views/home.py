"""The home page: the next session, my open items, what the group did lately."""

from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Value
from django.template.loader import render_to_string
from django.utils.text import Truncator

from sessions.fragments import cached, render_page
from sessions.markdown import html_to_text
from sessions.models import (
    Answer,
    Attendance,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
    StudySession,
)
from sessions.models.base import (
    column,
    union_branch,
)
from sessions.models.meetings import session_full_name
from sessions.models.members import label_of
from sessions.paths import page_url

from .meetings import talks_with_presenters
from .planning import agenda
from .retros import my_action_items

RECENT_ACTIVITY = 10
OPEN_ITEMS = 20
# A question's excerpt in the list of what waits for the viewer, in characters.
EXCERPT_LENGTH = 120


class Activity:
    """One line of the recent activity: what happened, who did it and
    where, from one row of `recent_activity`'s query."""

    def __init__(
        self, activity, row, when, who_name, who_emoji, talk, talk_topic, number, season, slug
    ):
        kind = self.kind = activity
        self.when, self.topic = when, talk_topic
        self.who = label_of(who_name, who_emoji) if who_name is not None else ""
        # Talks and reflections name their session; questions and answers their talk.
        self.session_name = session_full_name(season, number) if number is not None else None
        if kind == "reflection":
            self.url = f"{page_url('study:session-detail', slug, number)}#reflection-{row}"
        else:
            anchor = "" if kind == "talk" else f"#{kind}-{row}"
            self.url = f"{page_url('study:talk-detail', talk)}{anchor}"


def _activity_rows(kind, queryset, talk, topic, session, who):
    """One branch of `recent_activity`'s union: the newest rows of
    `queryset` as the same columns whatever their kind (`talk`, `topic`,
    `session` and `who` are paths to them, or None)."""

    return union_branch(
        queryset,
        ["-created_at"],
        RECENT_ACTIVITY,
        activity=Value(kind),
        row=F("pk"),
        when=F("created_at"),
        who_name=F(f"{who}__display_name"),
        who_emoji=F(f"{who}__emoji"),
        talk=column(talk, IntegerField()),
        talk_topic=column(topic, CharField()),
        number=column(session and f"{session}__number", IntegerField()),
        season=column(session and f"{session}__season__name", CharField()),
        slug=column(session and f"{session}__season__slug", CharField()),
    )


def recent_activity():
    """The latest talks, questions, answers and session reflections, newest
    first, RECENT_ACTIVITY of them: one query (a union of the newest of
    each kind), whatever the size of the group's history."""
    union = _activity_rows("talk", Presentation.objects, "pk", "topic", "session", "created_by")
    union = union.union(
        _activity_rows(
            "question", Question.objects, "presentation", "presentation__topic", None, "asked_by"
        ),
        _activity_rows(
            "answer",
            Answer.objects,
            "question__presentation",
            "question__presentation__topic",
            None,
            "author",
        ),
        _activity_rows(
            "reflection", Reflection.objects.on_sessions(), None, None, "session", "author"
        ),
        all=True,
    )
    rows = union.order_by("-when", "activity", "-row")[:RECENT_ACTIVITY]
    return [Activity(**row) for row in rows]


class WaitingQuestion:
    """An unanswered question addressed to the viewer, as the home page
    lists it, from one plain row of `waiting_for`'s query."""

    __slots__ = ("pk", "asker", "topic", "session_name", "excerpt")
    FIELDS = (
        "pk",
        "asked_by__display_name",
        "asked_by__emoji",
        "presentation__topic",
        "presentation__session__season__name",
        "presentation__session__number",
        "body_html",
    )

    def __init__(self, pk, asker_name, asker_emoji, topic, season, number, body_html):
        self.pk, self.topic = pk, topic
        self.asker = label_of(asker_name, asker_emoji) if asker_name is not None else ""
        self.session_name = session_full_name(season, number)
        self.excerpt = Truncator(html_to_text(body_html)).chars(EXCERPT_LENGTH)


class ReflectionDue:
    """A past session the viewer took part in without writing their
    reflection, from one plain row of `waiting_for`'s query."""

    __slots__ = ("number", "full_name", "reflection_url")
    FIELDS = ("number", "season__name", "season__slug")

    def __init__(self, number, season, slug):
        self.number = number
        self.full_name = session_full_name(season, number)
        self.reflection_url = page_url("study:reflection-edit", slug, number)


def waiting_for(user):
    """What waits for `user`: unanswered questions addressed to them and
    sessions they took part in without writing their reflection (bounded),
    as plain rows (two queries)."""
    questions_for_me = (
        Question.objects.addressed_to(user)
        .open()
        .order_by("-created_at")
        .values_list(*WaitingQuestion.FIELDS)[:OPEN_ITEMS]
    )
    took_part = Exists(
        PresentationPresenter.objects.filter(presentation__session=OuterRef("pk"), member=user)
    ) | Exists(Attendance.objects.filter(session=OuterRef("pk"), member=user, attended=True))
    wrote_reflection = Exists(
        Reflection.objects.on_sessions().filter(session=OuterRef("pk"), author=user)
    )
    reflections_due = (
        StudySession.objects.past()
        .filter(took_part)
        .exclude(wrote_reflection)
        .values_list(*ReflectionDue.FIELDS)[:OPEN_ITEMS]
    )
    return {
        "questions_for_me": [WaitingQuestion(*row) for row in questions_for_me],
        "reflections_due": [ReflectionDue(*row) for row in reflections_due],
    }


@cached
def next_session_html():
    next_session = (
        StudySession.objects.upcoming()
        .select_related("season")
        .prefetch_related(talks_with_presenters())
        .first()
    )
    return render_to_string("study/includes/home_next_session.html", {"next_session": next_session})


@cached
def waiting_html(user):
    return render_to_string(
        "study/includes/home_waiting.html", {**waiting_for(user), **my_action_items(user)}
    )


@cached
def activity_html():
    return render_to_string("study/includes/home_activity.html", {"activity": recent_activity()})


def home(request):
    """The next session and recent activity (the same for everyone) and what
    waits for the viewer, each a cached part."""
    user = request.user
    # The coming slots are the same for everyone; the viewer's next one is read from them.
    slots = agenda()
    return render_page(
        request,
        "study/home.html",
        {
            "slots": slots,
            "agenda_season": slots[0].session.season if slots else None,
            "my_next_slot": next((slot for slot in slots if slot.holder_id == user.pk), None),
            "next_session_html": next_session_html(),
            "waiting_html": waiting_html(user),
            "activity_html": activity_html(),
        },
    )
