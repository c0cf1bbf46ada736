"""import_legacy: counts on the real samples, idempotence, updates, bad input, dry run."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sessions.legacy.loader import import_data, import_paths
from sessions.models import (
    Answer,
    ImportedFile,
    Member,
    Paper,
    Presentation,
    Question,
    Reflection,
    StudySession,
)
from tests import factories
from tests.legacy.helpers import snapshot

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "legacy"
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "legacy-samples"
SESSION_SAMPLES = ["000_3e7f59279a934c19.txt", "002_8217b8493b23c417.txt"]
JOURNAL_SAMPLES = [
    "001_b962996bb1ce5752.txt",
    "003_0312ea67c38b5442.txt",
    "004_e7a2a8c06f12fdd7.txt",
]
GOOD_SESSIONS = ["session_by_topic.md", "session_crlf_bom.md", "session_by_team.md"]

needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="../shared/legacy-samples/ is not present"
)


def run(*args):
    """call_command, returning (stdout, exit status)."""
    out = io.StringIO()
    try:
        call_command("import_legacy", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc.returncode
    return out.getvalue(), 0


def row_counts():
    return {
        "sessions": StudySession.objects.count(),
        "presentations": Presentation.objects.count(),
        "papers": Paper.objects.count(),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
        "reflections": Reflection.objects.on_sessions().count(),
        "journals": Reflection.objects.journals().count(),
        "members": Member.objects.count(),
    }


@needs_samples
@pytest.mark.django_db
def test_import_samples_exact_counts():
    output, status = run(*(str(SAMPLES / name) for name in SESSION_SAMPLES))
    assert status == 0
    assert row_counts() == {
        "sessions": 2,
        "presentations": 4,
        "papers": 4,
        "questions": 12,
        "answers": 11,
        "reflections": 8,
        "journals": 0,
        "members": 5,
    }
    assert dict(StudySession.objects.values_list("number", "date__month")) == {6: 7, 2: 2}
    assert sorted(str(d) for d in StudySession.objects.values_list("date", flat=True)) == [
        "2025-02-07",
        "2025-07-04",
    ]
    assert "1 warning(s):" in output


@needs_samples
@pytest.mark.django_db
def test_import_samples_with_alias_merges_the_misspelt_member():
    _, status = run("--alias", "조수빈=최수빈", *(str(SAMPLES / name) for name in SESSION_SAMPLES))
    assert status == 0
    assert row_counts()["members"] == 4
    assert Member.objects.get(display_name="최수빈").emoji == "🦝"
    electra = Presentation.objects.get(session__number=2, topic__startswith="ELECTRA")
    assert [m.display_name for m in electra.ordered_presenters()] == ["강한결", "최수빈"]


@needs_samples
@pytest.mark.django_db
def test_import_samples_created_members_have_no_usable_password_and_emoji():
    run(*(str(SAMPLES / name) for name in SESSION_SAMPLES))
    members = {m.display_name: (m.emoji, m.has_usable_password()) for m in Member.objects.all()}
    assert members == {
        "강한결": ("🐻", False),
        "조은비": ("🐱", False),
        "전민하": ("🐼", False),
        "최수빈": ("🦝", False),
        "조수빈": ("", False),
    }


@needs_samples
@pytest.mark.django_db
def test_import_journal_samples_with_author():
    factories.MemberFactory(username="owner", display_name="주인")
    _, status = run("--author", "owner", *(str(SAMPLES / name) for name in JOURNAL_SAMPLES))
    assert status == 0
    journals = {
        (j.title, str(j.date) if j.date else None)
        for j in Reflection.objects.journals().filter(author__username="owner")
    }
    assert journals == {
        ("부캠 2주차 일일 후기", None),
        ("<Day008> Naver Boostcamp AI Tech", "2024-08-14"),
        ("week-2", "2025-02-26"),
    }


@needs_samples
@pytest.mark.django_db
def test_reimport_samples_reports_unchanged_and_database_identical():
    factories.MemberFactory(username="owner", display_name="주인")
    paths = [str(SAMPLES / name) for name in SESSION_SAMPLES + JOURNAL_SAMPLES]
    run("--author", "owner", *paths)
    before = snapshot()
    records_before = list(
        ImportedFile.objects.values_list("path", "checksum", "imported_at", "created")
    )
    output, status = run("--author", "owner", *paths)
    assert status == 0
    assert snapshot() == before
    assert (
        list(ImportedFile.objects.values_list("path", "checksum", "imported_at", "created"))
        == records_before
    )
    table = output.split("\n")[2:11]
    assert [line.split()[1:] for line in table] == [
        ["0", "0", "2", "0"],  # seasons: each session file finds its season
        ["0", "0", "9", "0"],  # members: each file names its members once
        ["0", "0", "2", "0"],
        ["0", "0", "4", "0"],
        ["0", "0", "4", "0"],
        ["0", "0", "12", "0"],
        ["0", "0", "11", "0"],
        ["0", "0", "8", "0"],
        ["0", "0", "3", "0"],
    ]


@pytest.mark.django_db
def test_import_fixtures_folder_recursive_imports_good_and_reports_bad(tmp_path):
    owner = factories.MemberFactory(username="owner", display_name="주인")
    output, status = run("--author", "owner", str(FIXTURES))
    assert status == 1
    assert row_counts() == {
        "sessions": 3,
        "presentations": 5,
        "papers": 8,
        "questions": 10,
        "answers": 8,
        "reflections": 9,
        "journals": 3,
        "members": 6,  # the owner, four people in the notes and the misspelt 윤도헌
    }
    assert owner.reflections.journals().count() == 3
    bad = FIXTURES / "bad"
    errors = output.split("5 error(s):\n", 1)[1].splitlines()
    assert errors == [
        f"  {bad / 'empty.md'}: the file is empty",
        f"  {bad / 'impossible_date.md'}: line 2: impossible date '2025.02.30'",
        f"  {bad / 'no_number.md'}: line 1: no session number: expected a heading such as '# 6주차'",
        f"  {bad / 'not_utf8.md'}: line 1: not UTF-8 text (invalid byte sequence)",
        f"  {bad / 'unknown_layout.md'}: unrecognised layout: neither a session note (a heading such as "
        "'# 6주차' and a '**발표일**:' line) nor a journal with front matter",
    ]
    assert output.startswith("6 file(s) imported, 5 failed.\n")


@pytest.mark.django_db
def test_import_journal_without_author_fails_that_file_only():
    output, status = run(str(FIXTURES / "journal_jekyll.md"), str(FIXTURES / "session_by_topic.md"))
    assert status == 1
    assert Reflection.objects.journals().count() == 0
    assert StudySession.objects.get().number == 3
    assert (
        f"  {FIXTURES / 'journal_jekyll.md'}: a journal needs an owner: give --author USERNAME "
        "(or 'author:' in the front matter)"
    ) in output.splitlines()
    assert not ImportedFile.objects.filter(path=str(FIXTURES / "journal_jekyll.md")).exists()


@pytest.mark.django_db
def test_import_bad_file_writes_nothing_from_it(tmp_path):
    """A failure after some rows were written rolls the whole file back."""
    broken = tmp_path / "broken.md"
    broken.write_text(
        "# 9주차\n**발표일**: 2025.09.01\n# 주제\n## "
        + "긴 주제" * 80
        + "\n- 발표자: **새사람**\n",
        encoding="utf-8",
    )
    output, status = run(str(broken))
    assert status == 1
    assert row_counts() == {
        "sessions": 0,
        "presentations": 0,
        "papers": 0,
        "questions": 0,
        "answers": 0,
        "reflections": 0,
        "journals": 0,
        "members": 0,
    }
    assert f"  {broken}: line 4: the topic is longer than 200 characters" in output.splitlines()


@pytest.mark.django_db
def test_import_missing_path_is_reported_and_others_import(tmp_path):
    output, status = run(str(tmp_path / "nope.md"), str(FIXTURES / "session_by_topic.md"))
    assert status == 1
    assert StudySession.objects.count() == 1
    assert f"  {tmp_path / 'nope.md'}: no such file or folder" in output.splitlines()


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_prints_same_summary():
    factories.MemberFactory(username="owner", display_name="주인")
    paths = [str(FIXTURES / name) for name in GOOD_SESSIONS + ["journal_jekyll.md"]]
    dry_output, dry_status = run("--dry-run", "--author", "owner", *paths)
    assert row_counts()["sessions"] == 0
    assert row_counts()["members"] == 1
    assert ImportedFile.objects.count() == 0
    real_output, real_status = run("--author", "owner", *paths)
    assert (dry_status, real_status) == (0, 0)
    dry_headline, dry_rest = dry_output.split("\n", 1)
    real_headline, real_rest = real_output.split("\n", 1)
    assert real_headline == "4 file(s) imported, 0 failed."
    assert dry_headline == "Dry run: nothing was written. 4 file(s) would be imported, 0 failed."
    assert dry_rest.replace("New members it would create:", "New members:") == real_rest


@pytest.mark.django_db
def test_edited_file_updates_rows_instead_of_duplicating(tmp_path):
    note = tmp_path / "note.md"
    shutil.copy(FIXTURES / "session_by_topic.md", note)
    run(str(note))
    question_ids = set(Question.objects.values_list("pk", flat=True))
    text = note.read_text(encoding="utf-8")
    text = text.replace("**발표일**: 2025.03.14", "**발표일**: 2025.03.15")
    text = text.replace(
        "- A1: 학습 중에 모은 이동 평균을 씁니다.",
        "- A1: 학습 중에 모은 이동 평균과 분산을 씁니다.",
    )
    text = text.replace(
        "- Q3: 채널 수를 두 배로 늘리는 이유가 있나요?", "- Q3: 채널 수를 늘리는 이유는?"
    )
    text = text.replace("다음 주에는 미리 읽어 오겠다.", "다음 주에는 꼭 미리 읽어 오겠다.")
    note.write_text(text, encoding="utf-8")
    output, status = run(str(note))
    assert status == 0
    assert str(StudySession.objects.get(number=3).date) == "2025-03-15"
    assert Question.objects.count() == 4
    assert (
        Answer.objects.get(body__startswith="학습 중에").body
        == "학습 중에 모은 이동 평균과 분산을 씁니다."
    )
    assert Reflection.objects.get(author__display_name="오세린").body.endswith(
        "꼭 미리 읽어 오겠다."
    )
    assert not Question.objects.filter(body="채널 수를 두 배로 늘리는 이유가 있나요?").exists()
    assert len(question_ids & set(Question.objects.values_list("pk", flat=True))) == 3
    table = {line.split()[0]: line.split()[1:] for line in output.split("\n")[2:10]}
    assert table["sessions"] == ["0", "1", "0", "0"]
    assert table["questions"] == ["1", "0", "3", "1"]
    assert table["answers"] == ["0", "1", "2", "0"]
    assert table["reflections"] == ["0", "1", "3", "0"]


@pytest.mark.django_db
def test_reimport_keeps_rows_made_in_the_app():
    path = str(FIXTURES / "session_crlf_bom.md")
    run(path)
    talk = Presentation.objects.get(topic="Adam")
    asked_in_app = factories.QuestionFactory(presentation=talk, body="앱에서 남긴 질문")
    run(path)
    assert Question.objects.filter(pk=asked_in_app.pk).exists()


@pytest.mark.django_db
def test_import_data_records_file_checksum_and_rows():
    data = (FIXTURES / "session_crlf_bom.md").read_bytes()
    result = import_data("notes/4.md", data)
    assert result.ok
    record = ImportedFile.objects.get(path="notes/4.md")
    assert len(record.checksum) == 64
    assert record.session.number == 4
    assert record.created["counts"]["question.created"] == 1
    assert record.created["rows"]["question"] == list(Question.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_unknown_author_option_is_a_command_error():
    with pytest.raises(CommandError, match="--author: no member with the username 'ghost'"):
        call_command("import_legacy", "--author", "ghost", str(FIXTURES), stdout=io.StringIO())


@pytest.mark.django_db
def test_bad_alias_option_is_a_command_error():
    with pytest.raises(CommandError, match="alias '조수빈' is not of the form OLD=NEW"):
        call_command("import_legacy", "--alias", "조수빈", str(FIXTURES), stdout=io.StringIO())


@pytest.mark.django_db
def test_progress_lines_with_verbosity_two():
    output, _ = run("-v", "2", str(FIXTURES / "session_crlf_bom.md"))
    assert output.splitlines()[0] == (
        f"{FIXTURES / 'session_crlf_bom.md'}: session: 1 season created, 2 member created, 1 session created, "
        "1 presentation created, 1 paper created, 1 question created, 1 answer created, 1 reflection created"
    )


def test_import_paths_with_nothing_to_import(tmp_path):
    report = import_paths([tmp_path])
    assert (report.files, report.failed) == ([], [])


@pytest.mark.django_db
def test_import_other_members_answers_with_their_authors_and_again_unchanged(tmp_path):
    from tests.legacy.test_parser import OTHER_ANSWERS

    note = tmp_path / "other.md"
    note.write_text(OTHER_ANSWERS, encoding="utf-8")
    run(str(note))
    answers = sorted(
        (a.question.body, a.author.display_name, a.body)
        for a in Answer.objects.select_related("question", "author")
    )
    assert answers == [
        ("마스킹은요?", "이답변", "미래 토큰을 가립니다."),
        ("왜 스케일링하나요?", "김발표", "분산을 맞추려고요."),
        ("왜 스케일링하나요?", "박보충", "원 논문 3.2절에 나옵니다."),
        (
            "왜 스케일링하나요?",
            "이답변",
            "저도 궁금했는데,\n소프트맥스가 포화되지 않게 하려는 것 같아요.",
        ),
    ]
    assert Member.objects.get(display_name="이답변").emoji == "🐱"
    before = snapshot()
    note.write_text(OTHER_ANSWERS.replace("3.2절", "3.2.1절"), encoding="utf-8")
    output, status = run(str(note))
    table = {line.split()[0]: line.split()[1:] for line in output.split("\n")[2:10]}
    assert (status, table["answers"]) == (0, ["0", "1", "3", "0"])
    assert Answer.objects.count() == 4
    assert snapshot() != before


@pytest.mark.django_db
def test_import_same_question_to_two_presenters_is_two_questions_and_reimport_changes_nothing():
    path = str(FIXTURES.parent / "legacy-fidelity" / "session_same_question_twice.md")
    assert run(path)[1] == 0
    questions = Question.objects.order_by("position")
    assert [
        (q.addressed_to.display_name, q.body, [a.body for a in q.answers.all()]) for q in questions
    ] == [
        ("한지호", "배치 크기가 작을 때는 어떻게 하나요?", ["레이어 정규화를 씁니다."]),
        ("서예린", "배치 크기가 작을 때는 어떻게 하나요?", ["그룹 정규화도 방법입니다."]),
        ("서예린", "추론할 때도 같나요?", []),
    ]
    before = snapshot()
    output, status = run("-v", "2", path)
    assert status == 0
    assert snapshot() == before
    assert output.splitlines()[0] == f"{path}: session: unchanged"


@pytest.mark.django_db
def test_import_dates_created_rows_by_their_session_so_recent_activity_keeps_its_order():
    from sessions.views.home import recent_activity

    talk = factories.PresentationFactory(topic="오늘 올린 발표")
    assert run(str(FIXTURES / "session_by_topic.md"))[1] == 0
    imported = Presentation.objects.exclude(pk=talk.pk)
    session_day = imported.first().session.date
    assert {timezone.localtime(t.created_at).date() for t in imported} == {session_day}
    assert {timezone.localtime(q.created_at).date() for q in Question.objects.all()} == {
        session_day
    }
    assert recent_activity()[0].url == talk.get_absolute_url()
