"""Import speed of legacy session notes, in files per second.

Generates N session files (by-topic and by-team layouts alternating, with
papers, questions, answers and reflections), imports them into a fresh
database, then imports them again (nothing changes) and prints both speeds
and the SQL statements per file (and how many of them write table versions).

    .venv/bin/python tests/benchmarks/bench_import.py [--files 1000]
    .venv/bin/python manage.py shell -c "from tests.benchmarks.bench_import import main; main([])"

Uses a throw-away SQLite file unless DATABASE_URL is set. Not a test: it
prints numbers and asserts nothing.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "김하나",
    "이두리",
    "박세나",
    "최네온",
    "정다섯",
    "강여섯",
    "조일곱",
    "윤여덟",
    "장아홉",
    "임열",
]
EMOJI = ["🐱", "🐼", "🦝", "🐻", "🦊", "🐰", "🐯", "🐨", "🐸", "🐧"]


def by_topic(number, date):
    a, b, c = (NAMES[(number + k) % len(NAMES)] for k in range(3))
    lines = [f"# 🧪 {number}주차", "", f"**발표일**: {date:%Y.%m.%d}", "", "---", "", "# 주제"]
    for k, (presenters, paper) in enumerate([((a, b), 1000 + number), ((c,), 5000 + number)]):
        lines += [
            f"## 주제 {number}-{k}",
            f"- 발표자: **{', '.join(presenters)}**",
            "- 참고 논문:",
            f"[Paper {paper}](https://arxiv.org/abs/2301.{paper:05d})",
            f"[Shared paper {number % 50}](https://arxiv.org/pdf/2205.{number % 50:05d}v2)",
            "",
        ]
    lines += ["---", "", "# 회고"]
    for name in (a, b, c):
        lines += [f"## {name}{EMOJI[NAMES.index(name)]}", "### 받은 질문"]
        for q in range(1, 3):
            lines += [
                f"- Q{q}: {number}주차 {name}에게 {q}번째 질문?",
                f"- A{q}: 답변 {q}입니다.",
                "  이어지는 줄.",
            ]
        lines += ["", "### 소감", f"   : {number}주차 소감. " * 5, "", "---", ""]
    return "\n".join(lines) + "\n"


def by_team(number, date):
    a, b, c, d = (NAMES[(number + k) % len(NAMES)] for k in range(4))
    lines = [f"# {number}주차", f"**발표일**: {date:%Y-%m-%d}"]
    for team, (x, y) in enumerate([(a, b), (c, d)], 1):
        lines += [
            f"### Team {team}",
            f"- **Members**: {x}, {y}",
            "- 참고 논문:  ",
            f"[Team paper {number}-{team}](https://arxiv.org/pdf/2402.{number * 2 + team:05d})",
            "",
            "---",
        ]
    lines += ["### 질의응답"]
    for name in (a, c):
        lines += [f"- {name}{EMOJI[NAMES.index(name)]}", ""]
        lines += [
            f"  🩷 받은 질문 : {number}주차 {name} 질문  ",
            "",
            "     -> 답변 : 첫 문단.",
            "",
            "  둘째 문단.",
            "",
        ]
    lines += ["---", "### 소감"]
    lines += [f"- {name} : {number}주차 팀 소감." for name in (a, b, c, d)]
    return "\n".join(lines) + "\n"


def generate(folder, count):
    start = datetime.date(2020, 1, 3)
    for number in range(1, count + 1):
        date = start + datetime.timedelta(days=7 * number)
        text = by_topic(number, date) if number % 2 else by_team(number, date)
        (folder / f"{number:04d}.md").write_text(text, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "django" not in sys.modules or not _django_ready():
            os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")
            sys.path.insert(0, str(ROOT))
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        from django.db import connection

        from sessions.legacy.loader import import_paths

        notes = tmp / "notes"
        notes.mkdir()
        generate(notes, args.files)
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        for label in ("first import", "second import (unchanged)"):
            started = time.perf_counter()
            statements = []

            def count(execute, sql, *args, statements=statements):
                statements.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(count):
                report = import_paths([notes])
            elapsed = time.perf_counter() - started
            totals = report.totals
            versions = sum("study_contentversion" in sql for sql in statements)
            print(
                f"{label}: {len(report.files)} files in {elapsed:.2f} s = "
                f"{len(report.files) / elapsed:.0f} files/s, "
                f"{len(statements) / len(report.files):.1f} queries per file "
                f"({versions / len(report.files):.1f} of them version writes) "
                f"({len(report.failed)} failed; created: "
                + ", ".join(
                    f"{totals[kind, 'created']} {kind}"
                    for kind in ("session", "presentation", "question")
                )
                + ")"
            )


def _django_ready():
    from django.apps import apps

    return apps.ready


if __name__ == "__main__":
    main()
