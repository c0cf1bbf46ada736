"""Questions and answers on a talk: who may ask, answer, edit and delete."""

import re

import pytest
from django.urls import reverse

from sessions.models import Answer, Question
from tests import factories
from tests.editing import opened_form

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"


def assert_no_script_from(content):
    """No element from the hostile payload: it may only show up as escaped text."""
    assert "<script>alert(1)" not in content
    assert re.search(r"<[^>]*\bonerror", content) is None
    assert re.search(r"<[^>]*javascript:", content) is None


@pytest.fixture
def question(talk, member, presenter):
    return factories.QuestionFactory(
        presentation=talk, asked_by=member, addressed_to=presenter, body="마스킹은 왜 하나요?"
    )


@pytest.fixture
def answer(question, presenter):
    return factories.AnswerFactory(
        question=question, author=presenter, body="미래를 못 보게 하려고요."
    )


# Asking


def test_question_create_by_member_asks_the_presenter(member_client, member, presenter, talk):
    response = member_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": presenter.pk, "body": "**왜** 루트 d 로 나누나요?"},
    )
    question = Question.objects.get()
    assert response["Location"] == f"/talks/{talk.pk}/#question-{question.pk}"
    assert (question.presentation, question.asked_by, question.addressed_to) == (
        talk,
        member,
        presenter,
    )
    assert question.body_html == "<p><strong>왜</strong> 루트 d 로 나누나요?</p>\n"
    page = member_client.get(talk.get_absolute_url()).content.decode()
    assert "Your question was posted." in page
    assert '<span class="badge badge-warning">Unanswered</span>' in page


def test_question_create_offers_only_the_talks_presenters(member_client, talk, presenter, member):
    form = member_client.get(reverse("study:question-create", args=[talk.pk])).context["form"]
    assert list(form.fields["addressed_to"].queryset) == [presenter]


def test_question_create_addressed_to_a_non_presenter_is_a_form_error(member_client, member, talk):
    response = member_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": member.pk, "body": "질문"},
    )
    assert response.context["form"].errors == {
        "addressed_to": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert Question.objects.count() == 0


def test_question_create_empty_body_is_a_form_error(member_client, presenter, talk):
    response = member_client.post(
        reverse("study:question-create", args=[talk.pk]), {"addressed_to": presenter.pk, "body": ""}
    )
    assert response.context["form"].errors == {"body": ["This field is required."]}


def test_question_create_anonymous_redirects_to_login(outsider_client, presenter, talk):
    response = outsider_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": presenter.pk, "body": "질문"},
    )
    assert response["Location"] == f"/accounts/login/?next=/talks/{talk.pk}/questions/new/"
    assert Question.objects.count() == 0


def test_question_create_on_unknown_talk_is_404(member_client, db):
    assert member_client.get(reverse("study:question-create", args=[999])).status_code == 404


def test_question_hostile_markdown_is_neutralised(member_client, presenter, talk):
    member_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": presenter.pk, "body": HOSTILE},
    )
    for url in [talk.get_absolute_url(), "/seasons/2025/6/"]:
        content = member_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert_no_script_from(content)


# Editing and deleting a question


def test_question_edit_by_author_updates_it(member_client, presenter, question):
    url = reverse("study:question-edit", args=[question.pk])
    data = opened_form(member_client, url)
    response = member_client.post(url, {**data, "addressed_to": presenter.pk, "body": "고친 질문"})
    question.refresh_from_db()
    assert response["Location"] == f"/talks/{question.presentation_id}/#question-{question.pk}"
    assert question.body_html == "<p>고친 질문</p>\n"


@pytest.mark.parametrize("client_name", ["presenter_client", "organizer_client"])
def test_question_edit_by_someone_else_is_403_and_changes_nothing(
    request, client_name, presenter, question
):
    client = request.getfixturevalue(client_name)
    response = client.post(
        reverse("study:question-edit", args=[question.pk]),
        {"addressed_to": presenter.pk, "body": "남의 질문"},
    )
    question.refresh_from_db()
    assert response.status_code == 403
    assert question.body == "마스킹은 왜 하나요?"


def test_question_without_known_author_cannot_be_edited(member_client, talk, presenter):
    legacy = factories.QuestionFactory(presentation=talk, asked_by=None, addressed_to=presenter)
    assert member_client.get(reverse("study:question-edit", args=[legacy.pk])).status_code == 403


def test_question_and_answer_without_known_author_show_no_edit_links(
    member_client, talk, presenter
):
    legacy = factories.QuestionFactory(presentation=talk, asked_by=None, addressed_to=presenter)
    answer = factories.AnswerFactory(question=legacy, author=None)
    for url in [talk.get_absolute_url(), talk.session.get_absolute_url()]:
        content = member_client.get(url).content.decode()
        assert legacy.body_html in content
        assert f'href="/questions/{legacy.pk}/edit/"' not in content
        assert f'href="/answers/{answer.pk}/edit/"' not in content


def test_question_edit_unknown_is_404(member_client, db):
    assert member_client.get(reverse("study:question-edit", args=[999])).status_code == 404


def test_question_edit_links_only_for_the_author(member_client, presenter_client, question):
    edit = f'href="/questions/{question.pk}/edit/"'
    assert edit in member_client.get(question.presentation.get_absolute_url()).content.decode()
    assert (
        edit not in presenter_client.get(question.presentation.get_absolute_url()).content.decode()
    )


def test_question_delete_by_author_deletes_it_and_its_answers(member_client, question, answer):
    confirm = member_client.get(
        reverse("study:question-delete", args=[question.pk])
    ).content.decode()
    assert "<h1>Delete your question?</h1>" in confirm
    assert Question.objects.count() == 1
    response = member_client.post(reverse("study:question-delete", args=[question.pk]))
    assert response["Location"] == f"/talks/{question.presentation_id}/"
    assert Question.objects.count() == 0
    assert Answer.objects.count() == 0


def test_question_delete_by_someone_else_is_403(presenter_client, question):
    assert (
        presenter_client.post(reverse("study:question-delete", args=[question.pk])).status_code
        == 403
    )
    assert Question.objects.count() == 1


# Answering


def test_answer_by_presenter_is_marked_as_the_presenters(presenter_client, presenter, question):
    response = presenter_client.post(
        reverse("study:answer-create", args=[question.pk]), {"body": "*인과* 마스크입니다."}
    )
    answer = Answer.objects.get()
    assert response["Location"] == f"/talks/{question.presentation_id}/#answer-{answer.pk}"
    assert (answer.question, answer.author, answer.is_by_presenter) == (question, presenter, True)
    page = presenter_client.get(question.presentation.get_absolute_url()).content.decode()
    assert "<em>인과</em>" in page
    assert '<span class="badge badge-success">Presenter\'s answer</span>' in page
    assert '<span class="badge badge-warning">Unanswered</span>' not in page


def test_answer_by_other_member_is_not_marked_as_the_presenters(
    organizer_client, organizer, question
):
    organizer_client.post(
        reverse("study:answer-create", args=[question.pk]), {"body": "제 생각엔요."}
    )
    answer = Answer.objects.get()
    assert (answer.author, answer.is_by_presenter) == (organizer, False)
    page = organizer_client.get(question.presentation.get_absolute_url()).content.decode()
    assert "Presenter's answer" not in page


def test_answer_posted_after_the_talk_page_was_cached_shows_with_its_edit_link(
    presenter_client, question
):
    talk_url = question.presentation.get_absolute_url()
    assert (
        '<span class="badge badge-warning">Unanswered</span>'
        in presenter_client.get(talk_url).content.decode()
    )
    presenter_client.post(
        reverse("study:answer-create", args=[question.pk]), {"body": "새로 단 답"}
    )
    answer = Answer.objects.get()
    page = presenter_client.get(talk_url).content.decode()
    assert "<p>새로 단 답</p>" in page
    assert f'href="/answers/{answer.pk}/edit/"' in page
    assert '<span class="badge badge-warning">Unanswered</span>' not in page


def test_question_edited_after_the_talk_page_was_cached_shows_the_new_text(
    member_client, presenter, question
):
    talk_url = question.presentation.get_absolute_url()
    assert "마스킹은 왜 하나요?" in member_client.get(talk_url).content.decode()
    url = reverse("study:question-edit", args=[question.pk])
    data = opened_form(member_client, url)
    member_client.post(url, {**data, "addressed_to": presenter.pk, "body": "고친 질문"})
    page = member_client.get(talk_url).content.decode()
    assert "<p>고친 질문</p>" in page
    assert "마스킹은 왜 하나요?" not in page


def test_answer_page_shows_the_question(presenter_client, question):
    content = presenter_client.get(
        reverse("study:answer-create", args=[question.pk])
    ).content.decode()
    assert question.body_html in content
    assert "🐱 조회원 asked 🐼 강발표:" in content


def test_answer_create_anonymous_redirects_to_login(outsider_client, question):
    response = outsider_client.post(
        reverse("study:answer-create", args=[question.pk]), {"body": "답"}
    )
    assert response["Location"] == f"/accounts/login/?next=/questions/{question.pk}/answers/new/"
    assert Answer.objects.count() == 0


def test_answer_hostile_markdown_is_neutralised(presenter_client, question):
    presenter_client.post(reverse("study:answer-create", args=[question.pk]), {"body": HOSTILE})
    content = presenter_client.get(question.presentation.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert_no_script_from(content)


def test_answer_edit_by_author_updates_it(presenter_client, answer):
    url = reverse("study:answer-edit", args=[answer.pk])
    data = opened_form(presenter_client, url)
    response = presenter_client.post(url, {**data, "body": "고친 답"})
    answer.refresh_from_db()
    assert response.status_code == 302
    assert answer.body_html == "<p>고친 답</p>\n"


@pytest.mark.parametrize("client_name", ["member_client", "organizer_client"])
def test_answer_edit_by_someone_else_is_403_and_changes_nothing(request, client_name, answer):
    client = request.getfixturevalue(client_name)
    response = client.post(reverse("study:answer-edit", args=[answer.pk]), {"body": "남의 답"})
    answer.refresh_from_db()
    assert response.status_code == 403
    assert answer.body == "미래를 못 보게 하려고요."


def test_answer_delete_by_author_deletes_it(presenter_client, answer):
    response = presenter_client.post(reverse("study:answer-delete", args=[answer.pk]))
    assert (
        response["Location"]
        == f"/talks/{answer.question.presentation_id}/#question-{answer.question_id}"
    )
    assert Answer.objects.count() == 0


def test_answer_delete_by_someone_else_is_403(member_client, answer):
    assert member_client.post(reverse("study:answer-delete", args=[answer.pk])).status_code == 403
    assert Answer.objects.count() == 1


def test_answer_delete_unknown_is_404(member_client, db):
    assert member_client.post(reverse("study:answer-delete", args=[999])).status_code == 404
