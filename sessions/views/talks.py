"""Talks and their questions and answers."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sessions.forms import AnswerForm, PresentationForm, QuestionForm
from sessions.models import Answer, Presentation, Question, StudySession

from .access import answer_for_author, question_for_author, talk_for_editing

QUESTIONS_PER_PAGE = 30


def talk_detail(request, pk):
    talk = get_object_or_404(Presentation.objects.with_people(), pk=pk)
    questions = talk.questions.select_related("asked_by", "addressed_to").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("author"))
    )
    page = Paginator(questions, QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    presenters = talk.ordered_presenters()
    question_form = QuestionForm(talk=talk, initial={"addressed_to": presenters[0] if presenters else None})
    return render(
        request,
        "study/talk_detail.html",
        {
            "talk": talk,
            "presenters": presenters,
            "questions": page.object_list,
            "page": page,
            "can_edit": talk.can_edit(request.user),
            "question_form": question_form,
        },
    )


def talk_create(request, number):
    session = get_object_or_404(StudySession, number=number)
    form = PresentationForm(
        request.POST or None, request.FILES or None, session=session, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        talk = form.save()
        messages.success(request, _("Your talk “%(topic)s” was posted.") % {"topic": talk.topic})
        return redirect(talk)
    return render(request, "study/talk_form.html", {"form": form, "session": session, "talk": None})


def talk_edit(request, pk):
    talk = talk_for_editing(request, pk)
    form = PresentationForm(
        request.POST or None,
        request.FILES or None,
        instance=talk,
        session=talk.session,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        talk = form.save()
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
    talk = get_object_or_404(Presentation.objects.select_related("session"), pk=pk)
    form = QuestionForm(request.POST or None, talk=talk)
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.presentation = talk
        question.asked_by = request.user
        question.position = talk.questions.count()
        question.save()
        messages.success(request, _("Your question was posted."))
        return redirect(question.get_absolute_url())
    return render(request, "study/question_form.html", {"form": form, "talk": talk, "question": None})


def question_edit(request, pk):
    question = question_for_author(request, pk)
    talk = question.presentation
    form = QuestionForm(request.POST or None, instance=question, talk=talk)
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.save(update_fields=["addressed_to", "body", "updated_at"])
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
        Question.objects.select_related("presentation__session", "asked_by", "addressed_to"), pk=pk
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = form.save(commit=False)
        answer.question = question
        answer.author = request.user
        answer.save()
        messages.success(request, _("Your answer was posted."))
        return redirect(answer.get_absolute_url())
    return render(
        request, "study/answer_form.html", {"form": form, "question": question, "answer": None}
    )


def answer_edit(request, pk):
    answer = answer_for_author(request, pk)
    form = AnswerForm(request.POST or None, instance=answer)
    if request.method == "POST" and form.is_valid():
        answer = form.save(commit=False)
        answer.save(update_fields=["body", "updated_at"])
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
