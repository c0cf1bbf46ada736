"""The study journal: lists, entries, writing, editing, deleting, tags."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from sessions.models import Reflection, Tag
from tests import factories
from tests.editing import opened_form
from tests.views.test_members import HOSTILE_MARKDOWN, executable_parts

LIST_URL = "/journal/"


def entry_titles(html):
    """(pk, title) of the journal entries a page lists, in order."""
    return [
        (int(pk), title)
        for pk, title in re.findall(
            r'<a class="journal-title" href="/journal/(\d+)/">([^<]*)</a>', html
        )
    ]


def without_csrf(html):
    """The page with the CSRF tokens (masked anew for every response) cut out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


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
    content = member_client.get(LIST_URL).content.decode()
    assert "<h1>My journal</h1>" in content
    assert entry_titles(content) == [(mine.pk, "내 일지")]
    assert 'href="/journal/new/"' in content


def test_journal_list_shows_another_members_journal(member_client, presenter, entry):
    factories.JournalEntryFactory(author=factories.MemberFactory(), title="남의 일지")
    factories.ReflectionFactory(author=presenter)  # a session reflection is not a journal entry
    content = member_client.get(f"{LIST_URL}?author={presenter.pk}").content.decode()
    assert "<h1>🐼 강발표’s journal</h1>" in content
    assert f'<a href="/members/{presenter.pk}/">Profile</a>' in content
    assert entry_titles(content) == [(entry.pk, "역전파 복습")]
    assert 'href="/journal/new/"' not in content


def test_journal_list_filters_by_tag(member_client, presenter, entry):
    factories.JournalEntryFactory(author=presenter, title="태그 없음")
    content = member_client.get(f"{LIST_URL}?author={presenter.pk}&tag=복습").content.decode()
    assert entry_titles(content) == [(entry.pk, "역전파 복습")]
    assert re.findall(
        r'<a class="tag" href="[^"]+"( aria-current="page")?>#(\w+)</a>', content
    ) == [
        ("", "backprop"),
        (' aria-current="page"', "복습"),
        ("", "backprop"),  # the entry's own tags
        ("", "복습"),
    ]
    assert "Entries tagged #복습" in content


@pytest.mark.parametrize("author", ["999999", "abc"])
def test_journal_list_unknown_author_is_404(member_client, db, author):
    assert member_client.get(f"{LIST_URL}?author={author}").status_code == 404


def test_journal_list_is_paginated_keeping_filters(member_client, member):
    tag = factories.TagFactory(name="매일")
    factories.JournalEntryFactory.create_batch(21, author=member, tags=[tag])
    first = member_client.get(f"{LIST_URL}?tag=매일").content.decode()
    second = member_client.get(f"{LIST_URL}?tag=매일&page=2").content.decode()
    beyond = member_client.get(f"{LIST_URL}?tag=매일&page=7").content.decode()
    assert len(entry_titles(first)) == 20
    assert len(entry_titles(second)) == 1
    assert entry_titles(beyond) == entry_titles(second)
    assert 'href="?tag=%EB%A7%A4%EC%9D%BC&amp;page=2"' in first


@pytest.mark.parametrize("count", [1, 3, 20])
def test_journal_list_query_count(member_client, member, django_assert_num_queries, count):
    for _ in range(count):
        factories.JournalEntryFactory(
            author=member, tags=[factories.TagFactory(), factories.TagFactory()]
        )
    # versions, session, user, count, the author's tags, entries, their tags.
    with django_assert_num_queries(6):
        response = member_client.get(LIST_URL)
    content = response.content.decode()
    assert len(entry_titles(content)) == count
    # From the cache: versions, session, user
    with django_assert_num_queries(2):
        again = member_client.get(LIST_URL)
    assert without_csrf(again.content.decode()) == without_csrf(content)


def test_journal_list_of_another_member_query_count(
    member_client, presenter, entry, django_assert_num_queries
):
    url = f"{LIST_URL}?author={presenter.pk}"
    # versions, session, user, author, count, the author's tags, entries, their tags.
    with django_assert_num_queries(7):
        member_client.get(url)
    # From the cache: versions, session, user
    with django_assert_num_queries(2):
        member_client.get(url)


# The journal list caches its tags and entries (sessions/fragments.py).


def journal_page(client, query=""):
    return without_csrf(client.get(f"{LIST_URL}{query}").content.decode())


def test_journal_list_from_the_cache_matches_a_fresh_one_for_every_persona(
    entry, presenter, member, organizer_client, presenter_client, member_client
):
    """Whoever filled the cache first, each persona sees exactly the list a
    fresh render gives them: only the author is offered a new entry."""
    factories.JournalEntryFactory(author=presenter, title="태그 없음")
    factories.JournalEntryFactory(
        author=member, title="내 일지", tags=[factories.TagFactory(name="복습")]
    )
    clients = {
        "organizer": organizer_client,
        "presenter": presenter_client,
        "member": member_client,
    }
    queries = [f"?author={presenter.pk}", f"?author={presenter.pk}&tag=복습", "?tag=복습", ""]
    fresh = {}
    for name, client in clients.items():
        for query in queries:
            cache.clear()
            fresh[name, query] = journal_page(client, query)
    for order in (list(clients), list(reversed(clients))):
        cache.clear()
        seen = {
            (name, query): journal_page(clients[name], query) for name in order for query in queries
        }
        assert seen == fresh


def test_journal_lists_are_cached_each_for_their_own_author(
    entry, presenter, organizer, member_client
):
    theirs = factories.JournalEntryFactory(author=organizer, title="운영 일지")
    for _ in range(2):
        presenters = journal_page(member_client, f"?author={presenter.pk}")
        organizers = journal_page(member_client, f"?author={organizer.pk}")
        assert ("<h1>🐼 강발표’s journal</h1>" in presenters, entry_titles(presenters)) == (
            True,
            [(entry.pk, "역전파 복습")],
        )
        assert ("<h1>🦉 정운영’s journal</h1>" in organizers, entry_titles(organizers)) == (
            True,
            [(theirs.pk, "운영 일지")],
        )


def test_journal_list_offers_a_new_entry_only_on_my_own_journal(
    entry, presenter, presenter_client, member_client
):
    new_entry = 'href="/journal/new/"'
    assert new_entry in journal_page(presenter_client, f"?author={presenter.pk}")
    assert new_entry not in journal_page(member_client, f"?author={presenter.pk}")
    assert "No entries yet. Write your first one!" in journal_page(member_client)
    assert "No entries." in journal_page(member_client, f"?author={presenter.pk}&tag=없음")


def test_journal_list_shows_an_entry_written_after_it_was_cached(entry, presenter, member_client):
    query = f"?author={presenter.pk}"
    journal_page(member_client, query)
    later = factories.JournalEntryFactory(
        author=presenter,
        title="새 일지",
        date=datetime.date(2025, 3, 5),
        tags=[factories.TagFactory(name="새태그")],
    )
    content = journal_page(member_client, query)
    assert entry_titles(content) == [(later.pk, "새 일지"), (entry.pk, "역전파 복습")]
    assert "#새태그" in content


def test_journal_list_shows_an_author_renamed_after_it_was_cached(entry, presenter, member_client):
    journal_page(member_client, f"?author={presenter.pk}")
    presenter.display_name = "새이름"
    presenter.save(update_fields=["display_name"])
    assert "<h1>🐼 새이름’s journal</h1>" in journal_page(member_client, f"?author={presenter.pk}")


def test_journal_list_of_an_author_deactivated_after_it_was_cached_is_404(
    entry, presenter, member_client
):
    journal_page(member_client, f"?author={presenter.pk}")
    presenter.is_active = False
    presenter.save(update_fields=["is_active"])
    assert member_client.get(f"{LIST_URL}?author={presenter.pk}").status_code == 404


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
    assert (
        member_client.get(reverse("study:journal-detail", args=[reflection.pk])).status_code == 404
    )


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
    response = outsider_client.post(
        "/journal/new/", {"title": "x", "date": "2025-03-01", "body": "x"}
    )
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
        {
            "title": "첫 일지",
            "date": "2025-03-01",
            "body": "## 오늘",
            "tags": " 복습, 논문 ,복습,, ",
            "visibility": "members",
        },
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
    response = member_client.post(
        "/journal/new/", {"title": "", "date": "", "body": "본문", "visibility": "members"}
    )
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["date", "title"]
    assert Reflection.objects.count() == 0


def test_journal_create_rejects_too_long_tag(member_client, member):
    response = member_client.post(
        "/journal/new/",
        {
            "title": "t",
            "date": "2025-03-01",
            "body": "b",
            "tags": "x" * 51,
            "visibility": "members",
        },
    )
    assert list(response.context["form"].errors) == ["tags"]
    assert Reflection.objects.count() == 0
    assert Tag.objects.count() == 0


def test_journal_hostile_markdown_renders_nothing_executable(member_client, member):
    member_client.post(
        "/journal/new/",
        {
            "title": "<script>alert(1)</script>",
            "date": "2025-03-01",
            "body": HOSTILE_MARKDOWN,
            "visibility": "members",
        },
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
    data = opened_form(presenter_client, edit_url(entry))
    data.update(
        title="새 제목", date="2025-03-05", body="고침", tags="새태그", visibility="members"
    )
    response = presenter_client.post(edit_url(entry), data)
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
    response = client.post(
        edit_url(entry), {"title": "해킹", "date": "2025-03-05", "body": "x", "tags": ""}
    )
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


def test_journal_list_tag_with_a_nul_character_is_404(member_client, member):
    factories.JournalEntryFactory(author=member)
    response = member_client.get(reverse("study:journal-list"), {"tag": "a\x00b"})
    assert response.status_code == 404


def test_journal_list_pages_follow_an_entry_added_after_they_were_cached(member_client, member):
    from sessions.views.reflections import JOURNAL_ENTRIES_PER_PAGE

    factories.JournalEntryFactory.create_batch(JOURNAL_ENTRIES_PER_PAGE, author=member)
    url = reverse("study:journal-list")
    assert "Page 1 of" not in member_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    factories.JournalEntryFactory(author=member)
    page = member_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Page 1 of 2" in page
