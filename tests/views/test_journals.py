"""The study journal: lists, entries, writing, editing, deleting, tags."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Reflection, Tag
from tests import factories
from tests.views.test_members import HOSTILE_MARKDOWN, executable_parts


LIST_URL = "/journal/"


def detail_url(entry):
    return reverse("study:journal-detail", args=[entry.pk])


@pytest.fixture
def entry(presenter):
    return factories.JournalEntryFactory(
        author=presenter,
        title="역전파 복습",
        date=datetime.date(2025, 3, 4),
        body="오늘은 *연쇄 법칙*",
        tags=[factories.TagFactory(name="복습"), factories.TagFactory(name="backprop")],
    )


# List


def test_journal_list_anonymous_is_sent_to_login(outsider_client):
    response = outsider_client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/journal/"


def test_journal_list_shows_mine_by_default(member_client, member, entry):
    mine = factories.JournalEntryFactory(author=member, title="내 일지")
    response = member_client.get(LIST_URL)
    assert response.context["author"] == member
    assert list(response.context["entries"]) == [mine]
    assert 'href="/journal/new/"' in response.content.decode()


def test_journal_list_shows_another_members_journal(member_client, presenter, entry):
    factories.JournalEntryFactory(author=factories.MemberFactory(), title="남의 일지")
    factories.ReflectionFactory(author=presenter)  # a session reflection is not a journal entry
    response = member_client.get(f"{LIST_URL}?author={presenter.pk}")
    assert response.context["author"] == presenter
    assert list(response.context["entries"]) == [entry]
    content = response.content.decode()
    assert "역전파 복습" in content
    assert 'href="/journal/new/"' not in content


def test_journal_list_filters_by_tag(member_client, presenter, entry):
    factories.JournalEntryFactory(author=presenter, title="태그 없음")
    response = member_client.get(f"{LIST_URL}?author={presenter.pk}&tag=복습")
    assert list(response.context["entries"]) == [entry]
    assert [tag.name for tag in response.context["tags"]] == ["backprop", "복습"]


@pytest.mark.parametrize("author", ["999999", "abc"])
def test_journal_list_unknown_author_is_404(member_client, db, author):
    assert member_client.get(f"{LIST_URL}?author={author}").status_code == 404


def test_journal_list_is_paginated_keeping_filters(member_client, member):
    tag = factories.TagFactory(name="매일")
    factories.JournalEntryFactory.create_batch(21, author=member, tags=[tag])
    first = member_client.get(f"{LIST_URL}?tag=매일")
    second = member_client.get(f"{LIST_URL}?tag=매일&page=2")
    assert len(first.context["entries"]) == 20
    assert len(second.context["entries"]) == 1
    assert 'href="?tag=%EB%A7%A4%EC%9D%BC&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("count", [1, 3, 20])
def test_journal_list_query_count(member_client, member, django_assert_num_queries, count):
    for _ in range(count):
        factories.JournalEntryFactory(author=member, tags=[factories.TagFactory(), factories.TagFactory()])
    # session, user, count, entries, their tags, the author's tags
    with django_assert_num_queries(6):
        response = member_client.get(LIST_URL)
    assert len(response.context["entries"]) == count


# Detail


def test_journal_detail_anonymous_is_sent_to_login(outsider_client, entry):
    response = outsider_client.get(detail_url(entry))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={detail_url(entry)}"


def test_journal_detail_shows_entry_to_any_member(member_client, entry):
    response = member_client.get(detail_url(entry))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>역전파 복습</h1>" in content
    assert "<p>오늘은 <em>연쇄 법칙</em></p>" in content
    assert "#복습" in content and "#backprop" in content
    assert 'datetime="2025-03-04"' in content
    assert reverse("study:journal-edit", args=[entry.pk]) not in content


def test_journal_detail_author_sees_edit_and_delete(presenter_client, entry):
    content = presenter_client.get(detail_url(entry)).content.decode()
    assert f'href="{reverse("study:journal-edit", args=[entry.pk])}"' in content
    assert f'href="{reverse("study:journal-delete", args=[entry.pk])}"' in content


def test_journal_detail_session_reflection_is_404(member_client, member):
    reflection = factories.ReflectionFactory(author=member)
    assert member_client.get(reverse("study:journal-detail", args=[reflection.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 3, 20])
def test_journal_detail_query_count(member_client, presenter, django_assert_num_queries, count):
    entry = factories.JournalEntryFactory(
        author=presenter, tags=factories.TagFactory.create_batch(count)
    )
    # session, user, entry with author, tags
    with django_assert_num_queries(4):
        response = member_client.get(detail_url(entry))
    assert len(response.context["entry"].tags.all()) == count


# Create


def test_journal_create_anonymous_is_sent_to_login(outsider_client, db):
    response = outsider_client.post("/journal/new/", {"title": "x", "date": "2025-03-01", "body": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/journal/new/"
    assert Reflection.objects.count() == 0


def test_journal_create_form_defaults_to_today(member_client, member):
    response = member_client.get("/journal/new/")
    assert response.status_code == 200
    assert response.context["form"]["date"].value() == timezone.localdate()
    assert 'class="markdownx-editor' in response.content.decode()


def test_journal_create_saves_entry_and_tags(member_client, member):
    factories.TagFactory(name="복습")
    response = member_client.post(
        "/journal/new/",
        {"title": "첫 일지", "date": "2025-03-01", "body": "## 오늘", "tags": " 복습, 논문 ,복습,, "},
    )
    entry = Reflection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(entry)
    assert (entry.kind, entry.author, entry.session, entry.title, entry.date, entry.body) == (
        Reflection.Kind.JOURNAL,
        member,
        None,
        "첫 일지",
        datetime.date(2025, 3, 1),
        "## 오늘",
    )
    assert entry.body_html == "<h2>오늘</h2>\n"
    assert sorted(tag.name for tag in entry.tags.all()) == ["논문", "복습"]
    assert Tag.objects.count() == 2
    page = member_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Your journal entry was saved."]


def test_journal_create_requires_title_and_date(member_client, member):
    response = member_client.post("/journal/new/", {"title": "", "date": "", "body": "본문"})
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["date", "title"]
    assert Reflection.objects.count() == 0


def test_journal_create_rejects_too_long_tag(member_client, member):
    response = member_client.post(
        "/journal/new/", {"title": "t", "date": "2025-03-01", "body": "b", "tags": "x" * 51}
    )
    assert list(response.context["form"].errors) == ["tags"]
    assert Reflection.objects.count() == 0
    assert Tag.objects.count() == 0


def test_journal_hostile_markdown_renders_nothing_executable(member_client, member):
    member_client.post(
        "/journal/new/", {"title": "<script>alert(1)</script>", "date": "2025-03-01", "body": HOSTILE_MARKDOWN}
    )
    entry = Reflection.objects.get()
    assert entry.body == HOSTILE_MARKDOWN
    for url in (detail_url(entry), LIST_URL, f"/members/{member.pk}/"):
        content = member_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert executable_parts(content) == []


# Edit


def edit_url(entry):
    return reverse("study:journal-edit", args=[entry.pk])


def test_journal_edit_form_shows_tags_as_text(presenter_client, entry):
    response = presenter_client.get(edit_url(entry))
    assert response.context["form"]["tags"].value() == "backprop, 복습"


def test_journal_edit_author_changes_entry_and_tags(presenter_client, entry):
    response = presenter_client.post(
        edit_url(entry), {"title": "새 제목", "date": "2025-03-05", "body": "고침", "tags": "새태그"}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(entry)
    entry.refresh_from_db()
    assert (entry.title, entry.date, entry.body, entry.body_html) == (
        "새 제목",
        datetime.date(2025, 3, 5),
        "고침",
        "<p>고침</p>\n",
    )
    assert [tag.name for tag in entry.tags.all()] == ["새태그"]
    page = presenter_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Your journal entry was updated."]


@pytest.mark.parametrize("client_name", ["member_client", "organizer_client"])
def test_journal_edit_by_someone_else_is_forbidden(request, client_name, entry):
    client = request.getfixturevalue(client_name)
    assert client.get(edit_url(entry)).status_code == 403
    response = client.post(edit_url(entry), {"title": "해킹", "date": "2025-03-05", "body": "x", "tags": ""})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.title, entry.body) == ("역전파 복습", "오늘은 *연쇄 법칙*")
    assert entry.tags.count() == 2


def test_journal_edit_anonymous_is_sent_to_login(outsider_client, entry):
    response = outsider_client.post(edit_url(entry), {"title": "x"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "역전파 복습"


def test_journal_edit_unknown_entry_is_404(member_client, db):
    assert member_client.get(reverse("study:journal-edit", args=[999999])).status_code == 404


# Delete


def delete_url(entry):
    return reverse("study:journal-delete", args=[entry.pk])


def test_journal_delete_author_deletes(presenter_client, entry):
    assert presenter_client.get(delete_url(entry)).status_code == 200
    response = presenter_client.post(delete_url(entry))
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert not Reflection.objects.filter(pk=entry.pk).exists()
    # Tags stay for other entries.
    assert Tag.objects.count() == 2


@pytest.mark.parametrize("client_name", ["member_client", "organizer_client"])
def test_journal_delete_by_someone_else_is_forbidden(request, client_name, entry):
    client = request.getfixturevalue(client_name)
    response = client.post(delete_url(entry))
    assert response.status_code == 403
    assert Reflection.objects.filter(pk=entry.pk).exists()


def test_journal_delete_anonymous_is_sent_to_login(outsider_client, entry):
    response = outsider_client.post(delete_url(entry))
    assert response.status_code == 302
    assert Reflection.objects.filter(pk=entry.pk).exists()
