"""Member directory, profiles and profile editing."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests import factories

HOSTILE_MARKDOWN = (
    "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"
)


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
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:text", "vbscript:")
            ):
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


def test_member_list_organizer_sees_invite_button_for_uninvited(organizer_client, uninvited, member):
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
    assert response.context["talks"] == [talk]
    assert [q.body for q in response.context["received"]] == ["왜 **스케일링** 하나요?"]
    assert response.context["asked"] == []
    assert [r.body for r in response.context["reflections"]] == ["발표 *재밌었다*"]
    assert [j.title for j in response.context["journal"]] == ["어텐션 복습"]
    content = response.content.decode()
    assert "<p>발표 <em>재밌었다</em></p>" in content
    assert "<p>왜 <strong>스케일링</strong> 하나요?</p>" in content
    assert "#복습" in content
    assert "논문 읽기를 좋아합니다." in content  # the bio
    assert "🐼" in content


def test_member_detail_lists_questions_the_member_asked(member_client, busy_profile, member):
    response = member_client.get(profile_url(member))
    assert [q.body for q in response.context["asked"]] == ["왜 **스케일링** 하나요?"]
    assert response.context["received"] == []


def test_member_detail_sections_are_bounded_with_more_link(member_client, presenter):
    factories.JournalEntryFactory.create_batch(7, author=presenter)
    response = member_client.get(profile_url(presenter))
    assert len(response.context["journal"]) == 5
    assert response.context["more_journal"] is True
    assert f'href="/journal/?author={presenter.pk}"' in response.content.decode()


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


def test_member_detail_invite_button_only_for_organizers(member_client, organizer_client, uninvited):
    invite = f'action="{reverse("study:member-invite", args=[uninvited.pk])}"'
    assert invite in organizer_client.get(profile_url(uninvited)).content.decode()
    assert invite not in member_client.get(profile_url(uninvited)).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_member_detail_query_count(member_client, presenter, member, django_assert_num_queries, count):
    for _ in range(count):
        session = factories.StudySessionFactory()
        talk = factories.PresentationFactory(session=session, presenters=[presenter, member])
        question = factories.QuestionFactory(presentation=talk, addressed_to=presenter, asked_by=member)
        factories.AnswerFactory(question=question, author=presenter)
        factories.QuestionFactory(presentation=talk, addressed_to=member, asked_by=presenter)
        factories.ReflectionFactory(author=presenter, session=session)
        factories.JournalEntryFactory(
            author=presenter, tags=[factories.TagFactory(), factories.TagFactory()]
        )
    # session, user, member, talks + presenters, questions received + answers,
    # questions asked, reflections, journal entries + tags
    with django_assert_num_queries(11):
        response = member_client.get(profile_url(presenter))
    assert len(response.context["talks"]) == count


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
    response = member_client.post(
        reverse("study:profile-edit"),
        {"display_name": "조새이름", "emoji": "🦝", "bio": "**안녕**", "email": "new@example.org"},
    )
    assert response.status_code == 302
    assert response["Location"] == profile_url(member)
    member.refresh_from_db()
    assert (member.display_name, member.emoji, member.bio, member.email) == (
        "조새이름",
        "🦝",
        "**안녕**",
        "new@example.org",
    )
    assert member.bio_html == "<p><strong>안녕</strong></p>\n"
    page = member_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Your profile was saved."]


def test_profile_edit_changes_only_the_logged_in_member(organizer_client, organizer, member):
    organizer_client.post(
        reverse("study:profile-edit"),
        {"display_name": "운영자", "emoji": "", "bio": "", "email": "o@example.org"},
    )
    member.refresh_from_db()
    organizer.refresh_from_db()
    assert organizer.display_name == "운영자"
    assert member.display_name == "조회원"


def test_profile_edit_taken_display_name_is_a_form_error(member_client, member, presenter):
    response = member_client.post(
        reverse("study:profile-edit"),
        {"display_name": "강발표", "emoji": "", "bio": "", "email": ""},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["display_name"]
    member.refresh_from_db()
    assert member.display_name == "조회원"
    # The navigation still shows who is logged in, not the rejected name.
    assert response.context["user"].display_name == "조회원"


def test_profile_edit_hostile_bio_renders_nothing_executable(member_client, member):
    member_client.post(
        reverse("study:profile-edit"),
        {"display_name": "조회원", "emoji": "", "bio": HOSTILE_MARKDOWN, "email": ""},
    )
    member.refresh_from_db()
    assert member.bio == HOSTILE_MARKDOWN
    content = member_client.get(profile_url(member)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert executable_parts(content) == []
