"""Search speed over a large archive: 100,000 searchable rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studygroup_bench \\
        python -m tests.benchmarks.bench_search [--rows 100000] [--repeat 30] [--fresh]

Generates (once; reused afterwards, `--fresh` starts over) an archive of
sessions, talks, papers, questions, answers, reflections and journals whose
text mixes Korean words with particles and English terms, in its own
database `<name>_search` (see common.py; SQLite without DATABASE_URL).
Then runs `sessions.search.search()` for a set of queries, each `--repeat`
times, and prints per query the number of hits and the median and 95th
percentile in milliseconds, the same over all queries, and the plan
PostgreSQL chooses for one kind. Not a test: it prints numbers and asserts
nothing.
"""

import argparse
import datetime
import os
import random
import sys
import time

from tests.benchmarks.common import database_url, ensure_database, is_postgresql, median, p95

# Share of each kind in the archive (sums to 1).
MIX = {
    "sessions": 0.02,
    "talks": 0.10,
    "papers": 0.04,
    "questions": 0.40,
    "answers": 0.30,
    "reflections": 0.10,
    "journals": 0.04,
}
NOUNS = [
    "역전파", "어텐션", "트랜스포머", "임베딩", "정규화", "드롭아웃", "옵티마이저", "학습률",
    "손실함수", "그래디언트", "합성곱", "순환신경망", "토크나이저", "파인튜닝", "사전학습",
    "강화학습", "확산모델", "생성모델", "데이터셋", "평가지표", "과적합", "배치크기",
]  # fmt: skip
PARTICLES = ["은", "는", "이", "가", "을", "를", "의", "에서", "으로", "와", "도", ""]
VERBS = ["정리했다", "이해했다", "헷갈린다", "구현했습니다", "살펴봤다", "비교했다", "궁금합니다"]
ENGLISH = [
    "Attention", "Transformer", "gradient", "LayerNorm", "BERT", "GPT", "diffusion", "ResNet",
    "LoRA", "tokenizer", "benchmark", "softmax", "ablation", "scaling law", "RLHF",
]  # fmt: skip
# Queries as members type them: Korean with and without particles, English
# in any case, two terms, a rare word, a word that is nowhere, and a
# two-syllable word.
QUERIES = [
    "역전파",
    "어텐션을",
    "트랜스포머",
    "확산모델",
    "attention",
    "LAYERNORM",
    "scaling law",
    "역전파 gradient",
    "희귀한낱말",
    "존재하지않는검색어",
    "학습",  # two syllables: no trigram, a scan (a known limit)
]
RARE = "희귀한낱말"


def sentence(rng, words=12):
    parts = []
    for _ in range(words):
        if rng.random() < 0.2:
            parts.append(rng.choice(ENGLISH))
        else:
            parts.append(rng.choice(NOUNS) + rng.choice(PARTICLES))
        if rng.random() < 0.15:
            parts.append(rng.choice(VERBS))
    return " ".join(parts) + "."


def text(rng, sentences=3):
    body = " ".join(sentence(rng) for _ in range(sentences))
    # One row in ten thousand holds the rare word.
    if rng.random() < 0.0001:
        body += f" {RARE}"
    return body


def generate(rows, seed=7):
    """Bulk-insert an archive of about `rows` searchable rows (markdown is
    not rendered: search reads the source fields)."""
    from django.db import transaction

    from sessions.models import (
        Answer,
        Member,
        Paper,
        Presentation,
        Question,
        Reflection,
        StudySession,
    )

    rng = random.Random(seed)
    counts = {kind: int(rows * share) for kind, share in MIX.items()}
    batch = 2000
    with transaction.atomic():
        members = Member.objects.bulk_create(
            Member(username=f"bench{n}", display_name=f"벤치{n}", email=f"bench{n}@example.org")
            for n in range(60)
        )
        start = datetime.date(2010, 1, 1)
        sessions = StudySession.objects.bulk_create(
            (
                StudySession(
                    number=n + 1,
                    date=start + datetime.timedelta(days=7 * n),
                    title=sentence(rng, 3),
                    notes=text(rng, 2),
                )
                for n in range(counts["sessions"])
            ),
            batch_size=batch,
        )
        talks = Presentation.objects.bulk_create(
            (
                Presentation(
                    session=sessions[n % len(sessions)],
                    topic=f"{sentence(rng, 3)} #{n}",
                    summary=text(rng, 4),
                    order=n % 20,
                )
                for n in range(counts["talks"])
            ),
            batch_size=batch,
        )
        Paper.objects.bulk_create(
            (
                Paper(
                    title=f"{rng.choice(ENGLISH)} {rng.choice(ENGLISH)} study {n}",
                    url=f"https://example.org/papers/{n}",
                    normalized_url=f"example.org/papers/{n}",
                    authors=", ".join(
                        rng.choice(["Kim", "Lee", "Park", "Choi", "Vaswani"]) for _ in range(3)
                    ),
                    year=2000 + n % 25,
                )
                for n in range(counts["papers"])
            ),
            batch_size=batch,
        )
        questions = Question.objects.bulk_create(
            (
                Question(
                    presentation=talks[n % len(talks)],
                    asked_by=members[n % len(members)],
                    addressed_to=members[(n + 1) % len(members)],
                    body=text(rng, 2),
                    position=n % 20,
                )
                for n in range(counts["questions"])
            ),
            batch_size=batch,
        )
        Answer.objects.bulk_create(
            (
                Answer(question=questions[n], author=questions[n].addressed_to, body=text(rng, 3))
                for n in range(counts["answers"])
            ),
            batch_size=batch,
        )
        Reflection.objects.bulk_create(
            (
                Reflection(
                    kind=Reflection.Kind.SESSION,
                    author=members[n // len(sessions)],
                    session=sessions[n % len(sessions)],
                    body=text(rng, 3),
                )
                for n in range(counts["reflections"])
            ),
            batch_size=batch,
        )
        Reflection.objects.bulk_create(
            (
                Reflection(
                    kind=Reflection.Kind.JOURNAL,
                    author=members[n % len(members)],
                    title=sentence(rng, 2),
                    date=start + datetime.timedelta(days=n),
                    body=text(rng, 5),
                )
                for n in range(counts["journals"])
            ),
            batch_size=batch,
        )
    return sum(counts.values())


def searchable_rows():
    from sessions.models import Answer, Paper, Presentation, Question, Reflection, StudySession

    return sum(
        model.objects.count()
        for model in (StudySession, Presentation, Paper, Question, Answer, Reflection)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--fresh", action="store_true", help="Drop the database and generate again."
    )
    args = parser.parse_args(argv)

    url = database_url("search")
    ensure_database(url, fresh=args.fresh)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sessions.models import Question
    from sessions.search import KINDS_BY_KEY, matching, search, split_terms

    call_command("migrate", interactive=False, verbosity=0)
    existing = searchable_rows()
    if existing == 0:
        began = time.perf_counter()
        generate(args.rows)
        if is_postgresql(url):
            # What autovacuum does soon after a bulk load: fresh statistics,
            # and the GIN indexes' pending lists merged into the index.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        print(f"generated in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    elif abs(existing - args.rows) > args.rows * 0.01:
        raise SystemExit(f"The database holds {existing} rows, not {args.rows}; use --fresh.")

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"searchable rows: {searchable_rows():,}")
    print(f"repeat: {args.repeat} per query; all seven kinds, ten hits per kind\n")
    print(f"{'query':<24} {'hits':>5} {'median ms':>10} {'p95 ms':>8}")
    everything = []
    for query in QUERIES:
        search(query)  # warm up
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            groups = search(query)
            times.append((time.perf_counter() - began) * 1000)
        everything += times
        hits = sum(len(group.hits) for group in groups)
        print(f"{query:<24} {hits:>5} {median(times):>10.1f} {p95(times):>8.1f}")
    print(f"\n{'all queries':<24} {'':>5} {median(everything):>10.1f} {p95(everything):>8.1f}")

    if connection.vendor == "postgresql":
        kind = KINDS_BY_KEY["questions"]
        queryset = matching(kind.queryset(), kind.fields, split_terms("역전파"))[:11]
        print("\nplan for the questions of “역전파”:")
        print(queryset.explain(analyze=True))
        print("\nplan for the questions of “희귀한낱말”:")
        print(matching(Question.objects.all(), ("body",), [RARE]).explain(analyze=True))


if __name__ == "__main__":
    main(sys.argv[1:])
