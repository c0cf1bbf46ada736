"""Sessions: the list by year, the session page, and the organizers' forms."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sessions.forms import StudySessionForm
from sessions.forms.concurrency import save_or_form_error
from sessions.fragments import cached, cached_with_own_links, reading_session, render_page
from sessions.models import (
    Answer,
    Attendance,
    Presentation,
    Question,
    Reflection,
    Season,
    StudySession,
)
from sessions.models.base import MEMBER_LABEL_FIELDS, fields_of

from .access import get_session, session_for_organizer
from .attendance import attendance_controls, attendance_lists
from .paging import page_number
from .planning import session_slots
from .retros import session_retro_html
from .talks import as_seen_by, question_owners

SESSIONS_PER_PAGE = 20
# The session page shows this many questions of each talk; the talk page has them all.
QUESTIONS_PER_TALK = 10


def talks_with_presenters():
    """Prefetch for a session's talks, each with its presenters in order, as
    lists of sessions show them (topic and presenters)."""
    return Prefetch(
        "presentations",
        queryset=Presentation.objects.only("session_id", "topic", "order")
        .order_by("order", "pk")
        .with_presenters(),
    )


@cached
def current_season():
    return Season.objects.current()


@cached
def season_switcher_html(season):
    return render_to_string(
        "study/includes/season_switcher.html",
        {"seasons": Season.objects.current_first(current_season()), "season": season},
    )


@cached
def session_list_html(season, page_number):
    sessions = StudySession.objects.current_season_first(current_season()).prefetch_related(
        talks_with_presenters()
    )
    if season:
        sessions = sessions.in_season(season)
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(page_number)
    return render_to_string(
        "study/includes/session_list_page.html", {"page": page, "season": season}
    )


def session_list(request):
    """Sessions grouped by season, the current season first, a page at a
    time, optionally of one season; the season links and the page of
    sessions are cached parts."""
    slug = request.GET.get("season", "")
    season = Season.objects.by_slug(slug) if slug else None
    if slug and season is None:
        raise Http404(_("No such season."))
    return render_page(
        request,
        "study/session_list.html",
        {
            "season": season,
            "seasons_html": season_switcher_html(season),
            "list_html": session_list_html(season, page_number(request)),
        },
    )


@cached
def session_talks(session):
    """The session's talks in order, each with its presenters, papers and
    first QUESTIONS_PER_TALK questions with their answers as `QuestionRow`s
    (`first_questions`; the talk page has them all). Cached too: a viewer
    who owns an item gets a second copy of the talks' HTML, rendered from
    the same talks."""
    with reading_session(session.pk, Question, Answer):
        talks = list(session.presentations.for_session_page())
        first = {talk.pk: [] for talk in talks}
        if talks:
            questions = Question.objects.filter(
                presentation__in=list(first)
            ).first_rows_of_each_talk(QUESTIONS_PER_TALK)
            for question in questions:
                first[question.presentation_id].append(question)
    for talk in talks:
        talk.first_questions = first[talk.pk]
    return talks


def owners(talks):
    """Who has an edit link among `talks` (from `session_talks`): their
    presenters and the authors of the questions and answers shown."""
    people = set()
    for talk in talks:
        people.update(link.member_id for link in talk.presenter_links.all())
        people |= question_owners(talk.first_questions)
    return people


@cached_with_own_links
def session_talks_html(session, is_organizer, viewer):
    """The talks section of the session page and the owners of its items;
    `viewer` (or None: organizers, when `is_organizer`, or nobody) sees the
    edit links of their own talks, questions and answers."""
    talks = session_talks(session)
    for talk in talks:
        talk.editable = talk.can_edit(viewer) if viewer else is_organizer
        as_seen_by(talk.first_questions, viewer)
    html = render_to_string("study/includes/session_talks.html", {"talks": talks, "user": viewer})
    return html, owners(talks)


@cached
def render_session_reflections(session):
    """The reflections section of the session page and who wrote them."""
    with reading_session(session.pk, Reflection):
        reflections = list(
            session.reflections.on_sessions()
            .select_related("author")
            .only("kind", "session_id", "body_html", *fields_of("author", MEMBER_LABEL_FIELDS))
            .order_by("author__display_name")
        )
    html = render_to_string("study/includes/session_reflections.html", {"reflections": reflections})
    return html, {reflection.author_id for reflection in reflections}


@cached
def render_attendance(session):
    """The attendance lists of the session page and each member's answer
    (member id → going / not going)."""
    with reading_session(session.pk, Attendance):
        lists = attendance_lists(session)
    html = render_to_string("study/includes/attendance_lists.html", {"session": session, **lists})
    return html, lists["responses"]


@cached
def session_and_organizers(season, number):
    """The session with its season, and who organizes that season."""
    session = get_session(season, number, StudySession.objects.for_session_page())
    return session, session.season.organizer_ids()


def session_detail(request, season, number):
    """The session with its talks, attendance and reflections.

    The session, its talks (with their questions and answers), the
    attendance lists and the reflections are cached parts. The talks are
    kept once for organizers and once for other members, and per viewer
    only for those who own something in them (a talk, a question or an
    answer shown), who see their own edit links. What the page says of the
    viewer (their answer, whether they wrote their reflection) is read from
    what the parts return alongside, not queried.
    """
    user = request.user
    session, season_organizers = session_and_organizers(season, number)
    attendance_html, responses = render_attendance(session)
    reflections_html, reflection_authors = render_session_reflections(session)
    slots, roster = session_slots(session) if session.has_slots else ([], [])
    can_manage = session.season.can_manage(user, season_organizers)
    return render_page(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "can_manage": can_manage,
            "retro_html": session_retro_html(session, can_manage, viewer=user),
            "talks_html": session_talks_html(session, user.is_organizer, viewer=user),
            "attendance_html": attendance_html,
            "reflections_html": reflections_html,
            "my_reflection": user.pk in reflection_authors,
            "slots": slots,
            "roster": roster,
            "on_roster": any(pk == user.pk for pk, label in roster),
            **attendance_controls(session, user, responses.get(user.pk, "")),
        },
    )


def session_create(request):
    """Schedule a session, in the season chosen (`?season=`, else the current one)."""
    season = Season.objects.by_slug(request.GET.get("season", "")) or Season.objects.current()
    if season is None:
        if not request.user.is_organizer:
            raise PermissionDenied
        messages.info(request, _("Create a season first: sessions are numbered within a season."))
        return redirect("study:season-create")
    if not season.can_manage(request.user):
        raise PermissionDenied
    form = StudySessionForm(request.POST or None, user=request.user, season=season)
    session = save_or_form_error(form) if request.method == "POST" else None
    if session is not None:
        messages.success(request, _("%(session)s was scheduled.") % {"session": session.full_name})
        return redirect(session)
    return render(request, "study/session_form.html", {"form": form, "session": None})


def session_edit(request, season, number):
    session = session_for_organizer(request, season, number)
    form = StudySessionForm(request.POST or None, instance=session, user=request.user)
    saved = save_or_form_error(form) if request.method == "POST" else None
    if saved is not None:
        messages.success(request, _("%(session)s was updated.") % {"session": saved.full_name})
        return redirect(saved)
    return render(request, "study/session_form.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
def session_delete(request, season, number):
    session = session_for_organizer(request, season, number)
    if request.method == "POST":
        name = session.full_name
        session_season = session.season
        session.delete()
        messages.success(request, _("%(session)s was deleted.") % {"session": name})
        return redirect(session_season)
    return render(
        request,
        "study/confirm_delete.html",
        {
            "title": _("Delete %(session)s?") % {"session": session.full_name},
            "warning": _(
                "Its talks, questions, answers, reflections and attendance are deleted with it."
            ),
            "cancel_url": session.get_absolute_url(),
        },
    )
