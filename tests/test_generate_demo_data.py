"""The generated demo data set used by the benchmarks: counts, shape, rendering, safety."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sessions.demo_data import BENCH_PASSWORD, BENCH_USERNAME, SCALES, generate
from sessions.markdown import render_markdown
from sessions.models import (
    Answer,
    Attendance,
    Member,
    Paper,
    Presentation,
    PresentationPresenter,
    Question,
    Reflection,
    Season,
    StudySession,
    Tag,
)
from tests import factories

pytestmark = pytest.mark.django_db

SMALL_COUNTS = {
    "members": 20,
    "seasons": 2,
    "sessions": 12,
    "papers": 72,
    "talks": 36,
    "presenters": 54,
    "talk papers": 79,
    "questions": 240,
    "answers": 252,
    "session reflections": 120,
    "tags": 30,
    "journal entries": 300,
    "journal tags": 450,
}


@pytest.fixture
def small():
    counts = generate(SCALES["small"])
    return counts


def test_generate_small_scale_writes_exact_row_counts(small):
    assert {key: value for key, value in small.items() if key != "attendance"} == SMALL_COUNTS
    assert Member.objects.count() == 20
    assert StudySession.objects.count() == 12
    assert Paper.objects.count() == 72
    assert Presentation.objects.count() == 36
    assert PresentationPresenter.objects.count() == 54
    assert Presentation.papers.through.objects.count() == 79
    assert Question.objects.count() == 240
    assert Question.objects.unanswered().count() == 30
    assert Answer.objects.count() == 252
    assert Reflection.objects.on_sessions().count() == 120
    assert Reflection.objects.journals().count() == 300
    assert Tag.objects.count() == 30
    assert Reflection.tags.through.objects.count() == 450


def test_generate_large_scale_is_the_size_the_benchmark_promises():
    large = SCALES["large"]
    assert (
        large.members,
        large.sessions,
        large.talks,
        large.papers,
        large.questions,
        large.reflections,
        large.journals,
    ) == (300, 500, 2000, 4000, 20000, 10000, 30000)


def test_generate_spreads_talks_and_reflections_evenly(small):
    assert sorted({session.presentations.count() for session in StudySession.objects.all()}) == [3]
    assert sorted({session.reflections.count() for session in StudySession.objects.all()}) == [10]
    assert sorted({talk.questions.count() for talk in Presentation.objects.all()}) == [
        6,
        7,
    ]


def test_generate_stores_the_renderers_html_for_every_markdown_field(small):
    for model, field in [
        (Question, "body"),
        (Answer, "body"),
        (Reflection, "body"),
        (Presentation, "summary"),
        (StudySession, "notes"),
    ]:
        rows = list(model.objects.values_list(field, f"{field}_html"))
        assert rows and all(html == render_markdown(source) for source, html in rows), model
    summaries = Presentation.objects.values_list("summary_html", flat=True)
    assert all("<math" in html and "<pre><code" in html for html in summaries)


def test_generate_bench_login_is_the_only_usable_password(small):
    bench = Member.objects.get(username=BENCH_USERNAME)
    assert bench.check_password(BENCH_PASSWORD) is True
    assert Member.objects.filter(password__startswith="!").count() == 19
    assert bench.presentations.count() >= 1
    assert bench.reflections.journals().count() == 15


def test_generate_leaves_the_last_two_sessions_upcoming(small):
    assert list(StudySession.objects.upcoming().values_list("season__slug", "number")) == [
        ("season-2", 5),
        ("season-2", 6),
    ]
    assert StudySession.objects.get(season__slug="season-2", number=5).date == timezone.localdate()


def test_generate_two_seasons_each_numbered_from_one(small):
    """The generated history has two seasons whose numbers overlap."""
    numbers = {
        slug: list(
            StudySession.objects.filter(season__slug=slug)
            .order_by("number")
            .values_list("number", flat=True)
        )
        for slug in ("season-1", "season-2")
    }
    assert numbers == {"season-1": [1, 2, 3, 4, 5, 6], "season-2": [1, 2, 3, 4, 5, 6]}
    assert Season.objects.current().slug == "season-2"


def test_generate_attendance_is_presenters_and_reflection_authors(small):
    expected = set(
        PresentationPresenter.objects.values_list("presentation__session_id", "member_id")
    ) | set(Reflection.objects.on_sessions().values_list("session_id", "author_id"))
    assert set(Attendance.objects.values_list("session_id", "member_id")) == expected
    assert small["attendance"] == len(expected)


def test_generate_keeps_history_timestamps_and_restores_auto_now(small):
    first, last = (
        Question.objects.order_by("created_at").first(),
        Question.objects.order_by("created_at").last(),
    )
    assert (last.created_at - first.created_at).days >= 7 * 9
    question = factories.QuestionFactory(
        presentation=factories.PresentationFactory(session=factories.StudySessionFactory(number=99))
    )
    assert (timezone.now() - question.created_at).total_seconds() < 60


def test_generate_demo_data_command_refuses_a_database_with_sessions():
    factories.StudySessionFactory(number=1)
    with pytest.raises(CommandError, match="already has 1 session"):
        call_command("generate_demo_data", "--scale", "small", stdout=io.StringIO())
    assert Member.objects.count() == 0
    assert StudySession.objects.count() == 1


def test_generate_demo_data_command_prints_progress_and_the_login():
    out = io.StringIO()
    call_command("generate_demo_data", "--scale", "small", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Generating the small data set (seed 1)…"
    assert any(line.split()[:2] == ["questions", "240"] for line in lines)
    assert lines[-1] == "Done: 1,810 rows. Log in as bench / studygroup-bench."


def test_generate_demo_data_command_is_silent_at_verbosity_zero():
    out = io.StringIO()
    call_command("generate_demo_data", "--scale", "small", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert Question.objects.count() == 240
