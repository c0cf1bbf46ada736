"""export_markdown: import → export → import into an empty database gives the same data."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from sessions.legacy.exporter import journal_markdown, session_markdown, sessions_for_export
from sessions.legacy.loader import import_paths
from sessions.models import (
    Answer,
    ImportedFile,
    Member,
    Paper,
    Presentation,
    Question,
    Reflection,
    StudySession,
    Tag,
)
from tests import factories
from tests.legacy.helpers import snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "legacy"
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "legacy-samples"


def empty_database():
    for model in (
        ImportedFile,
        Answer,
        Question,
        Presentation,
        Reflection,
        Tag,
        Paper,
        StudySession,
        Member,
    ):
        model.objects.all().delete()


def round_trip(tmp_path, paths, owner_name):
    factories.MemberFactory(username="owner", display_name=owner_name, emoji="")
    owner = Member.objects.get(username="owner")
    first = import_paths(paths, author=owner)
    assert [f.path for f in first.failed] == []
    before = snapshot()
    call_command("export_markdown", "--out", str(tmp_path / "out"), stdout=io.StringIO())
    empty_database()
    # The journals name their author in the front matter, so no --author.
    second = import_paths([tmp_path / "out"])
    assert [(f.path, f.error) for f in second.failed] == []
    return before, snapshot(), second


@pytest.mark.django_db
def test_round_trip_fixtures_gives_the_same_data(tmp_path):
    paths = [
        FIXTURES / name
        for name in (
            "session_by_topic.md",
            "session_crlf_bom.md",
            "session_by_team.md",
            "journal_jekyll.md",
            "journal_jekyll_undated.md",
            "journal_obsidian.md",
        )
    ]
    before, after, second = round_trip(tmp_path, paths, "주인")
    assert after == before
    assert second.warnings == [
        f"{tmp_path / 'out' / 'journals' / 'owner' / '부캠-3주차-주간-회고.md'}: "
        "no date in the front matter; the entry is undated"
    ]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/legacy-samples/ is not present")
@pytest.mark.django_db
def test_round_trip_samples_gives_the_same_data(tmp_path):
    before, after, _ = round_trip(tmp_path, [SAMPLES], "주인")
    assert after == before
    assert len(after["talks"]) == 4
    assert sum(len(t["questions"]) for t in after["talks"].values()) == 12


@pytest.mark.django_db
def test_export_is_stable_on_second_round(tmp_path):
    import_paths([FIXTURES / "session_by_team.md"])
    first = session_markdown(sessions_for_export().get())
    (tmp_path / "a.md").write_text(first, encoding="utf-8")
    empty_database()
    import_paths([tmp_path / "a.md"])
    assert session_markdown(sessions_for_export().get()) == first


@pytest.mark.django_db
def test_session_markdown_layout():
    import_paths([FIXTURES / "session_crlf_bom.md"])
    assert session_markdown(sessions_for_export().get()) == (
        "# 4주차 — 최적화 알고리즘\n\n**시즌**: 2025\n**발표일**: 2025.04.01\n\n---\n\n"
        "# 주제\n## Adam\n- 발표자: **윤도현, 오세린**\n- 참고 논문:\n"
        "[Adam: A Method for Stochastic Optimization](https://arxiv.org/abs/1412.6980)\n\n"
        "---\n\n# 회고\n## 윤도현\n### 받은 질문\n"
        "- Q1: 학습률을 따로 조절할 필요가 없나요?\n- A1: 기본값이 잘 동작하지만 문제에 따라 조절합니다.\n\n"
        "### 소감\n모멘텀을 다시 정리할 수 있었다.\n\n---\n\n## 오세린\n### 받은 질문\n없음\n"
    )


@pytest.mark.django_db
def test_journal_markdown_front_matter():
    entry = factories.JournalEntryFactory(
        title="주간 회고: 3주차",
        body="본문\n\n- 항목",
        author__display_name="주인",
        author__username="owner",
    )
    entry.tags.set([Tag.objects.create(name="회고")])
    text = journal_markdown(entry)
    assert text == (
        f"---\ntitle: '주간 회고: 3주차'\ndate: {entry.date:%Y-%m-%d}\nauthor: 주인\ntags:\n- 회고\n---\n본문\n\n- 항목\n"
    )


@pytest.mark.django_db
def test_export_dry_run_writes_nothing(tmp_path):
    import_paths([FIXTURES / "session_crlf_bom.md"])
    out = io.StringIO()
    call_command("export_markdown", "--out", str(tmp_path / "out"), "--dry-run", stdout=out)
    assert out.getvalue() == f"1 file(s) would be written to {tmp_path / 'out'}.\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.django_db
def test_round_trip_keeps_every_members_answer(tmp_path):
    import_paths([FIXTURES / "session_crlf_bom.md"])
    question = Question.objects.get()
    factories.AnswerFactory(
        question=question,
        author=factories.MemberFactory(display_name="김답변", emoji="🐱"),
        body="저는 이렇게\n\n생각해요.",
    )
    factories.AnswerFactory(
        question=question,
        author=factories.MemberFactory(display_name="박보충", emoji=""),
        body="논문 2절 참고.",
    )
    text = session_markdown(sessions_for_export().get())
    assert (
        "- A1: 기본값이 잘 동작하지만 문제에 따라 조절합니다.\n"
        "- A1 (김답변🐱): 저는 이렇게\n\n  생각해요.\n"
        "- A1 (박보충): 논문 2절 참고.\n"
    ) in text
    before = snapshot()
    (tmp_path / "4.md").write_text(text, encoding="utf-8")
    empty_database()
    import_paths([tmp_path / "4.md"])
    assert snapshot() == before


@pytest.mark.django_db
def test_round_trip_keeps_headings_and_separators_inside_reflections_and_summaries(tmp_path):
    import_paths([FIXTURES / "session_crlf_bom.md"])
    talk = Presentation.objects.get()
    talk.summary = "# 개요\n\n모멘텀과 적응적 학습률.\n\n---\n\n## 실험\n\n- 결과 1"
    talk.save(update_fields=["summary"])
    reflection = Reflection.objects.get()
    reflection.body = (
        "## Keep\n\n복습을 했다.\n\n## Problem\n\n시간이 부족했다.\n\n## Try\n\n미리 읽기"
    )
    reflection.save(update_fields=["body"])
    text = session_markdown(sessions_for_export().get())
    assert "### 소감\n    ## Keep\n\n    복습을 했다." in text
    before = snapshot()
    (tmp_path / "4.md").write_text(text, encoding="utf-8")
    empty_database()
    result = import_paths([tmp_path / "4.md"])
    assert (result.failed, snapshot()) == ([], before)


def _journal_files(out):
    return sorted(path.name for path in (out / "journals").rglob("*.md"))


@pytest.fixture
def private_and_shared(db):
    owner = factories.MemberFactory(username="owner", display_name="주인", emoji="")
    private = factories.JournalEntryFactory(
        author=owner, title="나만 보는 일지", visibility=Reflection.Visibility.PRIVATE
    )
    shared = factories.JournalEntryFactory(author=owner, title="같이 보는 일지")
    return private, shared


def test_export_leaves_private_entries_out_by_default(tmp_path, private_and_shared):
    private, shared = private_and_shared
    out = io.StringIO()
    call_command("export_markdown", "--out", str(tmp_path / "out"), stdout=out)
    assert _journal_files(tmp_path / "out") == [f"{shared.date:%Y-%m-%d}-같이-보는-일지.md"]
    assert out.getvalue() == f"1 file(s) written to {tmp_path / 'out'}.\n"


def test_export_with_include_private_marks_them_and_the_import_keeps_them_private(
    tmp_path, private_and_shared
):
    private, shared = private_and_shared
    call_command(
        "export_markdown", "--out", str(tmp_path / "out"), "--include-private", stdout=io.StringIO()
    )
    path = tmp_path / "out" / "journals" / "owner" / f"{private.date:%Y-%m-%d}-나만-보는-일지.md"
    assert path.read_text(encoding="utf-8") == (
        f"---\ntitle: 나만 보는 일지\ndate: {private.date:%Y-%m-%d}\nauthor: 주인\n"
        f"visibility: private\n---\n{private.body}\n"
    )
    assert len(_journal_files(tmp_path / "out")) == 2
    before = snapshot()
    empty_database()
    factories.MemberFactory(username="owner", display_name="주인", emoji="")
    result = import_paths([tmp_path / "out"])
    assert (result.failed, snapshot()) == ([], before)
    assert dict(Reflection.objects.journals().values_list("title", "visibility")) == {
        "나만 보는 일지": "private",
        "같이 보는 일지": "members",
    }


def test_import_of_an_entry_without_visibility_takes_the_authors_default(tmp_path, db):
    owner = factories.MemberFactory(username="owner", display_name="주인", emoji="")
    owner.default_journal_visibility = Reflection.Visibility.PRIVATE
    owner.save(update_fields=["default_journal_visibility"])
    result = import_paths([FIXTURES / "journal_jekyll.md"], author=owner)
    assert result.failed == []
    assert list(Reflection.objects.journals().values_list("visibility", flat=True)) == ["private"]


def test_reimport_without_visibility_keeps_the_entrys_visibility(tmp_path, db):
    owner = factories.MemberFactory(username="owner", display_name="주인", emoji="")
    import_paths([FIXTURES / "journal_jekyll.md"], author=owner)
    Reflection.objects.journals().update(visibility=Reflection.Visibility.PRIVATE)
    import_paths([FIXTURES / "journal_jekyll.md"], author=owner)
    assert list(Reflection.objects.journals().values_list("visibility", flat=True)) == ["private"]
