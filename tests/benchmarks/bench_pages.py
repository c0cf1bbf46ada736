"""Page benchmark: SQL queries and server time of every main page, at each scale.

    python -m tests.benchmarks.bench_pages            # small and large, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studygroup_bench \\
        python -m tests.benchmarks.bench_pages        # the same on PostgreSQL
    python -m tests.benchmarks.bench_pages --profile "session page" --scales large

For each scale a separate database is generated once (`generate_demo_data`)
and reused afterwards (see common.py). A child process per scale runs with
production settings (DEBUG off, cached templates, persistent connections),
logs in as the benchmark member, warms every page up, counts its SQL
queries, then requests all pages in turn `--repeat` times and times each
request around Django's test client: the server's work from the WSGI
request to the rendered response, without a network.

Pages keep their expensive parts in the fragment cache (sessions/fragments.py)
until the next write. The warm columns are a page viewed again with no
write in between; the cold columns are the first view after a write to
everything (`--cold-repeat` requests, each after every table got a new
version), when every part is rendered afresh; the answer columns the first
view after the most common write while a group meets, a member answering a
question on the session page's first talk, when only the parts that answer
can change are rendered afresh.

The ratio compares a page's median with the median of the trivial page (the
base layout with no data), measured in the same run and interleaved with
the others, so that noise from other processes on the machine hits every
page alike.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from tests.benchmarks.common import child_env, database_url, ensure_database, median, p95

TRIVIAL = "trivial"
PAGE_NAMES = [
    TRIVIAL,
    "home",
    "session list",
    "session page",
    "talk page",
    "member profile",
    "paper library",
    "journal list",
    "search",
    "participation",
    "rotation",
    "backlog",
]
SEARCH_QUERY = "어텐션"


def bench_talk():
    """The first talk of the latest session that took place: the session
    page members open most, and its talk page."""
    from sessions.models import Presentation, StudySession

    session = StudySession.objects.past().first()
    return Presentation.objects.filter(session=session).order_by("order", "pk").first()


def page_urls():
    """(name, url or None) for every page, with the objects a member would open."""
    from django.urls import NoReverseMatch, reverse

    from sessions.demo_data import BENCH_USERNAME
    from sessions.models import Member

    bench = Member.objects.get(username=BENCH_USERNAME)
    talk = bench_talk()
    session = talk.session
    targets = {
        TRIVIAL: ("study:bench-trivial", [], ""),
        "home": ("study:home", [], ""),
        "session list": ("study:session-list", [], ""),
        "session page": ("study:session-detail", session.url_args, ""),
        "talk page": ("study:talk-detail", [talk.pk], ""),
        "member profile": ("study:member-detail", [bench.pk], ""),
        "paper library": ("study:paper-list", [], ""),
        "journal list": ("study:journal-list", [], ""),
        "search": ("study:search", [], f"?q={SEARCH_QUERY}"),
        # The year the generated history is busiest in: the latest session's.
        "participation": ("study:participation", [], f"?year={session.date.year}"),
        "rotation": ("study:rotation", [session.season.slug], ""),
        "backlog": ("study:backlog", [session.season.slug], ""),
    }
    urls = {}
    for name in PAGE_NAMES:
        url_name, args, query = targets[name]
        try:
            urls[name] = reverse(url_name, args=args) + query
        except NoReverseMatch:
            urls[name] = None
    return bench, urls


def cool():
    """What a write to every table does: no cached part is current."""
    from sessions.fragments import retire_everything

    retire_everything()


class Answering:
    """A member answering a question on the benchmark's session page while
    pages are read: the most common write while a group meets. Each answer
    is taken back before the next, so the data stays the same from run to
    run; the page is read right after the answer, before it is taken back."""

    def __init__(self, member, talk):
        from sessions.models import Question

        self.member = member
        self.question = Question.objects.filter(presentation=talk).order_by("position").first()
        self.answer = None

    def write(self):
        from sessions.models import Answer

        if self.answer is not None:
            self.answer.delete()
        self.answer = Answer(question=self.question, author=self.member, body="좋은 질문입니다.")
        self.answer.save()

    def undo(self):
        if self.answer is not None:
            self.answer.delete()
            self.answer = None


def crawl(client, size):
    """Request `size` session and talk pages (half each, as many as there
    are) twice, from an empty cache: the share of cached parts served from
    the cache on the second pass (the default cache, at its default size)."""
    from django.core.cache import cache

    from sessions import fragments
    from sessions.models import Presentation, StudySession

    sessions = StudySession.objects.select_related("season").order_by("-date")[: size // 2]
    talks = Presentation.objects.order_by("-pk").values_list("pk", flat=True)[
        : size - len(sessions)
    ]
    urls = [session.get_absolute_url() for session in sessions]
    urls += [f"/talks/{pk}/" for pk in talks]
    cache.clear()
    for url in urls:
        client.get(url)
    hits, misses = fragments.STATS["hits"], fragments.STATS["misses"]
    for url in urls:
        client.get(url)
    hits, misses = fragments.STATS["hits"] - hits, fragments.STATS["misses"] - misses
    return {"pages": len(urls), "hits": hits, "misses": misses}


def measure(scale, repeat, cold_repeat, warmup=3, show_queries=False, crawl_size=0):
    """Inside the child process: the numbers for every page at `scale`."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.benchmarks.common import prepare_data

    prepare_data(scale)
    bench, urls = page_urls()
    answering = Answering(bench, bench_talk())
    # A page that fails is reported as "HTTP 500", not allowed to stop the run.
    client = Client(raise_request_exception=False)
    client.force_login(bench)
    results = {name: {"url": url} for name, url in urls.items()}
    live = []
    for name, url in urls.items():
        if url is None:
            results[name]["status"] = "missing"
            continue
        for _ in range(warmup):
            response = client.get(url)
        if response.status_code != 200:
            results[name]["status"] = f"HTTP {response.status_code}"
            continue
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        cool()
        with CaptureQueriesContext(connection) as cold_queries:
            client.get(url)
        results[name].update(
            status="ok",
            queries=len(queries),
            cold_queries=len(cold_queries),
            bytes=len(response.content),
            times=[],
        )
        if show_queries:
            results[name]["sql"] = [
                (query["time"], query["sql"][:300]) for query in queries.captured_queries
            ]
        live.append(name)
    for _ in range(repeat):
        for name in live:
            started = time.perf_counter()
            client.get(urls[name])
            results[name]["times"].append((time.perf_counter() - started) * 1000)
    # Cold: right after a write, when no cached fragment is current.
    for name in live:
        results[name]["cold_times"] = []
    for _ in range(cold_repeat):
        for name in live:
            cool()
            started = time.perf_counter()
            client.get(urls[name])
            results[name]["cold_times"].append((time.perf_counter() - started) * 1000)
    # After an answer on the session page's talk: only what it can change is cold.
    for name in live:
        results[name]["answer_times"] = []
    for _ in range(cold_repeat):
        for name in live:
            answering.write()
            started = time.perf_counter()
            client.get(urls[name])
            results[name]["answer_times"].append((time.perf_counter() - started) * 1000)
    answering.undo()
    crawled = crawl(client, crawl_size) if crawl_size else None
    return {"scale": scale, "vendor": connection.vendor, "pages": results, "crawl": crawled}


def profile(scale, page, repeat, cold=False):
    """Inside the child process: cProfile and the SQL of one page (each
    request right after a write when `cold`)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.benchmarks.common import prepare_data

    prepare_data(scale)
    bench, urls = page_urls()
    if urls.get(page) is None:
        raise SystemExit(f"No such page: {page!r}. Pages: {', '.join(PAGE_NAMES)}")
    client = Client()
    client.force_login(bench)
    for _ in range(3):
        client.get(urls[page])
    if cold:
        cool()
    with CaptureQueriesContext(connection) as queries:
        client.get(urls[page])
    print(f"SQL of {page} ({urls[page]}) at {scale} scale, {connection.vendor}:")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1000:8.2f} ms  {query['sql'][:400]}")
    profiler = cProfile.Profile()
    for _ in range(repeat):
        if cold:
            cool()
        profiler.enable()
        client.get(urls[page])
        profiler.disable()
    print(f"\nProfile of {repeat} requests, by cumulative time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    print("By own time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)


def child_main(args):
    import django

    django.setup()
    if args.profile:
        profile(args.child, args.profile, args.repeat, cold=args.cold)
        return
    result = measure(
        args.child,
        args.repeat,
        args.cold_repeat,
        show_queries=args.show_queries,
        crawl_size=args.crawl,
    )
    sys.stdout.write("\n" + json.dumps(result) + "\n")


def run_scale(scale, args):
    url = database_url(scale)
    ensure_database(url, fresh=args.fresh)
    command = [sys.executable, "-m", "tests.benchmarks.bench_pages", "--child", scale]
    command += ["--repeat", str(args.repeat), "--cold-repeat", str(args.cold_repeat)]
    command += ["--crawl", str(args.crawl)]
    if args.profile:
        command += ["--profile", args.profile] + (["--cold"] if args.cold else [])
        subprocess.run(command, env=child_env(url), check=True)
        return None
    if args.show_queries:
        command.append("--show-queries")
    print(f"== {scale} scale: {url}", flush=True)
    output = subprocess.run(
        command, env=child_env(url), check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    lines = output.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return json.loads(lines[-1])


def print_table(results, repeat, cold_repeat):
    vendor = results[0]["vendor"] if results else "?"
    print()
    print(
        f"Page benchmark on {vendor}: {repeat} warm requests per page, interleaved; "
        "server time through Django's test client, production settings."
    )
    print(
        f"Cold: {cold_repeat} requests per page, each right after every table got a new "
        "version, so that no cached fragment is current (every part rendered afresh). "
        f"Answer: {cold_repeat} requests per page, each right after a member answered a "
        "question on the session page's first talk (only what that can change is rendered "
        "afresh). Queries: warm/cold."
    )
    header = (
        f"{'page':<16}{'scale':<7}{'queries':>9}{'median ms':>11}{'p95 ms':>9}{'× trivial':>11}"
        f"{'cold ms':>9}{'× trivial':>11}{'answer ms':>11}{'× trivial':>11}{'KB':>6}"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        pages = result["pages"]
        trivial = median(pages[TRIVIAL]["times"]) if pages[TRIVIAL].get("times") else None
        cold_trivial = (
            median(pages[TRIVIAL]["cold_times"]) if pages[TRIVIAL].get("cold_times") else None
        )
        answer_trivial = (
            median(pages[TRIVIAL]["answer_times"]) if pages[TRIVIAL].get("answer_times") else None
        )
        for name in PAGE_NAMES:
            page = pages[name]
            if page["status"] != "ok":
                print(f"{name:<16}{result['scale']:<7}{page['status']:>8}")
                continue
            middle, high = median(page["times"]), p95(page["times"])
            ratio = f"{middle / trivial:.2f}" if trivial else "-"
            cold = median(page["cold_times"]) if page.get("cold_times") else None
            cold_text = f"{cold:>9.1f}" if cold is not None else f"{'-':>9}"
            cold_ratio = f"{cold / cold_trivial:.2f}" if cold and cold_trivial else "-"
            answer = median(page["answer_times"]) if page.get("answer_times") else None
            answer_text = f"{answer:>11.1f}" if answer is not None else f"{'-':>11}"
            answer_ratio = f"{answer / answer_trivial:.2f}" if answer and answer_trivial else "-"
            queries = f"{page['queries']}/{page['cold_queries']}"
            print(
                f"{name:<16}{result['scale']:<7}{queries:>9}{middle:>11.1f}{high:>9.1f}"
                f"{ratio:>11}{cold_text}{cold_ratio:>11}{answer_text}{answer_ratio:>11}"
                f"{page['bytes'] / 1024:>6.0f}"
            )
            for seconds, sql in page.get("sql", []):
                print(f"{'':<23}{float(seconds) * 1000:8.2f} ms  {sql}")
        crawled = result.get("crawl")
        if crawled:
            parts = crawled["hits"] + crawled["misses"]
            rate = 100 * crawled["hits"] / parts if parts else 0
            print(
                f"Crawl of {crawled['pages']} session and talk pages ({result['scale']}), "
                f"second pass: {rate:.1f}% of {parts} cached parts from the cache"
            )
        print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="small,large", help="Comma-separated: small,large.")
    parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page.")
    parser.add_argument(
        "--cold-repeat", type=int, default=10, help="Timed requests per page right after a write."
    )
    parser.add_argument("--fresh", action="store_true", help="Drop and regenerate the data.")
    parser.add_argument("--profile", metavar="PAGE", help="Profile one page instead.")
    parser.add_argument(
        "--cold", action="store_true", help="With --profile: each request right after a write."
    )
    parser.add_argument("--show-queries", action="store_true", help="Print each page's SQL.")
    parser.add_argument(
        "--crawl",
        type=int,
        default=300,
        help="Session and talk pages crawled twice for the cache hit rate (0: none).",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return
    os.chdir(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    results = [run_scale(scale.strip(), args) for scale in args.scales.split(",") if scale.strip()]
    if not args.profile:
        print_table(results, args.repeat, args.cold_repeat)


if __name__ == "__main__":
    main()
