"""Sessions: the list by year, the session page, and the organizers' forms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sessions.forms import StudySessionForm
from sessions.fragments import cached_fragment, content_version
from sessions.models import (
    Answer,
    Attendance,
    Presentation,
    PresentationPresenter,
    Question,
    StudySession,
)

from .access import session_for_organizer
from .attendance import attendance_context

SESSIONS_PER_PAGE = 20
# The session page shows this many questions of each talk; the talk page has them all.
QUESTIONS_PER_TALK = 10


def talks_with_presenters():
    """Prefetch for a session's talks, each with its presenters in order."""
    return Prefetch(
        "presentations",
        queryset=Presentation.objects.order_by("order", "pk").prefetch_related(
            Prefetch(
                "presenter_links",
                queryset=PresentationPresenter.objects.select_related("member").order_by("order"),
            )
        ),
    )


def mark_editable(talks, user):
    """Set `editable` on each talk from its prefetched presenters (no query)."""
    for talk in talks:
        talk.editable = talk.can_edit(user)
    return talks


def session_list(request):
    sessions = StudySession.objects.order_by("-date", "-number").prefetch_related(
        talks_with_presenters()
    )
    year = request.GET.get("year", "")
    if year:
        if not year.isdigit():
            raise Http404(_("No such year."))
        year = int(year)
        sessions = sessions.in_year(year)
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    years = [day.year for day in StudySession.objects.dates("date", "year", order="DESC")]
    return render(
        request,
        "study/session_list.html",
        {"page": page, "years": years, "year": year or None},
    )


def session_talks(session, user):
    """The session's talks in order, each with its presenters, papers, its
    first QUESTIONS_PER_TALK questions and their answers (the talk page has
    them all), and `editable` set for `user`."""
    questions = (
        Question.objects.select_related("asked_by", "addressed_to")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("author")))
        .order_by("position", "pk")[:QUESTIONS_PER_TALK]
    )
    talks = (
        session.presentations.order_by("order", "pk")
        .annotate(question_count=Count("questions"))
        .prefetch_related(
            Prefetch(
                "presenter_links",
                queryset=PresentationPresenter.objects.select_related("member").order_by("order"),
            ),
            "papers",
            Prefetch("questions", queryset=questions, to_attr="first_questions"),
        )
    )
    return mark_editable(talks, user)


def session_detail(request, number):
    """The session with its talks and reflections.

    The talks (with their questions and answers) and the reflections are
    cached fragments: the talks once for organizers and once for members who
    took no part in the session, and per viewer for those who did (they see
    edit links on their own talks, questions and answers).
    """
    content_version(request)
    session = get_object_or_404(
        StudySession.objects.with_viewer(request.user).prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("member"))
        ),
        number=number,
    )
    user = request.user
    viewer = user if session.viewer_took_part else None
    talks_html = cached_fragment(
        request,
        "session-talks",
        [session.pk, user.is_organizer, viewer and viewer.pk],
        "study/includes/session_talks.html",
        lambda: {"talks": session_talks(session, user), "user": viewer},
    )
    reflections_html = cached_fragment(
        request,
        "session-reflections",
        [session.pk],
        "study/includes/session_reflections.html",
        lambda: {
            "reflections": session.reflections.on_sessions()
            .select_related("author")
            .order_by("author__display_name")
        },
    )
    return render(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "talks_html": talks_html,
            "reflections_html": reflections_html,
            "my_reflection": session.viewer_reflected,
            **attendance_context(session, user),
        },
    )


def session_create(request):
    if not request.user.is_organizer:
        raise PermissionDenied
    form = StudySessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = form.save()
        messages.success(request, _("Session %(number)s was scheduled.") % {"number": session.number})
        return redirect(session)
    return render(request, "study/session_form.html", {"form": form, "session": None})


def session_edit(request, number):
    session = session_for_organizer(request, number)
    form = StudySessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.save(update_fields=[*form.Meta.fields, "updated_at"])
        messages.success(request, _("Session %(number)s was updated.") % {"number": session.number})
        return redirect(session)
    return render(request, "study/session_form.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def session_delete(request, number):
    session = session_for_organizer(request, number)
    if request.method == "POST":
        session.delete()
        messages.success(request, _("Session %(number)s was deleted.") % {"number": number})
        return redirect("study:session-list")
    return render(
        request,
        "study/confirm_delete.html",
        {
            "title": _("Delete session %(number)s?") % {"number": session.number},
            "warning": _("Its talks, questions, answers, reflections and attendance are deleted with it."),
            "cancel_url": session.get_absolute_url(),
        },
    )
