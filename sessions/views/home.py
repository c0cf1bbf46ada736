"""The home page: the next session, my open items, what the group did lately."""

from itertools import chain

from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.template.loader import render_to_string

from sessions.fragments import cached
from sessions.models import (
    Answer,
    Attendance,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
    StudySession,
)
from sessions.models.base import MEMBER_LABEL_FIELDS, SESSION_NAME_FIELDS, fields_of

from .meetings import talks_with_presenters
from .planning import agenda
from .retros import my_action_items

RECENT_ACTIVITY = 10
OPEN_ITEMS = 20


def recent_activity(limit=RECENT_ACTIVITY):
    """The latest talks, questions, answers and session reflections, newest first.

    Four queries, whatever the size of the group's history.
    """
    talks = (
        Presentation.objects.select_related("session__season", "created_by")
        .only(
            "topic",
            "created_at",
            *fields_of("session", SESSION_NAME_FIELDS),
            *fields_of("created_by", MEMBER_LABEL_FIELDS),
        )
        .order_by("-created_at")
    )
    questions = (
        Question.objects.select_related("presentation", "asked_by")
        .only("created_at", "presentation__topic", *fields_of("asked_by", MEMBER_LABEL_FIELDS))
        .order_by("-created_at")
    )
    answers = (
        Answer.objects.select_related("question__presentation", "author")
        .only(
            "created_at", "question__presentation__topic", *fields_of("author", MEMBER_LABEL_FIELDS)
        )
        .order_by("-created_at")
    )
    reflections = (
        Reflection.objects.on_sessions()
        .select_related("session__season", "author")
        .only(
            "kind",
            "created_at",
            *fields_of("session", SESSION_NAME_FIELDS),
            *fields_of("author", MEMBER_LABEL_FIELDS),
        )
        .order_by("-created_at")
    )
    items = chain(
        ({"kind": "talk", "object": talk, "when": talk.created_at} for talk in talks[:limit]),
        ({"kind": "question", "object": q, "when": q.created_at} for q in questions[:limit]),
        ({"kind": "answer", "object": a, "when": a.created_at} for a in answers[:limit]),
        ({"kind": "reflection", "object": r, "when": r.created_at} for r in reflections[:limit]),
    )
    return sorted(items, key=lambda item: item["when"], reverse=True)[:limit]


def waiting_for(user):
    """What waits for `user`: unanswered questions addressed to them and
    sessions they took part in without writing their reflection (bounded)."""
    questions_for_me = (
        Question.objects.addressed_to(user)
        .open()
        .select_related("presentation__session__season", "asked_by")
        .only(
            "body_html",
            "presentation__topic",
            *fields_of("presentation__session", SESSION_NAME_FIELDS),
            *fields_of("asked_by", MEMBER_LABEL_FIELDS),
        )
        .order_by("-created_at")[:OPEN_ITEMS]
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
        .select_related("season")
        .only(*SESSION_NAME_FIELDS)[:OPEN_ITEMS]
    )
    return {"questions_for_me": questions_for_me, "reflections_due": reflections_due}


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
    return render(
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
