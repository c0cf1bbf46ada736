"""Writing, editing and deleting my reflection (소감) on a session."""

import pytest
from django.urls import reverse

from sessions.models import Reflection
from tests import factories
from tests.editing import form_data, opened_form
from tests.factories import SEASON
from tests.views.test_members import HOSTILE_MARKDOWN, executable_parts


def edit_url(session):
    return reverse("study:reflection-edit", args=[SEASON, session.number])


def delete_url(reflection):
    return reverse("study:reflection-delete", args=[reflection.pk])


def test_reflection_edit_anonymous_is_sent_to_login(outsider_client, study_session):
    response = outsider_client.get(edit_url(study_session))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/seasons/2025/6/reflection/"


def test_reflection_edit_unknown_session_is_404(member_client, db):
    assert (
        member_client.get(reverse("study:reflection-edit", args=[SEASON, 404])).status_code == 404
    )


def test_reflection_edit_new_offers_templates_and_empty_editor(member_client, study_session):
    response = member_client.get(edit_url(study_session))
    assert response.status_code == 200
    assert response.context["is_new"] is True
    assert [key for key, _label, _text in response.context["templates"]] == ["free", "kpt", "4l"]
    content = response.content.decode()
    assert 'name="template" value="kpt"' in content and 'name="template" value="4l"' in content
    assert response.context["form"]["body"].value() in (None, "")


def test_reflection_edit_kpt_template_prefills_headings(member_client, study_session):
    response = member_client.get(
        edit_url(study_session) + "?template=kpt", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["form"]["body"].value() == "## Keep\n\n\n## Problem\n\n\n## Try\n\n"
    assert "## Keep" in response.content.decode()


def test_reflection_edit_4l_template_prefills_headings(member_client, study_session):
    response = member_client.get(
        edit_url(study_session) + "?template=4l", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["form"]["body"].value() == (
        "## Liked\n\n\n## Learned\n\n\n## Lacked\n\n\n## Longed for\n\n"
    )


def test_reflection_edit_unknown_template_leaves_editor_empty(member_client, study_session):
    response = member_client.get(edit_url(study_session) + "?template=nope")
    assert response.context["form"]["body"].value() in (None, "")


def test_reflection_edit_template_button_without_javascript_keeps_typed_text(
    member_client, study_session
):
    """The template button posts the text typed so far: the template comes
    below it, nothing is saved, and the text is never lost."""
    data = opened_form(member_client, edit_url(study_session))
    response = member_client.post(
        edit_url(study_session),
        {**data, "body": "오늘 배운 것", "template": "kpt"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"]["body"].value() == (
        "오늘 배운 것\n\n## Keep\n\n\n## Problem\n\n\n## Try\n\n"
    )
    assert response.context["form"].errors == {}
    assert Reflection.objects.count() == 0


def test_reflection_edit_template_button_fills_an_empty_editor(member_client, study_session):
    data = opened_form(member_client, edit_url(study_session))
    response = member_client.post(
        edit_url(study_session), {**data, "body": "  ", "template": "4l"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["form"]["body"].value().startswith("## Liked\n")
    assert Reflection.objects.count() == 0


def test_reflection_edit_template_button_keeps_the_opened_version(
    member_client, member, study_session
):
    """Adding a template to an existing reflection and then saving saves over
    the version the form was opened on (no false edit conflict)."""
    reflection = factories.ReflectionFactory(author=member, session=study_session, body="처음")
    data = opened_form(member_client, edit_url(study_session))
    response = member_client.post(
        edit_url(study_session), {**data, "body": "처음 고침", "template": "kpt"}
    )
    again = form_data(response.content.decode())
    assert again["version"] == data["version"]
    member_client.post(edit_url(study_session), again)
    reflection.refresh_from_db()
    assert reflection.body.startswith("처음 고침\n\n## Keep")


def test_reflection_edit_creates_my_reflection(member_client, member, study_session):
    response = member_client.post(edit_url(study_session), {"body": "**많이** 배웠다"})
    assert response.status_code == 302
    assert response["Location"] == "/seasons/2025/6/"
    reflection = Reflection.objects.get()
    assert (reflection.kind, reflection.author, reflection.session, reflection.body) == (
        Reflection.Kind.SESSION,
        member,
        study_session,
        "**많이** 배웠다",
    )
    assert reflection.body_html == "<p><strong>많이</strong> 배웠다</p>\n"
    page = member_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Your reflection was saved."]


def test_reflection_edit_updates_the_one_reflection(member_client, member, study_session):
    reflection = factories.ReflectionFactory(author=member, session=study_session, body="처음")
    response = member_client.get(edit_url(study_session) + "?template=kpt")
    # An existing reflection is never overwritten by a template.
    assert response.context["form"]["body"].value() == "처음"
    data = opened_form(member_client, edit_url(study_session))
    member_client.post(edit_url(study_session), {**data, "body": "고침"})
    assert Reflection.objects.count() == 1
    reflection.refresh_from_db()
    assert (reflection.body, reflection.body_html) == ("고침", "<p>고침</p>\n")


def test_reflection_edit_leaves_others_reflections_alone(
    member_client, member, presenter, study_session
):
    theirs = factories.ReflectionFactory(author=presenter, session=study_session, body="남의 글")
    member_client.post(edit_url(study_session), {"body": "내 글"})
    theirs.refresh_from_db()
    assert theirs.body == "남의 글"
    assert Reflection.objects.get(author=member).body == "내 글"


def test_reflection_edit_empty_body_is_a_form_error(member_client, study_session):
    response = member_client.post(edit_url(study_session), {"body": "  "})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["body"]
    assert Reflection.objects.count() == 0


@pytest.mark.parametrize("template", ["kpt", "4l"])
@pytest.mark.parametrize("language", ["en", "ko"])
def test_reflection_edit_template_headings_alone_are_a_form_error(
    member_client, study_session, template, language
):
    body = (
        member_client.get(
            edit_url(study_session) + f"?template={template}", HTTP_ACCEPT_LANGUAGE=language
        )
        .context["form"]["body"]
        .value()
    )
    response = member_client.post(
        edit_url(study_session), {"body": body}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    assert response.context["form"].errors["body"] == [
        {
            "en": "Write something under the headings: the template's headings alone are not a reflection.",
            "ko": "제목 아래에 내용을 적어 주세요. 템플릿의 제목만으로는 소감이 되지 않습니다.",
        }[language]
    ]
    assert Reflection.objects.count() == 0


def test_reflection_edit_template_with_text_under_a_heading_is_saved(member_client, study_session):
    response = member_client.post(
        edit_url(study_session), {"body": "## Keep\n\n매주 읽기\n\n## Problem\n\n"}
    )
    assert response.status_code == 302
    assert Reflection.objects.get().body.startswith("## Keep")


def test_reflection_hostile_markdown_renders_nothing_executable(
    member_client, member, study_session
):
    member_client.post(edit_url(study_session), {"body": HOSTILE_MARKDOWN})
    reflection = Reflection.objects.get()
    assert reflection.body == HOSTILE_MARKDOWN
    for url in (f"/seasons/2025/{study_session.number}/", f"/members/{member.pk}/"):
        content = member_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert executable_parts(content) == []


# Deleting


@pytest.fixture
def reflection(presenter, study_session):
    return factories.ReflectionFactory(author=presenter, session=study_session, body="좋았다")


def test_reflection_delete_anonymous_is_sent_to_login(outsider_client, reflection):
    response = outsider_client.post(delete_url(reflection))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={delete_url(reflection)}"
    assert Reflection.objects.filter(pk=reflection.pk).exists()


def test_reflection_delete_author_sees_confirmation(presenter_client, reflection):
    response = presenter_client.get(delete_url(reflection))
    assert response.status_code == 200
    assert response.context["reflection"] == reflection
    assert "<p>좋았다</p>" in response.content.decode()
    assert Reflection.objects.filter(pk=reflection.pk).exists()


def test_reflection_delete_author_deletes(presenter_client, reflection):
    response = presenter_client.post(delete_url(reflection))
    assert response.status_code == 302
    assert response["Location"] == "/seasons/2025/6/"
    assert not Reflection.objects.filter(pk=reflection.pk).exists()
    page = presenter_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Your reflection was deleted."]


@pytest.mark.parametrize("client_name", ["member_client", "organizer_client"])
def test_reflection_delete_by_someone_else_is_forbidden(request, client_name, reflection):
    client = request.getfixturevalue(client_name)
    assert client.get(delete_url(reflection)).status_code == 403
    response = client.post(delete_url(reflection))
    assert response.status_code == 403
    assert Reflection.objects.filter(pk=reflection.pk).exists()


def test_reflection_delete_journal_entry_pk_is_404(member_client, member):
    entry = factories.JournalEntryFactory(author=member)
    assert member_client.post(delete_url(entry)).status_code == 404
    assert Reflection.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("count", [1, 3])
def test_reflection_edit_query_count(
    member_client, member, study_session, django_assert_num_queries, count
):
    factories.ReflectionFactory.create_batch(count, session=study_session)
    factories.ReflectionFactory(author=member, session=study_session)
    # session, user, the study session, my reflection
    with django_assert_num_queries(4):
        response = member_client.get(edit_url(study_session))
    assert response.context["is_new"] is False
