"""Two people saving one thing: a form message, never a lost edit or a 500.

Edit forms save only over the version they were opened on; a save that
comes second shows what is saved now beside the text it keeps. A submit
that races another past validation and breaks a unique constraint gets the
form's own message. (tests/test_concurrent_saves.py runs the same races in
threads on PostgreSQL.)
"""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from sessions.forms.concurrency import broke_constraint, save_or_form_error
from sessions.forms.reflections import ReflectionForm
from sessions.forms.talks import PresentationForm, QuestionForm
from sessions.models import Presentation, Question, Reflection
from tests import factories
from tests.editing import EDIT_KINDS, form_data, opened_form, window

CONFLICT = (
    "Someone changed this after you opened the form (maybe you, in another window). "
    "Your text is still in the form, and what is saved now is shown below it. "
    "Compare the two; saving again replaces the saved version with yours."
)
DELETED = (
    "This was deleted after you opened the form, so it could not be saved. "
    "Your text is still in the form: copy it if you want to keep it."
)


@pytest.fixture(params=EDIT_KINDS, ids=str)
def edit(request, db):
    return EDIT_KINDS[request.param]()


def test_edit_saved_second_is_a_conflict_that_loses_no_text(edit):
    first, second = opened_form(edit.first, edit.url), opened_form(edit.second, edit.url)
    assert edit.first.post(edit.url, {**first, edit.field: "첫 번째 사람의 글"}).status_code == 302
    response = edit.second.post(edit.url, {**second, edit.field: "두 번째 사람의 글"})
    assert response.status_code == 200
    assert edit.stored() == "첫 번째 사람의 글"
    form = response.context["form"]
    assert form.errors == {"__all__": [CONFLICT]}
    assert [(value.label, value.text) for value in form.conflict.values] == [
        (edit.label, "첫 번째 사람의 글")
    ]
    content = response.content.decode()
    # The second person's text stays in the input, the stored one shows beside it.
    assert form_data(content)[edit.field] == "두 번째 사람의 글"
    assert '<dd class="edit-conflict-text">첫 번째 사람의 글</dd>' in content


def test_edit_saved_again_after_a_conflict_replaces_the_stored_text(edit):
    first, second = opened_form(edit.first, edit.url), opened_form(edit.second, edit.url)
    edit.first.post(edit.url, {**first, edit.field: "첫 번째 사람의 글"})
    conflict = edit.second.post(edit.url, {**second, edit.field: "두 번째 사람의 글"})
    # The form now carries the stored version: saving it again is deliberate.
    response = edit.second.post(edit.url, form_data(conflict.content.decode()))
    assert response.status_code == 302
    assert edit.stored() == "두 번째 사람의 글"


def test_edit_without_a_version_is_a_conflict(edit):
    data = opened_form(edit.first, edit.url)
    del data["version"]
    response = edit.first.post(edit.url, {**data, edit.field: "버전 없는 글"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [CONFLICT]}
    assert edit.stored() != "버전 없는 글"


@pytest.mark.parametrize("version", ["", "어제", "2025-01-01T00:00:00", "\x00", "9" * 64])
def test_talk_edit_with_a_bad_version_is_a_conflict_not_an_error(presenter_client, talk, version):
    url = reverse("study:talk-edit", args=[talk.pk])
    data = {**opened_form(presenter_client, url), "version": version, "topic": "바뀐 제목"}
    response = presenter_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"__all__": [CONFLICT]}
    talk.refresh_from_db()
    assert talk.topic == "셀프 어텐션"


def test_talk_edit_second_save_does_not_put_back_the_first_ones_title(
    presenter_client, organizer_client, talk
):
    url = reverse("study:talk-edit", args=[talk.pk])
    first, second = opened_form(presenter_client, url), opened_form(organizer_client, url)
    presenter_client.post(url, {**first, "topic": "멀티헤드 어텐션"})
    response = organizer_client.post(url, {**second, "summary": "요약을 고쳤다."})
    talk.refresh_from_db()
    assert (talk.topic, talk.summary) == (
        "멀티헤드 어텐션",
        "셀프 어텐션은 $QK^T$ 로 가중치를 구한다.",
    )
    assert [(value.label, value.text) for value in response.context["form"].conflict.values] == [
        ("Topic", "멀티헤드 어텐션"),
        ("Summary", "셀프 어텐션은 $QK^T$ 로 가중치를 구한다."),
    ]


def test_talk_edit_conflict_shows_presenters_and_papers_by_name(
    presenter_client, organizer_client, talk, presenter, member
):
    url = reverse("study:talk-edit", args=[talk.pk])
    first, second = opened_form(presenter_client, url), opened_form(organizer_client, url)
    presenter_client.post(
        url,
        {
            **first,
            "presenters": [presenter.pk, member.pk],
            "paper_links": "MHA | https://example.org/mha",
        },
    )
    response = organizer_client.post(url, {**second, "topic": "셀프 어텐션 2"})
    assert [(value.label, value.text) for value in response.context["form"].conflict.values] == [
        ("Topic", "셀프 어텐션"),
        ("Presenters", "🐼 강발표, 🐱 조회원"),
        ("Papers", "MHA | https://example.org/mha"),
    ]


def test_journal_edit_conflict_shows_the_stored_tags_and_date(presenter_client, presenter):
    entry = factories.JournalEntryFactory(
        author=presenter, tags=[factories.TagFactory(name="복습")]
    )
    url = reverse("study:journal-edit", args=[entry.pk])
    first, second = opened_form(presenter_client, url), opened_form(presenter_client, url)
    presenter_client.post(url, {**first, "tags": "복습, 트랜스포머", "date": "2025-04-01"})
    response = presenter_client.post(url, {**second, "title": "새 제목"})
    assert [(value.label, value.text) for value in response.context["form"].conflict.values] == [
        ("Title", entry.title),
        ("Date", "2025-04-01"),
        ("Tags", "복습, 트랜스포머"),
    ]


def test_edit_of_a_question_deleted_meanwhile_keeps_the_text_and_says_so(
    member_client, talk, member
):
    """Deleted between the page's access check and the save (the page is a 404 after that)."""
    question = factories.QuestionFactory(presentation=talk, asked_by=member)
    data = opened_form(member_client, reverse("study:question-edit", args=[question.pk]))
    form = QuestionForm({**data, "body": "지워진 질문에 쓴 글"}, instance=question, talk=talk)
    Question.objects.filter(pk=question.pk).delete()
    assert save_or_form_error(form) is None
    assert form.errors == {"__all__": [DELETED]}
    assert (form.conflict.deleted, form["body"].value()) == (True, "지워진 질문에 쓴 글")
    assert Question.objects.count() == 0


def test_edit_conflict_page_says_it_in_korean(settings, member_client, member, talk):
    settings.LANGUAGE_CODE = "ko"
    question = factories.QuestionFactory(presentation=talk, asked_by=member, body="처음")
    url = reverse("study:question-edit", args=[question.pk])
    first, second = opened_form(member_client, url), opened_form(member_client, url)
    member_client.post(url, {**first, "body": "하나"})
    content = member_client.post(url, {**second, "body": "둘"}).content.decode()
    assert "이 양식을 연 뒤에 다른 사람이 내용을 바꿨습니다" in content
    assert "지금 저장된 내용" in content


# Submits that race past validation


@pytest.fixture
def commit_before_saving(monkeypatch):
    """Make `create()` commit its row after the first submit of the form
    under test was validated and before it saves: what a simultaneous submit
    does."""

    def patch(form_class, create):
        validate = form_class.is_valid
        created = []

        def is_valid(form):
            valid = validate(form)
            if form.is_bound and not created:
                created.append(create())
            return valid

        monkeypatch.setattr(form_class, "is_valid", is_valid)

    return patch


def test_talk_posted_twice_at_once_gives_the_second_the_topic_error(
    member_client, member, study_session, commit_before_saving
):
    commit_before_saving(
        PresentationForm,
        lambda: factories.PresentationFactory(session=study_session, topic="확산 모델 입문"),
    )
    response = member_client.post(
        reverse("study:talk-create", args=study_session.url_args),
        {"topic": "확산 모델 입문", "presenters": [member.pk], "summary": "내 요약"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "topic": ["This session already has a talk called “확산 모델 입문”."]
    }
    assert form_data(response.content.decode())["summary"] == "내 요약"
    assert Presentation.objects.get().summary != "내 요약"


def test_first_reflection_posted_twice_at_once_is_an_edit_conflict(
    member_client, member, study_session, commit_before_saving
):
    commit_before_saving(
        ReflectionForm,
        lambda: factories.ReflectionFactory(
            author=member, session=study_session, body="다른 창에서 쓴 소감"
        ),
    )
    url = reverse("study:reflection-edit", args=study_session.url_args)
    response = member_client.post(
        url, {**opened_form(member_client, url), "body": "이 창에서 쓴 소감"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"__all__": [CONFLICT]}
    assert [(value.label, value.text) for value in form.conflict.values] == [
        ("Your reflection", "다른 창에서 쓴 소감")
    ]
    assert Reflection.objects.get().body == "다른 창에서 쓴 소감"
    # Saving again deliberately replaces the other window's text.
    again = member_client.post(url, form_data(response.content.decode()))
    assert again.status_code == 302
    assert Reflection.objects.get().body == "이 창에서 쓴 소감"


def test_reflection_form_opened_before_writing_one_elsewhere_is_a_conflict(
    member_client, member, study_session
):
    url = reverse("study:reflection-edit", args=study_session.url_args)
    new_form = opened_form(member_client, url)
    other_window = window(member)
    other_window.post(url, {**opened_form(other_window, url), "body": "먼저 쓴 소감"})
    response = member_client.post(url, {**new_form, "body": "나중에 쓴 소감"})
    assert response.context["form"].errors == {"__all__": [CONFLICT]}
    assert Reflection.objects.get().body == "먼저 쓴 소감"


def test_a_constraint_the_form_does_not_name_stays_an_error(
    member, study_session, commit_before_saving, monkeypatch
):
    """Only the races a form knows how to report become form errors; any
    other IntegrityError is a bug and must stay visible."""
    monkeypatch.setattr(PresentationForm, "race_constraints", set())
    commit_before_saving(
        PresentationForm,
        lambda: factories.PresentationFactory(session=study_session, topic="확산 모델 입문"),
    )
    form = PresentationForm(
        {"topic": "확산 모델 입문", "presenters": [member.pk]}, session=study_session, user=member
    )
    with pytest.raises(IntegrityError):
        save_or_form_error(form)


def test_broke_constraint_names_the_constraint_of_an_integrity_error(talk, member):
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        Presentation.objects.create(session=talk.session, topic=talk.topic)
    with pytest.raises(IntegrityError) as shapeless, transaction.atomic():
        Reflection.objects.create(kind=Reflection.Kind.JOURNAL, author=member, title="", body="x")
    assert broke_constraint(
        duplicate.value, Presentation, "study_presentation_session_topic_unique"
    )
    assert not broke_constraint(duplicate.value, Reflection, "study_reflection_one_per_session")
    assert broke_constraint(shapeless.value, Reflection, "study_reflection_kind_shape")
    assert not broke_constraint(shapeless.value, Reflection, "study_reflection_one_per_session")
