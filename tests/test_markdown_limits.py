"""Hostile markdown: every way in refuses an over-long text, and the renderer
stays linear on pathological text.

The renderer's cost is counted in function calls (cProfile), which do not
depend on the machine's load: a text twice as long must cost about twice
as much, and no pathological text may cost more per character than a small
multiple of ordinary notes.
"""

import cProfile
import pstats
import random
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from markdown_it import MarkdownIt

from sessions.forms import AnswerForm, PresentationForm, QuestionForm, StudySessionForm
from sessions.forms.members import ProfileForm
from sessions.forms.reflections import JournalEntryForm, ReflectionForm
from sessions.legacy.loader import import_data
from sessions.markdown import MAX_LONG_TEXT, MAX_SHORT_TEXT, _markdown, render_markdown
from sessions.models import Answer, Question, Reflection, StudySession
from tests import factories
from tests.benchmarks.bench_markdown import CORPUS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "legacy"

# Ordinary notes: the by-topic fixture (headings, lists, links, an image).
PROSE = (FIXTURES / "session_by_topic.md").read_text(encoding="utf-8")


def render_calls(text):
    """Function calls made by render_markdown(text)."""
    profile = cProfile.Profile()
    profile.enable()
    render_markdown(text)
    profile.disable()
    return pstats.Stats(profile).total_calls


def prose(size):
    return (PROSE * (size // len(PROSE) + 1))[:size]


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_render_markdown_cost_grows_linearly_on_pathological_text(case):
    size = 3_000
    once, twice = render_calls(CORPUS[case](size)), render_calls(CORPUS[case](2 * size))
    assert twice / once < 2.5


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_render_markdown_pathological_text_costs_a_bounded_multiple_of_prose(case):
    """markdown-it alone spends about 55 times the calls of ordinary notes
    per character on a run of `[` (it scans again from every bracket); the
    most expensive cases now cost up to 11 times, as much as a text of
    one-character lines."""
    size = 3_000
    per_character = render_calls(CORPUS[case](size)) / size
    prose_per_character = render_calls(prose(size)) / size
    assert per_character / prose_per_character < 15


def test_render_markdown_links_in_bracket_runs_are_markdown_its_own():
    """The remembered label scans change no output: random texts of brackets,
    links, images and references render as markdown-it renders them."""
    plain = MarkdownIt("js-default", {"html": False, "breaks": True, "linkify": False})
    pieces = ["[", "]", "(", ")", "![", "a", " ", "\n", "`", "*", "<", "\\", "[r]", '"t"', "](u)"]
    texts = [
        "[r]: /u\n\n" + "[" * 150 + "a](b)",
        "[" * 99 + "a]" + "](b)" * 3,
        "![" * 120 + "a](b)",
    ]
    generator = random.Random(12)
    for _ in range(3_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 40)))
        texts.append(generator.choice(["", "[r]: /u\n\n"]) + text)
    different = [text for text in texts if _markdown.render(text) != plain.render(text)]
    assert different == []


def test_render_markdown_bracket_flood_is_text():
    assert render_markdown("[" * 5 + "![" * 3) == "<p>[[[[[![![![</p>\n"


# -- every way in refuses an over-long text ------------------------------


def form_cases(talk, presenter, member):
    """(form, the markdown field, its limit) for every form with one."""
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    journal = factories.JournalEntryFactory(author=member)
    reflection = factories.ReflectionFactory(session=talk.session, author=member)
    return [
        (lambda data: QuestionForm(data, talk=talk), "body", MAX_SHORT_TEXT),
        (lambda data: QuestionForm(data, instance=question, talk=talk), "body", MAX_SHORT_TEXT),
        (lambda data: AnswerForm(data), "body", MAX_SHORT_TEXT),
        (lambda data: ProfileForm(data, instance=member), "bio", MAX_SHORT_TEXT),
        (
            lambda data: PresentationForm(data, session=talk.session, user=presenter),
            "summary",
            MAX_LONG_TEXT,
        ),
        (
            lambda data: StudySessionForm(data, user=factories.OrganizerFactory()),
            "notes",
            MAX_LONG_TEXT,
        ),
        (lambda data: ReflectionForm(data, instance=reflection), "body", MAX_LONG_TEXT),
        (lambda data: JournalEntryForm(data, instance=journal), "body", MAX_LONG_TEXT),
    ]


def form_data(talk, presenter, member, field, text):
    return {
        "addressed_to": presenter.pk,
        "topic": "새 발표",
        "presenters": [presenter.pk],
        "number": 99,
        "date": "2025-09-01",
        "title": "일지",
        "display_name": member.display_name,
        "season": talk.session.season_id,
        "default_journal_visibility": "members",
        "visibility": "members",
        field: text,
    }


@pytest.mark.django_db
def test_every_markdown_form_refuses_a_text_over_its_limit(talk, presenter, member):
    for make_form, field, limit in form_cases(talk, presenter, member):
        at_limit = make_form(form_data(talk, presenter, member, field, "가" * limit))
        over = make_form(form_data(talk, presenter, member, field, "가" * (limit + 1)))
        assert (at_limit.is_valid(), at_limit.errors.get(field)) == (True, None), at_limit.errors
        assert over.is_valid() is False
        assert over.errors[field] == [
            f"This text has {limit + 1:,} characters; it can have at most {limit:,}."
        ]


@pytest.mark.django_db
def test_question_over_the_limit_is_a_form_error_and_saves_nothing(member_client, talk, presenter):
    response = member_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": presenter.pk, "body": "[" * (MAX_SHORT_TEXT + 1)},
    )
    assert response.status_code == 200
    assert (
        "This text has 10,001 characters; it can have at most 10,000." in response.content.decode()
    )
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_form_limit_message_is_korean_in_korean(member_client, talk, presenter):
    response = member_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": presenter.pk, "body": "가" * (MAX_SHORT_TEXT + 1)},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert (
        "글자 수가 10,001자입니다. 최대 10,000자까지 쓸 수 있습니다." in response.content.decode()
    )


@pytest.mark.django_db
def test_admin_refuses_an_answer_over_the_limit(talk, presenter):
    superuser = factories.MemberFactory(username="root", is_staff=True, is_superuser=True)
    question = factories.QuestionFactory(presentation=talk, addressed_to=presenter)
    client = Client()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:study_answer_add"),
        {"question": question.pk, "author": presenter.pk, "body": "a" * (MAX_SHORT_TEXT + 1)},
    )
    assert response.status_code == 200
    assert (
        "This text has 10,001 characters; it can have at most 10,000." in response.content.decode()
    )
    assert Answer.objects.count() == 0


@pytest.mark.django_db
def test_markdown_preview_refuses_a_text_over_the_longest_limit(member_client):
    response = member_client.post("/markdownx/markdownify/", {"content": "[" * (MAX_LONG_TEXT + 1)})
    assert (response.status_code, response.content.decode()) == (
        400,
        '<ul class="errorlist"><li>This text has 30,001 characters; it can have at most 30,000.'
        "</li></ul>",
    )


@pytest.mark.django_db
def test_markdown_preview_without_content_is_400(member_client):
    response = member_client.post("/markdownx/markdownify/", {})
    assert (response.status_code, response.content.decode()) == (
        400,
        '<ul class="errorlist"><li>There is no text to preview.</li></ul>',
    )


@pytest.mark.django_db
def test_markdown_preview_of_empty_text_is_empty(member_client):
    response = member_client.post("/markdownx/markdownify/", {"content": ""})
    assert (response.status_code, response.content.decode()) == (200, "")


@pytest.mark.django_db
def test_markdown_preview_needs_login():
    response = Client().post("/markdownx/markdownify/", {"content": "a"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_import_refuses_an_answer_over_the_limit_naming_its_line():
    text = (FIXTURES / "session_by_topic.md").read_text(encoding="utf-8")
    text = text.replace("보통 3x3을 여러 번 쌓습니다.", "가" * (MAX_SHORT_TEXT + 1))
    result = import_data("notes/3주차.md", text.encode())
    assert (
        result.describe()
        == "notes/3주차.md: FAILED: line 28: the answer to the question is longer than 10000 characters"
    )
    assert StudySession.objects.count() == 0


@pytest.mark.django_db
def test_import_refuses_a_journal_over_the_limit(member):
    text = "---\ntitle: 긴 일지\ndate: 2025-01-02\n---\n\n" + "가" * (MAX_LONG_TEXT + 1) + "\n"
    result = import_data("journal/long.md", text.encode(), author=member)
    assert (
        result.describe()
        == "journal/long.md: FAILED: the journal entry is longer than 30000 characters"
    )
    assert Reflection.objects.count() == 0
