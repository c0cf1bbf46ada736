"""The Django admin: every model is manageable, and members can be merged."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from sessions.models import Member, NotificationPreference, Presentation, Question
from sessions.notifications import notify
from tests import factories

pytestmark = pytest.mark.django_db

STUDY_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "study"),
    key=lambda model: model._meta.model_name,
)


@pytest.fixture
def admin_client_study(db):
    superuser = factories.MemberFactory(
        username="root", display_name="관리자", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def some_of_everything(talk, member):
    question = factories.QuestionFactory(presentation=talk, asked_by=member)
    factories.AnswerFactory(question=question)
    factories.ReflectionFactory(session=talk.session, author=member)
    factories.JournalEntryFactory(author=member, tags=[factories.TagFactory(name="딥러닝")])
    factories.AttendanceFactory(session=talk.session, member=member)
    factories.ImportedFileFactory(session=talk.session)
    talk.papers.add(factories.PaperFactory())
    notify("question", [question.addressed_to], actor=member, target=question, label=talk.topic)
    NotificationPreference.choose(member, "answer", "digest")
    slot = factories.TalkSlotFactory(
        session=factories.upcoming_session(number=90), holder=member, theme="확산 모델"
    )
    nomination = factories.NominationFactory(season=slot.session.season, author=member, slot=slot)
    factories.NominationVoteFactory(nomination=nomination, member=member)
    factories.ActionItemFactory(
        card=factories.CardFactory(board=factories.RetroBoardFactory(session=talk.session))
    )


def test_admin_registers_every_study_model():
    assert [model._meta.model_name for model in STUDY_MODELS] == [
        "actionitem",
        "answer",
        "attendance",
        "card",
        "importedfile",
        "member",
        "nomination",
        "nominationvote",
        "notification",
        "notificationpreference",
        "paper",
        "presentation",
        "question",
        "reflection",
        "retroboard",
        "season",
        "studysession",
        "tag",
        "talkslot",
    ]


@pytest.mark.parametrize("model", STUDY_MODELS, ids=lambda model: model._meta.model_name)
def test_admin_changelist_lists_rows(admin_client_study, some_of_everything, model):
    url = reverse(f"admin:study_{model._meta.model_name}_changelist")
    response = admin_client_study.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()
    assert model.objects.count() >= 1


@pytest.mark.parametrize("model", STUDY_MODELS, ids=lambda model: model._meta.model_name)
def test_admin_change_page_opens(admin_client_study, some_of_everything, model):
    obj = model.objects.first()
    response = admin_client_study.get(
        reverse(f"admin:study_{model._meta.model_name}_change", args=[obj.pk])
    )
    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize(
    "model",
    [model for model in STUDY_MODELS if model._meta.model_name != "importedfile"],
    ids=lambda model: model._meta.model_name,
)
def test_admin_add_page_opens(admin_client_study, model):
    response = admin_client_study.get(reverse(f"admin:study_{model._meta.model_name}_add"))
    assert response.status_code == 200
    assert response.context["add"] is True


def test_admin_imported_files_are_read_only(admin_client_study):
    response = admin_client_study.get(reverse("admin:study_importedfile_add"))
    assert response.status_code == 403


def test_admin_markdown_fields_use_the_markdownx_editor(admin_client_study, talk):
    response = admin_client_study.get(reverse("admin:study_presentation_change", args=[talk.pk]))
    assert "vLargeTextField markdownx-editor" in response.content.decode()


def test_admin_adds_a_member_without_password(admin_client_study):
    response = admin_client_study.post(
        reverse("admin:study_member_add"),
        {
            "username": "newcomer",
            "display_name": "신입",
            "email": "",
            "role": "member",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(username="newcomer").has_usable_password() is False


def test_admin_merge_action_asks_which_member_to_keep(admin_client_study, presenter, member):
    response = admin_client_study.post(
        reverse("admin:study_member_changelist"),
        {"action": "merge_members", "_selected_action": [presenter.pk, member.pk]},
    )
    assert response.status_code == 200
    assert list(response.context["members"]) == sorted([presenter, member], key=lambda m: m.pk)


def test_admin_merge_action_moves_every_related_row(admin_client_study, talk, presenter, member):
    """최수빈 and 조수빈 are one person: everything of the merged member moves over."""
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    answer = factories.AnswerFactory(question=question, author=member)
    journal = factories.JournalEntryFactory(author=member)
    member_talk = factories.PresentationFactory(session=talk.session, presenters=[member])

    response = admin_client_study.post(
        reverse("admin:study_member_changelist"),
        {
            "action": "merge_members",
            "_selected_action": [presenter.pk, member.pk],
            "keep": presenter.pk,
        },
    )

    assert response.status_code == 302
    assert Member.objects.filter(pk=member.pk).exists() is False
    assert Question.objects.get(pk=question.pk).asked_by == presenter
    answer.refresh_from_db()
    journal.refresh_from_db()
    assert (answer.author, journal.author) == (presenter, presenter)
    assert Presentation.objects.get(pk=member_talk.pk).ordered_presenters() == [presenter]


def test_admin_merge_action_needs_exactly_two(admin_client_study, presenter, member, organizer):
    response = admin_client_study.post(
        reverse("admin:study_member_changelist"),
        {"action": "merge_members", "_selected_action": [presenter.pk, member.pk, organizer.pk]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Select exactly two members to merge."
    ]
    assert Member.objects.filter(pk__in=[presenter.pk, member.pk, organizer.pk]).count() == 3


def test_admin_requires_staff(member_client):
    response = member_client.get(reverse("admin:study_member_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_questions_list_newest_first_with_their_answer_counts(admin_client_study, talk):
    older = factories.QuestionFactory(presentation=talk, body="먼저 한 질문")
    newer = factories.QuestionFactory(presentation=talk, body="나중 질문")
    factories.AnswerFactory.create_batch(2, question=older)
    response = admin_client_study.get(reverse("admin:study_question_changelist"))
    rows = [(question.pk, question.answer_count) for question in response.context["cl"].result_list]
    assert rows == [(newer.pk, 0), (older.pk, 2)]


@pytest.mark.parametrize("count", [1, 3])
def test_admin_questions_list_query_count(
    admin_client_study, talk, count, django_assert_num_queries
):
    for question in factories.QuestionFactory.create_batch(count, presentation=talk):
        factories.AnswerFactory(question=question)
    # session + user, count (twice: filtered and total), questions, sessions to filter by
    with django_assert_num_queries(6):
        response = admin_client_study.get(reverse("admin:study_question_changelist"))
    assert len(response.context["cl"].result_list) == count


def test_admin_sessions_list_counts_their_talks(admin_client_study, study_session):
    factories.PresentationFactory.create_batch(2, session=study_session)
    empty = factories.StudySessionFactory(number=7)
    response = admin_client_study.get(reverse("admin:study_studysession_changelist"))
    counts = {session.pk: session.talk_count for session in response.context["cl"].result_list}
    assert counts == {study_session.pk: 2, empty.pk: 0}


def test_admin_reflections_filter_by_visibility(admin_client_study, member):
    private = factories.JournalEntryFactory(author=member, visibility="private")
    factories.JournalEntryFactory(author=member)
    url = reverse("admin:study_reflection_changelist")
    response = admin_client_study.get(url, {"visibility__exact": "private"})
    assert [entry.pk for entry in response.context["cl"].result_list] == [private.pk]
    assert "visibility" in response.context["cl"].list_display
    assert "visibility" in [spec.title for spec in response.context["cl"].filter_specs]


def test_admin_member_page_shows_the_default_journal_visibility(admin_client_study, member):
    response = admin_client_study.get(reverse("admin:study_member_change", args=[member.pk]))
    assert 'name="default_journal_visibility"' in response.content.decode()


def test_admin_index_lists_the_study_group_first_and_login_attempts_last_in_korean(
    admin_client_study,
):
    response = admin_client_study.get("/admin/", HTTP_ACCEPT_LANGUAGE="ko")
    labels = [app["app_label"] for app in response.context["app_list"]]
    assert labels[0] == "study" and labels[-1] == "axes"
    axes = response.context["app_list"][-1]
    assert axes["name"] == "로그인 시도"
    assert [str(model["name"]) for model in axes["models"]] == [
        "접속 기록",
        "접속 시도",
        "접속 실패",
    ]


def test_admin_pages_link_the_icon(admin_client_study):
    assert (
        '<link rel="icon" href="/static/img/icon.svg" type="image/svg+xml">'
        in admin_client_study.get("/admin/").content.decode()
    )
