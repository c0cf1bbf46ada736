"""Member directory, profiles and profile editing."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests import factories
from tests.editing import opened_form

HOSTILE_MARKDOWN = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"


class _ExecutableFinder(HTMLParser):
    """Collects everything in a page that a browser could run."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith(("javascript:", "data:text", "vbscript:")):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            self._in_script = True
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append(f"<script src={src!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def executable_parts(html):
    """Scripts, event handlers and javascript: links in `html` (empty when safe)."""
    finder = _ExecutableFinder()
    finder.feed(html)
    return finder.found


def profile_url(member):
    return reverse("study:member-detail", args=[member.pk])


def without_csrf(html):
    """The page with the CSRF tokens (masked anew for every response) cut out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# Directory


def test_member_list_anonymous_is_sent_to_login(outsider_client):
    response = outsider_client.get(reverse("study:member-list"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/members/"


def test_member_list_shows_every_member_with_emoji(member_client, member, organizer):
    response = member_client.get(reverse("study:member-list"))
    assert response.status_code == 200
    # By display name: 정운영 sorts before 조회원.
    assert list(response.context["members"]) == [organizer, member]
    content = response.content.decode()
    assert f'href="{profile_url(member)}"' in content
    assert "🦉" in content and "정운영" in content


@pytest.fixture
def uninvited(db):
    member = factories.MemberFactory(username="newbie", display_name="신입생", email="")
    member.set_unusable_password()
    member.save(update_fields=["password"])
    return member


def test_member_list_organizer_sees_invite_button_for_uninvited(
    organizer_client, uninvited, member
):
    content = organizer_client.get(reverse("study:member-list")).content.decode()
    assert content.count('action="/members/') == 1
    assert f'action="{reverse("study:member-invite", args=[uninvited.pk])}"' in content


def test_member_list_member_sees_no_invite_button(member_client, uninvited):
    content = member_client.get(reverse("study:member-list")).content.decode()
    assert reverse("study:member-invite", args=[uninvited.pk]) not in content
    assert '<span class="badge badge-warning">' in content


def test_member_list_is_paginated(member_client, member):
    factories.MemberFactory.create_batch(50)
    first = member_client.get(reverse("study:member-list"))
    second = member_client.get(reverse("study:member-list") + "?page=2")
    assert len(first.context["members"]) == 50
    assert len(second.context["members"]) == 1
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.parametrize("count", [1, 3, 20])
def test_member_list_query_count(member_client, member, django_assert_num_queries, count):
    others = factories.MemberFactory.create_batch(count)
    for other in others[::2]:
        other.set_unusable_password()
        other.save(update_fields=["password"])
    with django_assert_num_queries(4):
        response = member_client.get(reverse("study:member-list"))
    assert len(response.context["members"]) == count + 1


# Profile


@pytest.fixture
def busy_profile(presenter, member, talk):
    """The presenter gave a talk, got a question from `member`, wrote a reflection and a journal."""
    question = factories.QuestionFactory(
        presentation=talk, addressed_to=presenter, asked_by=member, body="왜 **스케일링** 하나요?"
    )
    factories.AnswerFactory(question=question, author=presenter)
    factories.ReflectionFactory(author=presenter, session=talk.session, body="발표 *재밌었다*")
    factories.JournalEntryFactory(
        author=presenter, title="어텐션 복습", tags=[factories.TagFactory(name="복습")]
    )
    return presenter


def test_member_detail_anonymous_is_sent_to_login(outsider_client, member):
    response = outsider_client.get(profile_url(member))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={profile_url(member)}"


def test_member_detail_unknown_member_is_404(member_client):
    assert member_client.get(reverse("study:member-detail", args=[999999])).status_code == 404


def test_member_detail_shows_talks_questions_reflections_journal(member_client, busy_profile, talk):
    response = member_client.get(profile_url(busy_profile))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<a href="/talks/{talk.pk}/">셀프 어텐션</a>' in content
    assert "<p>왜 <strong>스케일링</strong> 하나요?</p>" in content
    assert "asked by 🐱 조회원" in content
    assert content.count("answered") == 1
    assert "No questions asked yet." in content
    assert "<p>발표 <em>재밌었다</em></p>" in content
    assert '">어텐션 복습</a>' in content
    assert "#복습" in content
    assert "논문 읽기를 좋아합니다." in content  # the bio
    assert "🐼" in content


def test_member_detail_lists_questions_the_member_asked(member_client, busy_profile, member):
    content = member_client.get(profile_url(member)).content.decode()
    assert "<p>왜 <strong>스케일링</strong> 하나요?</p>" in content
    assert "to 🐼 강발표" in content
    assert "No questions received yet." in content


def test_member_detail_sections_are_bounded_with_more_link(member_client, presenter):
    factories.JournalEntryFactory.create_batch(7, author=presenter)
    content = member_client.get(profile_url(presenter)).content.decode()
    assert content.count('class="journal-item"') == 5
    assert f'<a href="/journal/?author={presenter.pk}">All of 강발표’s journal</a>' in content


def test_member_detail_own_profile_has_edit_links(member_client, member):
    content = member_client.get(profile_url(member)).content.decode()
    assert 'href="/members/me/edit/"' in content
    assert 'href="/accounts/password_change/"' in content


def test_member_detail_others_profile_has_no_edit_links(member_client, presenter):
    content = member_client.get(profile_url(presenter)).content.decode()
    assert 'href="/members/me/edit/"' not in content


def test_member_detail_email_shown_to_organizer_not_to_members(
    member_client, organizer_client, presenter
):
    assert "presenter@example.org" not in member_client.get(profile_url(presenter)).content.decode()
    assert "presenter@example.org" in organizer_client.get(profile_url(presenter)).content.decode()


def test_member_detail_invite_button_only_for_organizers(
    member_client, organizer_client, uninvited
):
    invite = f'action="{reverse("study:member-invite", args=[uninvited.pk])}"'
    assert invite in organizer_client.get(profile_url(uninvited)).content.decode()
    assert invite not in member_client.get(profile_url(uninvited)).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_member_detail_query_count(
    member_client, presenter, member, django_assert_num_queries, count
):
    for _ in range(count):
        session = factories.StudySessionFactory()
        talk = factories.PresentationFactory(session=session, presenters=[presenter, member])
        question = factories.QuestionFactory(
            presentation=talk, addressed_to=presenter, asked_by=member
        )
        factories.AnswerFactory(question=question, author=presenter)
        factories.QuestionFactory(presentation=talk, addressed_to=member, asked_by=presenter)
        factories.ReflectionFactory(author=presenter, session=session)
        factories.JournalEntryFactory(
            author=presenter, tags=[factories.TagFactory(), factories.TagFactory()]
        )
    # versions, session, user, member, talks + presenters, questions received,
    # questions asked, reflections and journal entries + tags, next talk slot
    with django_assert_num_queries(10):
        response = member_client.get(profile_url(presenter))
    content = response.content.decode()
    assert content.count('<span class="muted">· <a href="/seasons/') == count
    # From the cache: versions, session, user
    with django_assert_num_queries(2):
        again = member_client.get(profile_url(presenter))
    assert without_csrf(again.content.decode()) == without_csrf(content)


def test_member_profile_shows_the_latest_questions_received_and_asked_each_bounded(
    member_client, member, presenter
):
    from sessions.views.members import PROFILE_SECTION_SIZE

    received = [
        factories.QuestionFactory(
            presentation=factories.PresentationFactory(
                session=factories.StudySessionFactory(
                    date=datetime.date(2025, 3, 1) + datetime.timedelta(days=day)
                )
            ),
            addressed_to=presenter,
            asked_by=member,
            body=f"받은 질문 {day}",
        )
        for day in range(PROFILE_SECTION_SIZE + 1)
    ]
    factories.QuestionFactory(
        presentation=received[0].presentation, asked_by=presenter, body="내가 한 질문"
    )
    content = member_client.get(profile_url(presenter)).content.decode()
    received_part, asked_part = content.split('id="asked-heading"')
    shown = re.findall(r"받은 질문 (\d+)", received_part)
    assert shown == [str(day) for day in range(PROFILE_SECTION_SIZE, 0, -1)]
    assert received_part.count("Only the latest are shown.") == 1
    assert re.findall(
        r"받은 질문|내가 한 질문", asked_part.split('id="reflections-heading"')[0]
    ) == ["내가 한 질문"]
    assert "No questions asked yet." not in content


def test_member_profile_writing_sections_are_the_latest_of_each_kind_as_the_viewer_may_read(
    member, presenter
):
    from sessions.models import Reflection
    from sessions.views.members import PROFILE_SECTION_SIZE, profile_sections

    start = datetime.date(2025, 3, 1)
    for day in range(PROFILE_SECTION_SIZE + 2):
        factories.ReflectionFactory(
            author=presenter,
            session=factories.StudySessionFactory(date=start + datetime.timedelta(days=day)),
        )
    for day in range(PROFILE_SECTION_SIZE + 1):
        factories.JournalEntryFactory(
            author=presenter, date=start + datetime.timedelta(days=day), title=f"일지 {day}"
        )
    factories.JournalEntryFactory(
        author=presenter,
        date=start + datetime.timedelta(days=30),
        title="비공개",
        visibility=Reflection.Visibility.PRIVATE,
    )
    factories.ReflectionFactory(author=member)
    factories.JournalEntryFactory(author=member)

    def sections(viewer):
        context = profile_sections(presenter, viewer)
        return (
            [item.session.date.day for item in context["reflections"]],
            context["more_reflections"],
            [item.title for item in context["journal"]],
            context["more_journal"],
        )

    days = [7, 6, 5, 4, 3]
    assert sections(member) == (
        days,
        True,
        ["일지 5", "일지 4", "일지 3", "일지 2", "일지 1"],
        True,
    )
    assert sections(presenter) == (
        days,
        True,
        ["비공개", "일지 5", "일지 4", "일지 3", "일지 2"],
        True,
    )


def test_member_profile_writing_sections_without_more_have_no_more_flags(member, presenter):
    from sessions.views.members import profile_sections

    factories.ReflectionFactory(author=presenter)
    factories.JournalEntryFactory(author=presenter, title="하나")
    context = profile_sections(presenter, member)
    assert (
        len(context["reflections"]),
        context["more_reflections"],
        [item.title for item in context["journal"]],
        context["more_journal"],
    ) == (1, False, ["하나"], False)


# The profile caches the member and their sections (sessions/fragments.py).


def profile_page(client, member):
    return without_csrf(client.get(profile_url(member)).content.decode())


def test_member_profile_from_the_cache_matches_a_fresh_one_for_every_persona(
    busy_profile, organizer_client, presenter_client, member_client
):
    """Whoever filled the cache first, each persona sees exactly the profile a
    fresh render gives them: no email, button or feed address leaks."""
    clients = {
        "organizer": organizer_client,
        "presenter": presenter_client,
        "member": member_client,
    }
    fresh = {}
    for name, client in clients.items():
        cache.clear()
        fresh[name] = profile_page(client, busy_profile)
    for order in (list(clients), list(reversed(clients))):
        cache.clear()
        seen = {name: profile_page(clients[name], busy_profile) for name in order}
        assert seen == fresh


def test_member_profiles_are_cached_each_for_their_own_member(busy_profile, member, member_client):
    for _ in range(2):
        presenters, members = (
            profile_page(member_client, busy_profile),
            profile_page(member_client, member),
        )
        assert ("<h1>강발표</h1>" in presenters, "<p>발표 <em>재밌었다</em></p>" in presenters) == (
            True,
            True,
        )
        assert ("<h1>조회원</h1>" in members, "<p>발표 <em>재밌었다</em></p>" in members) == (
            True,
            False,
        )


def test_member_profile_shows_private_parts_only_to_their_viewers(
    busy_profile, organizer_client, presenter_client, member_client
):
    parts = [
        "presenter@example.org",
        'href="/members/me/edit/"',
        f"/feeds/{busy_profile.calendar_token}/",
        f"/feeds/{busy_profile.activity_token}/",
    ]
    pages = {
        "member": profile_page(member_client, busy_profile),
        "organizer": profile_page(organizer_client, busy_profile),
        "presenter": profile_page(presenter_client, busy_profile),
    }
    assert {name: [part in page for part in parts] for name, page in pages.items()} == {
        "member": [False, False, False, False],
        "organizer": [True, False, False, False],
        "presenter": [True, True, True, True],
    }


def test_member_profile_invite_button_follows_the_cached_member(organizer_client, uninvited):
    invite = f'action="{reverse("study:member-invite", args=[uninvited.pk])}"'
    assert invite in profile_page(organizer_client, uninvited)
    uninvited.set_password("correct horse battery staple")
    uninvited.save(update_fields=["password"])
    page = profile_page(organizer_client, uninvited)
    assert invite not in page
    assert "Not invited yet" not in page


def test_member_profile_shows_a_rename_after_it_was_cached(
    busy_profile, talk, member, member_client
):
    profile_page(member_client, busy_profile)
    member.display_name = "새이름"
    member.save(update_fields=["display_name"])
    busy_profile.display_name = "발표왕"
    busy_profile.save(update_fields=["display_name"])
    page = profile_page(member_client, busy_profile)
    assert "<h1>발표왕</h1>" in page
    assert "asked by 🐱 새이름" in page


def test_member_profile_shows_writing_added_after_it_was_cached(busy_profile, member_client):
    profile_page(member_client, busy_profile)
    talk = factories.PresentationFactory(topic="새 발표", presenters=[busy_profile])
    factories.JournalEntryFactory(author=busy_profile, title="새 일지")
    page = profile_page(member_client, busy_profile)
    assert f'<a href="/talks/{talk.pk}/">새 발표</a>' in page
    assert '">새 일지</a>' in page


def test_member_profile_of_a_member_deactivated_after_it_was_cached_is_404(
    member_client, presenter
):
    profile_page(member_client, presenter)
    presenter.is_active = False
    presenter.save(update_fields=["is_active"])
    assert member_client.get(profile_url(presenter)).status_code == 404


# Editing my profile


def test_profile_edit_anonymous_is_sent_to_login(outsider_client):
    response = outsider_client.get(reverse("study:profile-edit"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/members/me/edit/"


def test_profile_edit_form_shows_my_values(member_client, member):
    response = member_client.get(reverse("study:profile-edit"))
    assert response.status_code == 200
    assert response.context["form"].instance == member
    content = response.content.decode()
    assert 'value="조회원"' in content
    assert 'class="markdownx-editor' in content
    assert "/static/markdownx/js/markdownx" in content


def test_profile_edit_saves_my_profile(member_client, member):
    data = opened_form(member_client, reverse("study:profile-edit"))
    data.update(
        display_name="조새이름",
        emoji="🦝",
        bio="**안녕**",
        email="new@example.org",
        default_journal_visibility="private",
    )
    response = member_client.post(reverse("study:profile-edit"), data)
    assert response.status_code == 302
    assert response["Location"] == profile_url(member)
    member.refresh_from_db()
    assert (
        member.display_name,
        member.emoji,
        member.bio,
        member.email,
        member.default_journal_visibility,
    ) == ("조새이름", "🦝", "**안녕**", "new@example.org", "private")
    assert member.bio_html == "<p><strong>안녕</strong></p>\n"
    page = member_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Your profile was saved."]


def test_profile_edit_changes_only_the_logged_in_member(organizer_client, organizer, member):
    data = opened_form(organizer_client, reverse("study:profile-edit"))
    data.update(
        display_name="운영자",
        emoji="",
        bio="",
        email="o@example.org",
        default_journal_visibility="members",
    )
    organizer_client.post(reverse("study:profile-edit"), data)
    member.refresh_from_db()
    organizer.refresh_from_db()
    assert organizer.display_name == "운영자"
    assert member.display_name == "조회원"


def test_profile_edit_taken_display_name_is_a_form_error(member_client, member, presenter):
    response = member_client.post(
        reverse("study:profile-edit"),
        {
            "display_name": "강발표",
            "emoji": "",
            "bio": "",
            "email": "",
            "default_journal_visibility": "members",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["display_name"]
    member.refresh_from_db()
    assert member.display_name == "조회원"
    # The navigation still shows who is logged in, not the rejected name.
    assert response.context["user"].display_name == "조회원"


def test_profile_edit_hostile_bio_renders_nothing_executable(member_client, member):
    data = opened_form(member_client, reverse("study:profile-edit"))
    data.update(
        display_name="조회원",
        emoji="",
        bio=HOSTILE_MARKDOWN,
        email="",
        default_journal_visibility="members",
    )
    member_client.post(reverse("study:profile-edit"), data)
    member.refresh_from_db()
    assert member.bio == HOSTILE_MARKDOWN
    content = member_client.get(profile_url(member)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert executable_parts(content) == []
