"""Private journal entries (나만 보기): their author reads them; for every
other member they exist nowhere, whichever viewer filled the fragment cache
first."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from sessions.models import Reflection
from sessions.views.participation import activity_by_member, member_totals
from tests import factories
from tests.editing import opened_form

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET_TITLE = "비밀 일지 제목"
SECRET_WORD = "비밀내용"
SECRET_TAG = "비밀태그"
SECRET_DAY = datetime.date(2025, 3, 9)


@pytest.fixture
def private_entry(presenter):
    return factories.JournalEntryFactory(
        author=presenter,
        title=SECRET_TITLE,
        date=SECRET_DAY,
        body=f"오늘은 {SECRET_WORD} 정리",
        tags=[factories.TagFactory(name=SECRET_TAG)],
        visibility=Reflection.Visibility.PRIVATE,
    )


@pytest.fixture
def shared_entry(presenter):
    return factories.JournalEntryFactory(
        author=presenter,
        title="공개 일지 제목",
        date=datetime.date(2025, 3, 4),
        body=f"함께 보는 {SECRET_WORD} 아닌 글",
        tags=[factories.TagFactory(name="공개태그")],
    )


@pytest.fixture
def entries(private_entry, shared_entry):
    return private_entry, shared_entry


def in_order(first, second, order):
    """The two clients in the order the test asks for (who fills the cache first)."""
    return (first, second) if order == "author first" else (second, first)


ORDERS = pytest.mark.parametrize("order", ["author first", "other first"])


# The queryset methods


def test_visible_to_gives_the_author_their_private_entries(entries, presenter, member):
    private, shared = entries
    journals = Reflection.objects.journals()
    assert set(journals.visible_to(presenter)) == {private, shared}
    assert list(journals.visible_to(member)) == [shared]
    assert list(journals.visible_to(None)) == [shared]
    assert list(journals.shared()) == [shared]
    assert list(journals.private()) == [private]


def test_a_session_reflection_cannot_be_private(member, study_session):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReflectionFactory(
            author=member, session=study_session, visibility=Reflection.Visibility.PRIVATE
        )


# Journal page, edit and delete


def test_private_entry_page_is_404_for_another_member(entries, member_client, presenter_client):
    private, _shared = entries
    url = reverse("study:journal-detail", args=[private.pk])
    assert member_client.get(url).status_code == 404
    response = presenter_client.get(url)
    assert response.status_code == 200
    assert f"<h1>{SECRET_TITLE}</h1>" in response.content.decode()
    assert '<span class="badge">Only me</span>' in response.content.decode()


@pytest.mark.parametrize("url_name", ["study:journal-edit", "study:journal-delete"])
def test_private_entry_edit_and_delete_are_404_for_another_member(entries, member_client, url_name):
    private, shared = entries
    assert member_client.get(reverse(url_name, args=[private.pk])).status_code == 404
    assert member_client.post(reverse(url_name, args=[private.pk])).status_code == 404
    # Someone else's shared entry is there, but not theirs to change.
    assert member_client.get(reverse(url_name, args=[shared.pk])).status_code == 403
    assert Reflection.objects.filter(pk=private.pk).exists()


# Journal list and tag list


def journal_list(client, author, tag=""):
    url = f"{reverse('study:journal-list')}?author={author.pk}" + (f"&tag={tag}" if tag else "")
    return client.get(url)


def listed_titles(response):
    return re.findall(
        r'<a class="journal-title" href="/journal/\d+/">([^<]*)</a>', response.content.decode()
    )


def tag_filter(response):
    """The tags of the journal's tag filter (not those under each entry)."""
    nav = re.search(r'<nav class="tags tag-filter".*?</nav>', response.content.decode(), re.S)[0]
    return re.findall(r'<a class="tag" href="[^"]*&amp;tag=[^"]*"[^>]*>#([^<]+)</a>', nav)


@ORDERS
def test_journal_list_shows_private_entries_to_their_author_only(
    entries, presenter, member_client, presenter_client, order
):
    for client in in_order(presenter_client, member_client, order):
        client.get(reverse("study:journal-list") + f"?author={presenter.pk}")
    theirs = journal_list(member_client, presenter)
    assert listed_titles(theirs) == ["공개 일지 제목"]
    assert theirs.context["page"].paginator.count == 1
    mine = journal_list(presenter_client, presenter)
    assert listed_titles(mine) == [SECRET_TITLE, "공개 일지 제목"]
    assert mine.context["page"].paginator.count == 2
    assert mine.content.decode().count('<span class="badge">Only me</span>') == 1
    # The author's own journal, without ?author=, is the same list.
    assert listed_titles(presenter_client.get(reverse("study:journal-list"))) == [
        SECRET_TITLE,
        "공개 일지 제목",
    ]


@ORDERS
def test_journal_tag_list_leaves_out_tags_of_private_entries_for_others(
    entries, presenter, member_client, presenter_client, order
):
    for client in in_order(presenter_client, member_client, order):
        journal_list(client, presenter)
    assert tag_filter(journal_list(member_client, presenter)) == ["공개태그"]
    assert tag_filter(journal_list(presenter_client, presenter)) == ["공개태그", SECRET_TAG]
    assert listed_titles(journal_list(member_client, presenter, SECRET_TAG)) == []
    assert listed_titles(journal_list(presenter_client, presenter, SECRET_TAG)) == [SECRET_TITLE]


# Search


def search_links(client, query, **parameters):
    response = client.get(reverse("study:search"), {"q": query, **parameters})
    sections = dict(
        re.findall(
            r'<section class="search-group" id="results-(\w+)">(.*?)</section>',
            response.content.decode(),
            re.S,
        )
    )
    return re.findall(r'<li>\s*<a href="([^"]+)">', sections.get("journals", ""))


@ORDERS
@pytest.mark.parametrize("parameters", [{}, {"kind": "journals"}])
def test_search_finds_private_entries_for_their_author_only(
    entries, member_client, presenter_client, order, parameters
):
    private, shared = entries
    for client in in_order(presenter_client, member_client, order):
        search_links(client, SECRET_WORD, **parameters)
    assert search_links(member_client, SECRET_WORD, **parameters) == [shared.get_absolute_url()]
    assert sorted(search_links(presenter_client, SECRET_WORD, **parameters)) == sorted(
        [private.get_absolute_url(), shared.get_absolute_url()]
    )
    assert search_links(member_client, f'"{SECRET_TITLE}"', **parameters) == []
    assert search_links(presenter_client, f'"{SECRET_TITLE}"', **parameters) == [
        private.get_absolute_url()
    ]


def test_search_results_are_one_copy_for_members_without_private_entries(
    entries, member_client, organizer_client, django_assert_num_queries
):
    member_client.get(reverse("study:search"), {"q": SECRET_WORD})
    # Versions, session and member: the results come from the
    # copy the first member's search left, who has no private entry either.
    with django_assert_num_queries(2):
        organizer_client.get(reverse("study:search"), {"q": SECRET_WORD})


# Feeds


def atom_titles(client, member):
    response = client.get(reverse("study:feed-activity", args=[member.activity_token]))
    return [
        entry.find(f"{ATOM}title").text
        for entry in ET.fromstring(response.content).iter(f"{ATOM}entry")
    ]


def test_activity_feed_lists_private_entries_for_their_author_only(
    entries, outsider_client, member, presenter
):
    assert atom_titles(outsider_client, member) == ["공개 일지 제목"]
    assert sorted(atom_titles(outsider_client, presenter)) == sorted(
        [SECRET_TITLE, "공개 일지 제목"]
    )


def test_activity_feed_has_no_text_of_any_entry(entries, outsider_client, presenter):
    response = outsider_client.get(reverse("study:feed-activity", args=[presenter.activity_token]))
    assert (SECRET_WORD in response.content.decode(), b"<summary" in response.content) == (
        False,
        False,
    )


def test_calendar_feed_shows_no_journal_entry(entries, outsider_client, presenter, member):
    factories.StudySessionFactory()
    for who in (presenter, member):
        body = outsider_client.get(
            reverse("study:feed-calendar", args=[who.calendar_token])
        ).content
        assert (SECRET_TITLE.encode() in body, "공개 일지 제목".encode() in body) == (False, False)


# Home, profile, participation


def test_home_shows_no_private_entry(entries, member_client, presenter_client):
    for client in (presenter_client, member_client):
        assert SECRET_TITLE not in client.get(reverse("study:home")).content.decode()


@ORDERS
def test_profile_shows_private_entries_to_their_author_only(
    entries, presenter, member_client, presenter_client, order
):
    url = presenter.get_absolute_url()
    for client in in_order(presenter_client, member_client, order):
        client.get(url)
    assert listed_titles(member_client.get(url)) == ["공개 일지 제목"]
    assert listed_titles(presenter_client.get(url)) == [SECRET_TITLE, "공개 일지 제목"]


def test_participation_counts_only_shared_entries(entries, presenter):
    totals = {member.pk: member.journal_count for member in member_totals()}
    assert totals[presenter.pk] == 1
    activity = activity_by_member(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert dict(activity[presenter.pk]) == {datetime.date(2025, 3, 4): 1}


def participation_row(client, member):
    content = client.get(reverse("study:participation"), {"year": 2025}).content.decode()
    row = re.search(rf'<tr id="totals-{member.pk}">(.*?)</tr>', content, re.S)[1]
    return re.findall(r"<td>(\d+)</td>", row), f'data-date="{SECRET_DAY.isoformat()}"' in content


@pytest.mark.parametrize("viewer", ["member", "author"])
def test_participation_page_leaves_private_entries_out_for_every_viewer(
    entries, presenter, member_client, presenter_client, viewer
):
    """The page is the group's shared record: the author's own view counts
    what the others see, so no one can tell a private entry from its count."""
    client = member_client if viewer == "member" else presenter_client
    counts, secret_day_shown = participation_row(client, presenter)
    # Talks, asked, received, answered, reflections, journal entries, attended.
    assert (counts, secret_day_shown) == (["0", "0", "0", "0", "0", "1", "0"], False)


# Writing: the profile's default and the radio buttons


def test_new_entry_form_starts_with_the_profile_default(member_client, member):
    member.default_journal_visibility = Reflection.Visibility.PRIVATE
    member.save(update_fields=["default_journal_visibility"])
    response = member_client.get(reverse("study:journal-create"))
    content = response.content.decode()
    assert response.context["form"]["visibility"].value() == "private"
    assert re.findall(
        r'<input type="radio" name="visibility" value="(\w+)"[^>]*?( checked)?>', content
    ) == [
        ("private", " checked"),
        ("members", ""),
    ]
    assert re.findall(
        r'<label for="id_visibility_\d">\s*<input[^>]*>\s*([^<]+?)\s*</label>', content
    ) == [
        "Only me",
        "Shared with members",
    ]


def test_new_entry_form_defaults_to_shared_for_a_member_who_never_chose(member_client):
    response = member_client.get(reverse("study:journal-create"))
    assert response.context["form"]["visibility"].value() == "members"


def test_new_entry_keeps_the_visibility_chosen(member_client, member):
    member_client.post(
        reverse("study:journal-create"),
        {"title": "나만", "date": "2025-03-01", "body": "본문", "visibility": "private"},
    )
    assert Reflection.objects.get().visibility == "private"


def test_new_entry_with_an_unknown_visibility_is_a_form_error(member_client):
    response = member_client.post(
        reverse("study:journal-create"),
        {"title": "나만", "date": "2025-03-01", "body": "본문", "visibility": "everyone"},
    )
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["visibility"])
    assert Reflection.objects.count() == 0


def test_edit_form_shows_the_entrys_visibility_not_the_profile_default(
    presenter_client, presenter, entries
):
    private, shared = entries
    presenter.default_journal_visibility = Reflection.Visibility.PRIVATE
    presenter.save(update_fields=["default_journal_visibility"])
    response = presenter_client.get(reverse("study:journal-edit", args=[shared.pk]))
    assert response.context["form"]["visibility"].value() == "members"


def test_editing_an_entry_can_make_it_private(presenter_client, entries, member_client):
    _private, shared = entries
    url = reverse("study:journal-edit", args=[shared.pk])
    presenter_client.post(url, {**opened_form(presenter_client, url), "visibility": "private"})
    shared.refresh_from_db()
    assert shared.visibility == "private"
    assert member_client.get(shared.get_absolute_url()).status_code == 404


def test_profile_form_sets_the_default_with_radio_buttons(member_client, member):
    content = member_client.get(reverse("study:profile-edit")).content.decode()
    assert re.findall(
        r'<input type="radio" name="default_journal_visibility" value="(\w+)"', content
    ) == [
        "private",
        "members",
    ]
    url = reverse("study:profile-edit")
    member_client.post(
        url, {**opened_form(member_client, url), "default_journal_visibility": "private"}
    )
    member.refresh_from_db()
    assert member.default_journal_visibility == "private"
    assert (
        member_client.get(reverse("study:journal-create")).context["form"]["visibility"].value()
        == "private"
    )
