"""Every page reads in Korean by default and in English on request.

The browser's Accept-Language picks the language; the language switcher
(a POST to /i18n/setlang/) overrides it with a cookie that later requests
keep. A page "reads in" a language when `<html lang>`, the navigation, the
site name in the title and the switcher's own label are in it.
"""

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from sessions.invitations import invitation_path
from sessions.notifications import unsubscribe_token
from studygroup import settings as project_settings
from tests import factories

KOREAN = {
    "lang": "ko",
    "nav": ["홈", "모임", "논문", "멤버", "공부 일지", "참여 현황", "내 프로필", "로그아웃"],
    "site": "스터디",
    # The switcher offers the other language, in that language.
    "switcher": [("en", "Language: English")],
}
ENGLISH = {
    "lang": "en",
    "nav": [
        "Home",
        "Sessions",
        "Papers",
        "Members",
        "Journal",
        "Participation",
        "My profile",
        "Log out",
    ],
    "site": "Study group",
    "switcher": [("ko", "언어: 한국어")],
}
LANGUAGES = [
    pytest.param({}, KOREAN, id="default"),
    pytest.param({"HTTP_ACCEPT_LANGUAGE": "ko-KR,ko;q=0.9,en;q=0.8"}, KOREAN, id="ko"),
    pytest.param({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, ENGLISH, id="en"),
]

# Pages of a logged-in member: URL name -> URL arguments from the `world` fixture.
PAGES = {
    "study:home": lambda w: {},
    "study:session-list": lambda w: {},
    "study:session-create": lambda w: {},
    "study:session-detail": lambda w: {"season": w.session.season.slug, "number": w.session.number},
    "study:session-edit": lambda w: {"season": w.session.season.slug, "number": w.session.number},
    "study:session-delete": lambda w: {"season": w.session.season.slug, "number": w.session.number},
    "study:talk-create": lambda w: {"season": w.session.season.slug, "number": w.session.number},
    "study:season-create": lambda w: {},
    "study:season-detail": lambda w: {"season": w.session.season.slug},
    "study:season-edit": lambda w: {"season": w.session.season.slug},
    "study:season-roster": lambda w: {"season": w.session.season.slug},
    "study:talk-detail": lambda w: {"pk": w.talk.pk},
    "study:talk-edit": lambda w: {"pk": w.talk.pk},
    "study:talk-delete": lambda w: {"pk": w.talk.pk},
    "study:question-create": lambda w: {"pk": w.talk.pk},
    "study:question-edit": lambda w: {"pk": w.question.pk},
    "study:question-delete": lambda w: {"pk": w.question.pk},
    "study:answer-create": lambda w: {"pk": w.question.pk},
    "study:answer-edit": lambda w: {"pk": w.answer.pk},
    "study:answer-delete": lambda w: {"pk": w.answer.pk},
    "study:paper-list": lambda w: {},
    "study:paper-detail": lambda w: {"pk": w.paper.pk},
    "study:member-list": lambda w: {},
    "study:member-create": lambda w: {},
    "study:member-detail": lambda w: {"pk": w.other.pk},
    "study:profile-edit": lambda w: {},
    "study:reflection-edit": lambda w: {
        "season": w.session.season.slug,
        "number": w.session.number,
    },
    "study:reflection-delete": lambda w: {"pk": w.reflection.pk},
    "study:journal-list": lambda w: {},
    "study:journal-create": lambda w: {},
    "study:journal-detail": lambda w: {"pk": w.journal.pk},
    "study:journal-edit": lambda w: {"pk": w.journal.pk},
    "study:journal-delete": lambda w: {"pk": w.journal.pk},
    "study:search": lambda w: {},
    "study:attendance-mark": lambda w: {
        "season": w.session.season.slug,
        "number": w.session.number,
    },
    "study:participation": lambda w: {},
    "study:bench-trivial": lambda w: {},
    "study:notification-list": lambda w: {},
    "study:notification-preferences": lambda w: {},
    "study:slot-open": lambda w: {"season": w.coming.season.slug, "number": w.coming.number},
    "study:rotation": lambda w: {"season": w.session.season.slug},
    "study:rotation-fill": lambda w: {"season": w.session.season.slug},
    "study:backlog": lambda w: {"season": w.session.season.slug},
    "study:nomination-create": lambda w: {"season": w.session.season.slug},
    "study:retro-overview": lambda w: {"season": w.session.season.slug},
    "study:retro-board": lambda w: {"season": w.session.season.slug, "number": w.session.number},
    "study:retro-board-format": lambda w: {
        "season": w.session.season.slug,
        "number": w.session.number,
    },
    "study:card-create": lambda w: {"season": w.session.season.slug, "number": w.session.number},
    "study:card-edit": lambda w: {"pk": w.card.pk},
    "study:card-delete": lambda w: {"pk": w.card.pk},
    "study:card-merge": lambda w: {"pk": w.card.pk},
    "study:card-history": lambda w: {"pk": w.card.pk},
    "study:action-item-edit": lambda w: {"pk": w.card.pk},
    "study:action-item-resolve": lambda w: {"pk": w.action_item.pk},
    "study:question-close": lambda w: {"pk": w.question.pk},
    "study:question-history": lambda w: {"pk": w.question.pk},
    "study:answer-history": lambda w: {"pk": w.answer.pk},
    "password_change": lambda w: {},
    "password_change_done": lambda w: {},
}
# Query strings that make a page show more than its empty state.
QUERY = {"study:search": "?q=어텐션", "study:session-list": "?season=2025"}

# Pages for people who are not logged in: no navigation, but the rest holds.
ANONYMOUS_PAGES = {
    "login": lambda w: reverse("login"),
    "password_reset": lambda w: reverse("password_reset"),
    "password_reset_done": lambda w: reverse("password_reset_done"),
    "password_reset_complete": lambda w: reverse("password_reset_complete"),
    "study:invitation-accept": lambda w: invitation_path(w.invitee),
    "study:unsubscribe": lambda w: reverse(
        "study:unsubscribe", args=[unsubscribe_token(w.other, "question")]
    ),
}

# URL names of the app that are not HTML pages to read.
NOT_PAGES = {
    "study:media": "serves uploaded files",
    "study:library-bibtex": "BibTeX text",
    "study:paper-bibtex": "BibTeX text",
    "study:feed-calendar": "iCalendar data",
    "study:feed-activity": "Atom XML",
    "study:feed-token-reset": "POST only",
    "study:attendance-respond": "POST only",
    "study:member-invite": "POST only",
    "study:card-vote": "POST only",
    "study:legacy-session": "answers 301 to the session's page in its season",
    "study:notification-open": "marks the notification read and redirects to its place",
    "study:notification-read-all": "POST only",
    "study:rotation-current": "redirects to the current season's rotation",
    "study:slot-claim": "POST only",
    "study:slot-assign": "POST only",
    "study:slot-release": "POST only",
    "study:away-set": "POST only",
    "study:nomination-vote": "POST only",
    "study:nomination-withdraw": "POST only",
    "study:nomination-take": "POST only",
}


@pytest.fixture(autouse=True)
def _project_default_language(settings):
    """The project's own default language (the suite's conftest makes it English)."""
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE


@pytest.fixture
def world(organizer, member):
    """One of everything, written by the organizer (who may open every page)."""
    session = factories.StudySessionFactory(number=6, date="2025-03-07")
    paper = factories.PaperFactory(title="Attention Is All You Need")
    talk = factories.PresentationFactory(
        session=session, topic="셀프 어텐션", presenters=[organizer], papers=[paper]
    )
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=organizer)
    answer = factories.AnswerFactory(question=question, author=organizer)
    own_question = factories.QuestionFactory(
        presentation=talk, asked_by=organizer, addressed_to=organizer
    )
    reflection = factories.ReflectionFactory(author=organizer, session=session)
    journal = factories.JournalEntryFactory(
        author=organizer, tags=[factories.TagFactory(name="복습")]
    )
    coming = factories.upcoming_session(number=7, season=session.season)
    factories.SeasonMembershipFactory(season=session.season, member=member)
    factories.TalkSlotFactory(session=coming, holder=member, theme="확산 모델")
    factories.TalkSlotFactory(session=coming)
    factories.NominationFactory(season=session.season, author=member, paper=paper)
    board = factories.RetroBoardFactory(session=session)
    card = factories.CardFactory(board=board, author=organizer, column="try", body="자료 미리 공유")
    factories.CardFactory(board=board, author=member, anonymous=True, body="시간이 부족했다")
    next_session = factories.StudySessionFactory(number=8, date="2025-03-14")
    action_item = factories.ActionItemFactory(card=card, owner=organizer, due_session=next_session)
    invitee = factories.MemberFactory(username="invitee", password=None)
    invitee.set_unusable_password()
    invitee.save(update_fields=["password"])
    return SimpleNamespace(
        session=session,
        coming=coming,
        paper=paper,
        talk=talk,
        question=own_question,
        answer=answer,
        card=card,
        action_item=action_item,
        reflection=reflection,
        journal=journal,
        other=member,
        invitee=invitee,
    )


def html_lang(html):
    match = re.search(r"<html lang=\"([^\"]*)\">", html)
    return match.group(1) if match else None


def nav_labels(html):
    """The texts of the main navigation's links and buttons, or None without one."""
    nav = re.search(r"<nav class=\"site-nav\".*?</nav>", html, re.S)
    if nav is None:
        return None
    items = re.findall(r"<(a|button)\b[^>]*>(.*?)</\1>", nav.group(0), re.S)
    return [" ".join(text.split()) for _, text in items]


def site_name_in_title(html):
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    return " ".join(title.split()).rsplit(" · ", 1)[-1]


def switcher_buttons(html):
    return re.findall(
        r"<button type=\"submit\" name=\"language\" value=\"(\w+)\" lang=\"\w+\">(.*?)</button>",
        html,
    )


def reads_in(html):
    """What the page says about its language, in the shape of KOREAN and ENGLISH."""
    return {
        "lang": html_lang(html),
        "nav": nav_labels(html),
        "site": site_name_in_title(html),
        "switcher": switcher_buttons(html),
    }


def test_every_app_url_is_checked_or_is_not_a_page():
    """A new page must join PAGES (or say here why it is no page to read)."""
    study = get_resolver().namespace_dict["study"][1]
    names = {f"study:{pattern.name}" for pattern in study.url_patterns if pattern.name}
    checked = {name for name in [*PAGES, *ANONYMOUS_PAGES, *NOT_PAGES] if name.startswith("study:")}
    assert sorted(names - checked) == []
    assert sorted(checked - names) == []


@pytest.mark.parametrize("headers, expected", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_in_requested_language(name, headers, expected, organizer_client, world):
    url = reverse(name, kwargs=PAGES[name](world)) + QUERY.get(name, "")
    response = organizer_client.get(url, **headers)
    assert response.status_code == 200
    assert reads_in(response.content.decode()) == expected


@pytest.mark.parametrize("headers, expected", LANGUAGES)
@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_page_before_login_reads_in_requested_language(name, headers, expected, client, world):
    response = client.get(ANONYMOUS_PAGES[name](world), **headers)
    assert response.status_code == 200
    assert reads_in(response.content.decode()) == {**expected, "nav": None}


def test_page_in_unsupported_language_is_korean(organizer_client, world):
    response = organizer_client.get(reverse("study:home"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert response.status_code == 200
    assert reads_in(response.content.decode()) == KOREAN


def test_page_in_korean_has_no_english_headings(organizer_client, world):
    """The home page's headings are all translated (the data on it is Korean)."""
    response = organizer_client.get(reverse("study:home"), HTTP_ACCEPT_LANGUAGE="ko")
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", response.content.decode(), re.S)
    assert headings == ["다음 모임", "다가오는 발표", "할 일", "최근 활동"]


def test_language_switcher_form_returns_to_the_same_page(organizer_client, world):
    response = organizer_client.get("/sessions/?season=2025")
    html = response.content.decode()
    form = re.search(r"<form class=\"language-switcher\" action=\"([^\"]+)\".*?</form>", html, re.S)
    assert form.group(1) == "/i18n/setlang/"
    assert '<input type="hidden" name="next" value="/sessions/?season=2025">' in form.group(0)


def test_language_switcher_switches_and_remembers(organizer_client, world):
    korean = {"HTTP_ACCEPT_LANGUAGE": "ko-KR,ko;q=0.9"}
    response = organizer_client.post(
        "/i18n/setlang/", {"language": "en", "next": "/sessions/"}, **korean
    )
    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    assert response.cookies["django_language"].value == "en"

    # The cookie outranks the browser's Accept-Language, on every later page.
    for url in ["/sessions/", "/", reverse("study:talk-detail", kwargs={"pk": world.talk.pk})]:
        response = organizer_client.get(url, **korean)
        assert reads_in(response.content.decode()) == ENGLISH

    response = organizer_client.post("/i18n/setlang/", {"language": "ko", "next": "/"}, **korean)
    assert response.cookies["django_language"].value == "ko"
    response = organizer_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert reads_in(response.content.decode()) == KOREAN


def test_language_switcher_works_before_login(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert reads_in(html) == {**ENGLISH, "nav": None}
    assert re.search(r"<h1>(.*?)</h1>", html).group(1) == "Log in"


def test_language_switcher_unknown_language_leaves_korean(organizer_client, world):
    response = organizer_client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert reads_in(organizer_client.get("/").content.decode()) == KOREAN


def test_language_switcher_does_not_redirect_off_site(organizer_client, world):
    response = organizer_client.post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example.org/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_language_chosen_once_is_used_on_a_new_browser(organizer, world):
    """The switcher saved English on the profile; a browser with no
    language cookie (another computer) asking for Korean gets English, and
    the cookie, until the member switches again."""
    korean = {"HTTP_ACCEPT_LANGUAGE": "ko-KR,ko;q=0.9"}
    first = Client()
    first.force_login(organizer)
    first.post("/i18n/setlang/", {"language": "en", "next": "/"}, **korean)
    organizer.refresh_from_db()
    assert organizer.language == "en"

    other = Client()
    other.force_login(organizer)
    response = other.get("/sessions/", **korean)
    assert reads_in(response.content.decode()) == ENGLISH
    assert response.cookies["django_language"].value == "en"
    other.post("/i18n/setlang/", {"language": "ko", "next": "/"}, **korean)
    assert reads_in(other.get("/sessions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()) == KOREAN


def test_language_of_a_member_who_never_chose_follows_the_browser(organizer_client, world):
    for header, language in [("ko-KR,ko;q=0.9", KOREAN), ("en-US,en;q=0.9", ENGLISH)]:
        response = organizer_client.get("/sessions/", HTTP_ACCEPT_LANGUAGE=header)
        assert reads_in(response.content.decode()) == language
        assert "django_language" not in response.cookies
