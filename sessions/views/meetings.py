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
from sessions.models import (
    Answer,
    Attendance,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
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


def session_detail(request, number):
    """The session with its talks, the first QUESTIONS_PER_TALK questions of
    each (the talk page has them all) and the reflections."""
    questions = (
        Question.objects.select_related("asked_by", "addressed_to")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("author")))
        .order_by("position", "pk")[:QUESTIONS_PER_TALK]
    )
    talks = (
        Presentation.objects.order_by("order", "pk")
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
    session = get_object_or_404(
        StudySession.objects.prefetch_related(
            Prefetch("presentations", queryset=talks),
            Prefetch(
                "reflections",
                queryset=Reflection.objects.on_sessions()
                .select_related("author")
                .order_by("author__display_name"),
            ),
            Prefetch("attendances", queryset=Attendance.objects.select_related("member")),
        ),
        number=number,
    )
    talks = mark_editable(session.presentations.all(), request.user)
    reflections = session.reflections.all()
    my_reflection = next((r for r in reflections if r.author_id == request.user.pk), None)
    return render(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "talks": talks,
            "reflections": reflections,
            "my_reflection": my_reflection,
            **attendance_context(session, request.user),
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
