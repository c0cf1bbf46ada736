"""Access helpers: fetch one object for the current member, or refuse.

Each helper answers 404 for an unknown object and raises PermissionDenied
(a 403 page) when the member may not act on it.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from sessions.models import Answer, Member, Presentation, Question, Reflection, StudySession


def session_for_organizer(request, number):
    """A session an organizer manages."""
    session = get_object_or_404(StudySession, number=number)
    if not request.user.is_organizer:
        raise PermissionDenied
    return session


def talk_for_editing(request, pk):
    """A talk its presenters or an organizer may change."""
    talk = get_object_or_404(Presentation.objects.select_related("session"), pk=pk)
    if not talk.can_edit(request.user):
        raise PermissionDenied
    return talk


def question_for_author(request, pk):
    """A question its author may change."""
    question = get_object_or_404(
        Question.objects.select_related("presentation__session"), pk=pk
    )
    if question.asked_by_id is None or question.asked_by_id != request.user.pk:
        raise PermissionDenied
    return question


def answer_for_author(request, pk):
    """An answer its author may change."""
    answer = get_object_or_404(
        Answer.objects.select_related("question__presentation__session"), pk=pk
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
        Reflection.objects.on_sessions().select_related("session"), pk=pk
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
