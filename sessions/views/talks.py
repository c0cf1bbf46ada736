"""Talks and their questions and answers."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sessions.forms import AnswerForm, PresentationForm, QuestionForm
from sessions.forms.concurrency import save_or_form_error
from sessions.fragments import cached, cached_with_own_links, reading_session, render_page
from sessions.models import (
    Answer,
    NotificationKind,
    Paper,
    Presentation,
    Question,
    TalkSlot,
)
from sessions.notifications import notify

from .access import answer_for_author, get_session, question_for_author, talk_for_editing
from .paging import page_number, page_of_known_length

QUESTIONS_PER_PAGE = 30


@cached
def talk_summary(pk):
    """What the talk page shows of the talk itself, the same for every viewer:
    its heading and overview (presenters, papers, slides, summary) as HTML,
    its presenters in order as (id, label) pairs, and its number of
    questions (four queries). The questions are counted apart, as rows of
    the talk's session: a question asked on another session's talk leaves
    this part current."""
    talk = get_object_or_404(
        Presentation.objects.select_related("session__season")
        .defer("summary", "session__notes", "session__notes_html")
        .with_presenters()
        .with_papers(),
        pk=pk,
    )
    with reading_session(talk.session_id, Question):
        talk.question_count = Question.objects.filter(presentation=talk).count()
    return {
        "pk": talk.pk,
        "session_pk": talk.session_id,
        "topic": talk.topic,
        "presenters": [(link.member_id, link.member.label) for link in talk.presenter_links.all()],
        "question_count": talk.question_count,
        "heading_html": render_to_string("study/includes/talk_heading.html", {"talk": talk}),
        "overview_html": render_to_string("study/includes/talk_overview.html", {"talk": talk}),
    }


@cached
def page_questions(talk_pk, session_pk, number):
    """The questions on page `number` of the talk page, with their answers,
    as `QuestionRow`s (two queries); kept until a question or answer on the
    talk's session `session_pk` is written."""
    start = (number - 1) * QUESTIONS_PER_PAGE
    with reading_session(session_pk, Question, Answer):
        return (
            Question.objects.filter(presentation=talk_pk)
            .order_by("position", "pk")[start : start + QUESTIONS_PER_PAGE]
            .display_rows()
        )


def question_owners(questions):
    """Who has an edit link among `questions` (`QuestionRow`s): their
    askers and the authors of their answers."""
    people = set()
    for question in questions:
        people.add(question.asked_by_id)
        people.update(answer.author_id for answer in question.answers)
    people.discard(None)
    return people


def as_seen_by(questions, viewer):
    """`questions` (`QuestionRow`s) as `viewer` (or None: nobody) sees them:
    whether the viewer asked each and wrote each answer (`mine`), and
    whether they may still answer it (`can_answer`: who answered edits
    their answer instead). Worked out here, the template reads attributes
    only."""
    viewer_pk = viewer.pk if viewer is not None else None
    for question in questions:
        question.mine = bool(question.asked_by_id) and question.asked_by_id == viewer_pk
        question.can_answer = True
        for answer in question.answers:
            answer.mine = bool(answer.author_id) and answer.author_id == viewer_pk
            if answer.mine:
                question.can_answer = False
    return questions


@cached_with_own_links
def talk_questions_html(talk_pk, session_pk, number, viewer):
    """The questions on page `number` of the talk page (on session
    `session_pk`) and the owners of their items; `viewer` (or None) sees
    the edit links of their own questions and answers."""
    questions = as_seen_by(page_questions(talk_pk, session_pk, number), viewer)
    html = render_to_string(
        "study/includes/talk_questions.html", {"questions": questions, "user": viewer}
    )
    return html, question_owners(questions)


def question_form(talk):
    """The empty question form of the talk page, addressed to its first
    presenter. Its presenters are known already (`talk_summary`): offering
    them takes no query."""
    presenter_ids = [member_pk for member_pk, label in talk["presenters"]]
    form = QuestionForm(
        talk=talk["pk"], initial={"addressed_to": presenter_ids[0] if presenter_ids else None}
    )
    form.fields["addressed_to"].choices = talk["presenters"]
    return form


@cached
def question_fields_html(pk):
    """The empty form's fields, the same for everyone (the CSRF token stays outside)."""
    return question_form(talk_summary(pk)).render()


def talk_detail(request, pk):
    """The talk with all its questions and answers, a page at a time.

    The talk's heading and overview and each page of questions are cached
    parts. A page of questions is kept once for everyone, and per viewer
    only for those who asked or answered one of its questions, who see
    their own edit links.
    """
    user = request.user
    talk = talk_summary(pk)
    page = page_of_known_length(talk["question_count"], QUESTIONS_PER_PAGE, page_number(request))
    presenter_ids = [member_pk for member_pk, label in talk["presenters"]]
    return render_page(
        request,
        "study/talk_detail.html",
        {
            "talk": talk,
            "heading_html": talk["heading_html"],
            "overview_html": talk["overview_html"],
            "questions_html": talk_questions_html(pk, talk["session_pk"], page.number, viewer=user)
            if talk["question_count"]
            else "",
            "page": page,
            "can_edit": user.is_organizer or user.pk in presenter_ids,
            "question_form": question_form(talk),
            "question_fields_html": question_fields_html(pk),
        },
    )


def talk_create(request, season, number):
    """Post a talk; one posted by the holder of a slot on the session fills
    that slot, and the form starts with the papers taken into it."""
    session = get_session(season, number)
    form = PresentationForm(
        request.POST or None,
        request.FILES or None,
        session=session,
        user=request.user,
        initial=slot_initial(session, request.user),
    )
    talk = save_or_form_error(form)
    if talk is not None:
        TalkSlot.attach_talk(talk)
        messages.success(request, _("Your talk “%(topic)s” was posted.") % {"topic": talk.topic})
        return redirect(talk)
    return render(request, "study/talk_form.html", {"form": form, "session": session, "talk": None})


def slot_initial(session, user):
    """What the talk form starts with for the holder of a slot on `session`
    without a talk yet: the papers taken into the slot from the backlog."""
    papers = Paper.objects.filter(
        nominations__slot__session=session,
        nominations__slot__holder=user.pk,
        nominations__slot__talk__isnull=True,
        nominations__withdrawn_at__isnull=True,
    ).order_by("pk")
    lines = "\n".join(f"{paper.title} | {paper.url}" for paper in papers)
    return {"paper_links": lines} if lines else {}


def talk_edit(request, pk):
    talk = talk_for_editing(request, pk)
    form = PresentationForm(
        request.POST or None,
        request.FILES or None,
        instance=talk,
        session=talk.session,
        user=request.user,
    )
    if save_or_form_error(form) is not None:
        messages.success(request, _("The talk “%(topic)s” was updated.") % {"topic": talk.topic})
        return redirect(talk)
    return render(
        request, "study/talk_form.html", {"form": form, "session": talk.session, "talk": talk}
    )


@require_http_methods(["GET", "POST"])
def talk_delete(request, pk):
    talk = talk_for_editing(request, pk)
    if request.method == "POST":
        talk.delete()
        messages.success(request, _("The talk “%(topic)s” was deleted.") % {"topic": talk.topic})
        return redirect(talk.session)
    return render(
        request,
        "study/confirm_delete.html",
        {
            "title": _("Delete the talk “%(topic)s”?") % {"topic": talk.topic},
            "warning": _("Its questions and answers are deleted with it."),
            "cancel_url": talk.get_absolute_url(),
        },
    )


def question_create(request, pk):
    talk = get_object_or_404(Presentation.objects.select_related("session__season"), pk=pk)
    form = QuestionForm(
        request.POST or None, talk=talk, instance=Question(presentation=talk, asked_by=request.user)
    )
    with transaction.atomic():
        question = save_or_form_error(form)
        if question is not None:
            notify(
                NotificationKind.QUESTION,
                [question.addressed_to],
                actor=request.user,
                target=question,
                label=talk.topic,
            )
    if question is not None:
        messages.success(request, _("Your question was posted."))
        return redirect(question.get_absolute_url())
    return render(
        request, "study/question_form.html", {"form": form, "talk": talk, "question": None}
    )


def question_edit(request, pk):
    question = question_for_author(request, pk)
    talk = question.presentation
    form = QuestionForm(request.POST or None, instance=question, talk=talk)
    if save_or_form_error(form) is not None:
        messages.success(request, _("Your question was updated."))
        return redirect(question.get_absolute_url())
    return render(
        request, "study/question_form.html", {"form": form, "talk": talk, "question": question}
    )


@require_http_methods(["GET", "POST"])
def question_delete(request, pk):
    question = question_for_author(request, pk)
    talk = question.presentation
    if request.method == "POST":
        question.delete()
        messages.success(request, _("Your question was deleted."))
        return redirect(talk)
    return render(
        request,
        "study/confirm_delete.html",
        {
            "title": _("Delete your question?"),
            "preview_html": question.body_html,
            "warning": _("Its answers are deleted with it."),
            "cancel_url": question.get_absolute_url(),
        },
    )


def answer_create(request, pk):
    question = get_object_or_404(
        Question.objects.select_related(
            "presentation__session__season", "asked_by", "addressed_to"
        ),
        pk=pk,
    )
    form = AnswerForm(request.POST or None, instance=Answer(question=question, author=request.user))
    with transaction.atomic():
        answer = save_or_form_error(form)
        if answer is not None:
            notify(
                NotificationKind.ANSWER,
                [question.asked_by],
                actor=request.user,
                target=answer,
                label=question.presentation.topic,
            )
    if answer is not None:
        messages.success(request, _("Your answer was posted."))
        return redirect(answer.get_absolute_url())
    return render(
        request, "study/answer_form.html", {"form": form, "question": question, "answer": None}
    )


def answer_edit(request, pk):
    answer = answer_for_author(request, pk)
    form = AnswerForm(request.POST or None, instance=answer)
    if save_or_form_error(form) is not None:
        messages.success(request, _("Your answer was updated."))
        return redirect(answer.get_absolute_url())
    return render(
        request,
        "study/answer_form.html",
        {"form": form, "question": answer.question, "answer": answer},
    )


@require_http_methods(["GET", "POST"])
def answer_delete(request, pk):
    answer = answer_for_author(request, pk)
    talk = answer.question.presentation
    if request.method == "POST":
        answer.delete()
        messages.success(request, _("Your answer was deleted."))
        return redirect(f"{talk.get_absolute_url()}#question-{answer.question_id}")
    return render(
        request,
        "study/confirm_delete.html",
        {
            "title": _("Delete your answer?"),
            "preview_html": answer.body_html,
            "cancel_url": answer.get_absolute_url(),
        },
    )
