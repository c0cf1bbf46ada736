"""Access helpers: fetch one object for the current member, or refuse.

Each helper answers 404 for an unknown object and raises PermissionDenied
(a 403 page) when the member may not act on it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from sessions.fragments import cached
from sessions.models import (
    Answer,
    Member,
    Nomination,
    Presentation,
    Question,
    Reflection,
    Season,
    StudySession,
    TalkSlot,
)


@cached
def season_and_organizers(slug):
    """The season whose slug is `slug`, and who organizes it (for
    `Season.can_manage`): cached, as pages of a season ask on every view."""
    season = get_object_or_404(Season.objects.with_organizer_ids(), slug=slug)
    return season, season.organizer_ids()


def get_session(season, number, sessions=StudySession.objects):
    """Session `number` of the season whose slug is `season`, with its
    season, from `sessions`."""
    try:
        return sessions.find(season, number)
    except StudySession.DoesNotExist:
        raise Http404 from None


def session_for_organizer(request, season, number):
    """A session an organizer of the group or of its season manages."""
    session = get_session(season, number)
    if not session.season.can_manage(request.user):
        raise PermissionDenied
    return session


def season_for_organizer(request, slug):
    """A season an organizer of the group or of that season manages."""
    season = get_object_or_404(Season, slug=slug)
    if not season.can_manage(request.user):
        raise PermissionDenied
    return season


def talk_for_editing(request, pk):
    """A talk its presenters or an organizer may change."""
    talk = get_object_or_404(Presentation.objects.select_related("session__season"), pk=pk)
    if not talk.can_edit(request.user):
        raise PermissionDenied
    return talk


def question_for_author(request, pk):
    """A question its author may change."""
    question = get_object_or_404(
        Question.objects.select_related("presentation__session__season"), pk=pk
    )
    if question.asked_by_id is None or question.asked_by_id != request.user.pk:
        raise PermissionDenied
    return question


def answer_for_author(request, pk):
    """An answer its author may change."""
    answer = get_object_or_404(
        Answer.objects.select_related("question__presentation__session__season"), pk=pk
    )
    if answer.author_id is None or answer.author_id != request.user.pk:
        raise PermissionDenied
    return answer


def organizer_only(request):
    """Refuse anyone but an organizer (inviting and adding members)."""
    if not request.user.is_organizer:
        raise PermissionDenied


def member_for_organizer(request, pk):
    """A member an organizer manages (invites)."""
    member = get_object_or_404(Member, pk=pk)
    organizer_only(request)
    return member


def reflection_for_author(request, pk):
    """A session reflection its author may change or delete."""
    reflection = get_object_or_404(
        Reflection.objects.on_sessions().select_related("session__season"), pk=pk
    )
    if reflection.author_id != request.user.pk:
        raise PermissionDenied
    return reflection


def journal_entry_for_author(request, pk):
    """A journal entry its author may change or delete; someone else's
    private entry is not found (404), as on its page."""
    entry = get_object_or_404(Reflection.objects.journals().visible_to(request.user), pk=pk)
    if entry.author_id != request.user.pk:
        raise PermissionDenied
    return entry


def season_for_planner(request, slug):
    """A season whose roster member (or organizer) the viewer is: they claim
    slots, nominate papers and vote there."""
    season = get_object_or_404(Season, slug=slug)
    if not season.can_plan(request.user):
        raise PermissionDenied
    return season


def get_slot(pk):
    """A talk slot with its session, season, holder and talk."""
    return get_object_or_404(
        TalkSlot.objects.select_related("session__season", "holder", "talk"), pk=pk
    )


def get_nomination(pk):
    """A nomination with its season, paper and slot."""
    return get_object_or_404(
        Nomination.objects.select_related("season", "paper", "slot__session__season"), pk=pk
    )
