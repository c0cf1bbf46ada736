"""Throughput benchmark: gunicorn, production settings, PostgreSQL, loaded over loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studygroup_bench \\
        python -m tests.benchmarks.bench_throughput [--workers 2,4] [--write-rates 1,5] \\
        [--seconds 20] [--rounds 2] [--cache redis://127.0.0.1:6379/5]

Generates (or reuses) the large data set in `<name>_large` beside the
database DATABASE_URL names, then, for each `--workers` count in turn,
starts gunicorn with that many sync workers and production settings on a
free port of 127.0.0.1 (the cache: local memory per worker, as the
settings give, or the `--cache` URL as DJANGO_CACHE_URL), measures, and
stops it. Every gunicorn serves the same data.

Readers: `--concurrency` threads in a separate process, each a client that
requests one page again and again with the benchmark member's session
cookie. Four kinds of measurement, each `--seconds` long in total, split
into `--rounds` that alternate them so that drift in the machine's load
hits all alike:

- the trivial page (the base layout with no data), reads alone;
- a session page, reads alone;
- the same session page while a writer edits at each `--write-rates` rate
  (writes per second), one measurement per rate.

The writer is another process and another member: not the benchmark
reader, but a generated member who asked a question on the session being
read (given a password in the benchmark database). It logs in through the
login form once per gunicorn, with its own session cookie, and then edits
as a person does in the browser: it opens an edit form (GET, for the CSRF
token and the row's version), changes the text and submits it (POST, which
must answer 302; anything else is counted as an error). With `--follow`
it also opens the page the save redirects to (a third request, a page
rendered after the write), as a browser would. Writes start on a fixed schedule, 1/rate apart: an edit
still under way when the next is due does not hold it back (up to four run
at once, like tabs of one browser; a start that finds all four busy is
skipped and counted as missed, and late starts are never made up in a
burst). The writes per second that went through, the median time of one
edit (all its requests) and the errors are printed. The edits go round
this mix of five:

    1. one of its journal entries,
    2. one of its questions on another session,
    3. one of its journal entries,
    4. one of its answers on another session,
    5. its question (or answer) on the session being read,

so one write in five changes the page the readers read, the others change
what a member changes elsewhere on the site; each kind rotates over a few
rows. Each edit replaces a trailing "(edit N)" line in the text.

Prints per measurement as it goes, then a table with a column per worker
count: requests per second (and median and p95 latency) of each
measurement, the writes achieved and their errors, mixed / alone for each
rate and session page / trivial page, with issue 19's thresholds (mixed at
1 write/s at least 90% of alone, at 5 writes/s at least 70%, the session
page at least 50% of the trivial page) marked pass or FAIL, for
information: the exit status does not depend on them. gunicorn is stopped
at the end, whatever happens.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from tests.benchmarks.common import (
    PROJECT,
    child_env,
    database_url,
    ensure_database,
    is_postgresql,
    median,
    p95,
)

TRIVIAL, SESSION = "trivial page", "session page"
# The writer's login; set on the chosen member in the benchmark database only.
WRITER_PASSWORD = "studygroup-bench-writer"
# The writer's round of edits (see the module docstring).
WRITE_MIX = ("journal", "question elsewhere", "journal", "answer elsewhere", "read session")
# Edits the writer may have running at once (see `write`).
WRITER_TABS = 4
# Rows of each kind the writer rotates over.
ROWS_PER_KIND = 3
# mixed / alone that issue 19 asks for, by write rate; and session / trivial.
MIXED_THRESHOLDS = {1.0: 0.90, 5.0: 0.70}
SESSION_VS_TRIVIAL = 0.50


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout} s")


def number_list(text, kind=float):
    """A comma-separated list of positive numbers: `1,5` gives [1.0, 5.0]."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    try:
        values = [kind(part) for part in parts]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    if not values or any(value <= 0 for value in values):
        raise argparse.ArgumentTypeError(f"expected positive numbers separated by commas: {text!r}")
    return values


def int_list(text):
    """`2,4` gives [2, 4]."""
    return number_list(text, int)


# --- forms and cookies, as a browser handles them -------------------------------


class _FormParser(HTMLParser):
    """Collects each <form> with the name/value pairs a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None  # [name, text parts]
        self._select = None  # [name, [(value, selected)], multiple]
        self._option = None  # [value or None, text parts, selected]

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self._form = {
                "method": attrs.get("method", "get").lower(),
                "action": attrs.get("action", ""),
                "fields": [],
            }
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].append((name, attrs.get("value", "on")))
                return
            self._form["fields"].append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, []]
        elif tag == "select" and name:
            self._select = [name, [], "multiple" in attrs]
        elif tag == "option" and self._select is not None:
            self._option = [attrs.get("value"), [], "selected" in attrs]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option[1].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # A browser drops the newline right after <textarea> (Django writes one).
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._form["fields"].append((name, text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, parts, selected = self._option
            self._select[1].append((value if value is not None else "".join(parts), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options, multiple = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not multiple:
                chosen = [options[0][0]]
            self._form["fields"].extend((name, value) for value in chosen)
            self._select = None


def parse_forms(html):
    """Every form in `html`: {"method", "action", "fields": [(name, value), ...]}."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html, field):
    """The first POST form of `html` that has a field named `field`, or None."""
    for form in parse_forms(html):
        if form["method"] == "post" and any(name == field for name, _ in form["fields"]):
            return form
    return None


EDIT_MARK = re.compile(r"\n*\(edit \d+\)\s*\Z")


def edited_body(text, number):
    """`text` with its trailing "(edit N)" line (if any) replaced by edit `number`'s."""
    return f"{EDIT_MARK.sub('', text).rstrip()}\n\n(edit {number})"


def update_cookies(jar, set_cookie_headers):
    """Apply Set-Cookie headers to `jar` (name -> value), deleting expired cookies."""
    for header in set_cookie_headers:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or morsel.value == "":
                jar.pop(name, None)
            else:
                jar[name] = morsel.value


def cookie_header(jar):
    return "; ".join(f"{name}={value}" for name, value in jar.items())


class Browser:
    """One person's keep-alive connection and cookies (Secure ones included:
    the benchmark serves production settings over plain HTTP)."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn = None

    def request(self, method, path, fields=None):
        """(status, headers, text) of one request; cookies follow."""
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = cookie_header(self.cookies)
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (OSError, http.client.HTTPException):
                # A connection the server closed between two requests: once more.
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        update_cookies(self.cookies, response.msg.get_all("Set-Cookie") or [])
        if response.will_close:
            self.conn.close()
            self.conn = None
        return response.status, response.msg, text

    def submit(self, path, field, change, follow=False):
        """Open the form at `path`, apply `change` to the POST form's `field`
        values, submit it and, when `follow`, open the page it redirects to.
        None when that went as in a browser (a 302, and a page that answers
        200), else what went wrong."""
        status, _, html = self.request("GET", path)
        if status != 200:
            return f"GET {path}: {status}"
        form = form_with(html, field)
        if form is None:
            return f"GET {path}: no form with {field!r}"
        fields = [
            (name, change(value) if name == field else value) for name, value in form["fields"]
        ]
        target = form["action"] or path
        status, headers, text = self.request("POST", target, fields)
        if status != 302:
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)
            detail = re.sub(r"<[^>]+>", " ", " ".join(errors)).split() if errors else []
            return f"POST {target}: {status} {' '.join(detail)[:120]}".rstrip()
        if not follow:
            return None
        location = urlsplit(headers.get("Location", ""))
        page = location.path + (f"?{location.query}" if location.query else "")
        status, _, _ = self.request("GET", page)
        if status != 200:
            return f"GET {page} after POST {target}: {status}"
        return None


def login(port, username, password):
    """Cookies of `username` logged in through the login form over HTTP."""
    browser = Browser(port)
    status, _, html = browser.request("GET", "/accounts/login/")
    form = form_with(html, "password") if status == 200 else None
    if form is None:
        raise SystemExit(f"GET /accounts/login/: {status}, no login form")
    values = {"username": username, "password": password}
    fields = [(name, values.get(name, value)) for name, value in form["fields"]]
    status, _, _ = browser.request("POST", form["action"] or "/accounts/login/", fields)
    if status != 302 or "sessionid" not in browser.cookies:
        raise SystemExit(f"The writer {username!r} could not log in: POST answered {status}")
    return browser.cookies


# --- the writer (runs in its own process) -------------------------------------


class RateSchedule:
    """Start times 1/rate apart. A start whose time has passed when its turn
    comes happens at once and the schedule goes on from there: late writes
    are never made up in a burst."""

    def __init__(self, rate, start):
        self.interval = 1.0 / rate
        self.next = start

    def delay(self, now):
        """Seconds to wait before the next write may start."""
        return max(0.0, self.next - now)

    def started(self, now):
        """A write started at `now`: schedule the one after it."""
        self.next = max(self.next, now) + self.interval


def plan_step(plan, number):
    """(kind, edit path) of the writer's `number`th write (from 0) under `plan`."""
    kind = WRITE_MIX[number % len(WRITE_MIX)]
    rows = plan[kind]
    rounds, place = divmod(number, len(WRITE_MIX))
    turn = rounds * WRITE_MIX.count(kind) + WRITE_MIX[:place].count(kind)
    return kind, rows[turn % len(rows)]


def write(port, cookies, plan, rate, stop, tabs=WRITER_TABS, follow=False):
    """Edit at `rate` per second until `stop` is set; what was done.

    Each edit runs in one of `tabs` threads (browser tabs of the same login,
    each with its own connection), so that a slow edit does not hold back the
    next one; a start that finds every tab busy is skipped and counted as
    missed.
    """
    lock, local = threading.Lock(), threading.local()
    errors, latencies, missed = [], [], 0
    idle = threading.Semaphore(tabs)

    def edit(number):
        try:
            if not hasattr(local, "browser"):
                local.browser = Browser(port, cookies)
            kind, path = plan_step(plan, number)
            began = time.perf_counter()
            try:
                problem = local.browser.submit(
                    path, "body", lambda text: edited_body(text, number), follow
                )
            except Exception as exc:  # an error to count, not a reason to stop
                problem = f"{path}: {exc!r}"
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)
                if problem:
                    errors.append(f"{kind}: {problem}")
        finally:
            idle.release()

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=tabs)
    schedule = RateSchedule(rate, time.monotonic())
    started, number = time.monotonic(), 0
    while not stop.wait(schedule.delay(time.monotonic())):
        schedule.started(time.monotonic())
        if idle.acquire(blocking=False):
            pool.submit(edit, number)
            number += 1
        else:
            missed += 1
    seconds = time.monotonic() - started
    pool.shutdown(wait=True)
    return {
        "writes": number,
        "missed": missed,
        "errors": errors,
        "seconds": seconds,
        "latencies": latencies,
    }


def write_main(args):
    """The writer process: writes until its stdin closes, then prints what it did."""
    stop = threading.Event()

    def watch_stdin():
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    setup = json.loads(args.write)
    print("ready", flush=True)
    result = write(
        args.port, setup["cookies"], setup["plan"], setup["rate"], stop, follow=setup["follow"]
    )
    print(json.dumps(result), flush=True)


# --- the load generator (runs in its own process) -----------------------------


def load(port, path, cookie, seconds, max_requests, concurrency):
    """Request `path` from `concurrency` threads until time or count runs out."""
    deadline = time.monotonic() + seconds
    latencies, errors, lock = [], [], threading.Lock()
    headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if len(latencies) + len(errors) >= max_requests:
                    return
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                ok, response = False, exc
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (latencies if ok else errors).append(
                    elapsed if ok else str(getattr(response, "status", response))
                )

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "seconds": time.monotonic() - started}


def load_main(args):
    result = load(
        args.port, args.load, args.cookie, args.seconds, args.max_requests, args.concurrency
    )
    print(json.dumps(result))


# --- the data: the page read, the writer and what it edits ----------------------


def prepare_main():
    """Inside Django: the session page read and the writer's plan, as JSON."""
    import django

    django.setup()
    from django.urls import reverse

    from sessions.demo_data import BENCH_USERNAME
    from sessions.models import Answer, Member, Question, Reflection, StudySession

    session = StudySession.objects.past().first()
    askers = (
        Member.objects.filter(questions_asked__presentation__session=session)
        .exclude(username=BENCH_USERNAME)
        .distinct()
        .order_by("username")
    )
    # Preferably one who also answered there, so both kinds of edit touch the page.
    writer = (
        askers.filter(answers__question__presentation__session=session).first() or askers.first()
    )
    if writer is None:
        raise SystemExit(f"Nobody but {BENCH_USERNAME!r} asked a question on {session}")
    if not writer.check_password(WRITER_PASSWORD):
        writer.set_password(WRITER_PASSWORD)
        writer.save(update_fields=["password"])

    def edit_urls(name, queryset):
        return [reverse(name, args=[pk]) for pk in queryset.values_list("pk", flat=True)]

    here = {"presentation__session": session}
    read_session = edit_urls(
        "study:question-edit", Question.objects.filter(asked_by=writer, **here).order_by("pk")[:2]
    ) + edit_urls(
        "study:answer-edit",
        Answer.objects.filter(author=writer, question__presentation__session=session)
        .order_by("pk")[:1],
    )  # fmt: skip
    questions = edit_urls(
        "study:question-edit",
        Question.objects.filter(asked_by=writer).exclude(**here).order_by("-pk")[:ROWS_PER_KIND],
    )
    answers = edit_urls(
        "study:answer-edit",
        Answer.objects.filter(author=writer)
        .exclude(question__presentation__session=session)
        .order_by("-pk")[:ROWS_PER_KIND],
    ) or questions  # fmt: skip
    journal = edit_urls(
        "study:journal-edit",
        Reflection.objects.journals().filter(author=writer).order_by("-pk")[:ROWS_PER_KIND],
    ) or questions  # fmt: skip
    plan = {
        "journal": journal,
        "question elsewhere": questions,
        "answer elsewhere": answers,
        "read session": read_session,
    }
    print(
        json.dumps(
            {"session_path": session.get_absolute_url(), "writer": writer.username, "plan": plan}
        )
    )


# --- the run ------------------------------------------------------------------


def run_load(port, path, cookie, seconds, max_requests, concurrency):
    command = [
        sys.executable, "-m", "tests.benchmarks.bench_throughput", "--load", path,
        "--port", str(port), "--cookie", cookie, "--seconds", str(seconds),
        "--max-requests", str(max_requests), "--concurrency", str(concurrency),
    ]  # fmt: skip
    output = subprocess.run(
        command, check=True, stdout=subprocess.PIPE, text=True, cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    ).stdout  # fmt: skip
    return json.loads(output)


def run_mixed(port, path, cookie, seconds, max_requests, concurrency, writer):
    """Readers on `path` while a writer process edits: (load result, write result)."""
    command = [
        sys.executable, "-m", "tests.benchmarks.bench_throughput",
        "--write", json.dumps(writer), "--port", str(port),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )  # fmt: skip
    try:
        if process.stdout.readline().strip() != "ready":
            raise SystemExit("The writer did not start")
        result = run_load(port, path, cookie, seconds, max_requests, concurrency)
        process.stdin.close()
        written = json.loads(process.stdout.read())
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return result, written


def measurements(write_rates):
    """The measured configurations, in the order each round runs them."""
    return [(TRIVIAL, None), (SESSION, None), *((SESSION, rate) for rate in write_rates)]


def label(page, rate):
    return f"{page}, reads alone" if rate is None else f"{page}, mixed {rate:g} w/s"


def empty_total():
    return {"latencies": [], "errors": [], "seconds": 0.0, "writes": 0, "write_seconds": 0.0,
            "write_errors": [], "write_latencies": [], "missed": 0}  # fmt: skip


def add_result(total, result, written=None):
    total["latencies"] += result["latencies"]
    total["errors"] += result["errors"]
    total["seconds"] += result["seconds"]
    if written is not None:
        total["writes"] += written["writes"]
        total["write_seconds"] += written["seconds"]
        total["write_errors"] += written["errors"]
        total["write_latencies"] += written["latencies"]
        total["missed"] += written["missed"]


def rate_of(total):
    return len(total["latencies"]) / total["seconds"] if total["seconds"] else 0.0


def verdict(value, threshold):
    if threshold is None:
        return ""
    return f"{'pass' if value >= threshold else 'FAIL'} (>= {threshold:.0%})"


def writes_summary(writes, errors, missed, seconds, latencies):
    """Writes that went through per second, the median time of one edit (its
    requests), errors out of writes started, and missed starts."""
    achieved = (writes - len(errors)) / seconds if seconds else 0.0
    text = (
        f"{achieved:5.2f} w/s  {median(latencies) if latencies else 0:5.0f} ms each, "
        f"{len(errors)}/{writes} errors"
    )
    return f"{text}, {missed} missed" if missed else text


def summary_rows(totals, workers, write_rates):
    """(label, [cell per worker count]) rows of the final table.

    `totals[workers][(page, rate)]` is a measurement's total (see empty_total).
    """
    rows = []
    for page, rate in measurements(write_rates):
        cells = []
        for count in workers:
            total = totals[count][(page, rate)]
            latencies = total["latencies"]
            if latencies:
                cells.append(
                    f"{rate_of(total):7.1f} req/s  {median(latencies):5.1f}/{p95(latencies):5.1f} ms"
                )
            else:
                cells.append("no answers")
            if total["errors"]:
                cells[-1] += f"  {len(total['errors'])} errors"
        rows.append((label(page, rate), cells))
    for rate in write_rates:
        cells = []
        for count in workers:
            total = totals[count][(SESSION, rate)]
            cells.append(
                writes_summary(
                    total["writes"],
                    total["write_errors"],
                    total["missed"],
                    total["write_seconds"],
                    total["write_latencies"],
                )  # fmt: skip
            )
        rows.append((f"writes achieved at {rate:g} w/s", cells))
    for rate in write_rates:
        cells = []
        for count in workers:
            alone = rate_of(totals[count][(SESSION, None)])
            mixed = rate_of(totals[count][(SESSION, rate)])
            ratio = mixed / alone if alone else 0.0
            cells.append(f"{ratio:6.1%}  {verdict(ratio, MIXED_THRESHOLDS.get(rate))}")
        rows.append((f"mixed {rate:g} w/s / alone", cells))
    cells = []
    for count in workers:
        trivial = rate_of(totals[count][(TRIVIAL, None)])
        session = rate_of(totals[count][(SESSION, None)])
        ratio = session / trivial if trivial else 0.0
        cells.append(f"{ratio:6.1%}  {verdict(ratio, SESSION_VS_TRIVIAL)}")
    rows.append(("session alone / trivial", cells))
    return rows


def format_table(rows, workers):
    """The rows as text, a column per worker count."""
    first = max([len(name) for name, _ in rows] + [len("measurement")]) + 2
    width = max([len(cell) for _, cells in rows for cell in cells] + [12]) + 3
    header = "measurement".ljust(first) + "".join(
        f"{count} workers".ljust(width) for count in workers
    )
    lines = [header.rstrip(), "-" * len(header.rstrip())]
    for name, cells in rows:
        lines.append((name.ljust(first) + "".join(cell.ljust(width) for cell in cells)).rstrip())
    return "\n".join(lines)


def start_gunicorn(env, workers, port):
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "studygroup.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=PROJECT,
    )  # fmt: skip


def stop_gunicorn(gunicorn):
    gunicorn.terminate()
    try:
        gunicorn.wait(timeout=15)
    except subprocess.TimeoutExpired:
        gunicorn.kill()
        gunicorn.wait()


def measure(args, env, workers, setup, cookie):
    """All measurements on a gunicorn with `workers` workers: {(page, rate): total}."""
    pages = {TRIVIAL: "/bench/trivial/", SESSION: setup["session_path"]}
    port = free_port()
    gunicorn = start_gunicorn(env, workers, port)
    totals = {key: empty_total() for key in measurements(args.write_rates)}
    try:
        wait_until_up(port)
        print(f"== gunicorn: {workers} workers on 127.0.0.1:{port}", flush=True)
        writer_cookies = login(port, setup["writer"], WRITER_PASSWORD)
        for path in pages.values():
            run_load(port, path, cookie, 2, 1000, args.concurrency)  # warm-up
        per_round = args.seconds / args.rounds
        cap = args.max_requests // args.rounds
        for round_number in range(args.rounds):
            for page, rate in measurements(args.write_rates):
                if rate is None:
                    result = run_load(port, pages[page], cookie, per_round, cap, args.concurrency)
                    written, note = None, ""
                else:
                    writer = {
                        "cookies": writer_cookies, "plan": setup["plan"], "rate": rate,
                        "follow": args.follow,
                    }  # fmt: skip
                    result, written = run_mixed(
                        port, pages[page], cookie, per_round, cap, args.concurrency, writer
                    )
                    note = "   writes: " + writes_summary(
                        written["writes"], written["errors"], written["missed"],
                        written["seconds"], written["latencies"],
                    )  # fmt: skip
                    for problem in written["errors"][:3]:
                        note += f"\n      {problem}"
                add_result(totals[(page, rate)], result, written)
                print(
                    f"   {workers}w round {round_number + 1}: {label(page, rate):<32} "
                    f"{len(result['latencies']) / result['seconds']:7.1f} req/s{note}",
                    flush=True,
                )
    finally:
        stop_gunicorn(gunicorn)
    return totals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="large", choices=["small", "large"])
    parser.add_argument("--workers", type=int_list, default=[2, 4], help="e.g. 2,4")
    parser.add_argument(
        "--write-rates", type=number_list, default=[1, 5], help="Writes per second, e.g. 1,5."
    )
    parser.add_argument(
        "--seconds", type=float, default=20, help="Load time per measurement, over all rounds."
    )
    parser.add_argument("--rounds", type=int, default=2, help="Alternations of the measurements.")
    parser.add_argument("--max-requests", type=int, default=50_000, help="Cap per measurement.")
    parser.add_argument("--concurrency", type=int, default=4, help="Reader threads.")
    parser.add_argument(
        "--cache",
        default=None,
        help="DJANGO_CACHE_URL for gunicorn, e.g. redis://127.0.0.1:6379/5 "
        "(default: what the settings give, local memory per worker).",
    )
    parser.add_argument(
        "--follow",
        action="store_true",
        help="The writer also opens the page each save redirects to, as a browser does.",
    )
    parser.add_argument("--fresh", action="store_true", help="Drop and regenerate the data.")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cookie", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        load_main(args)
        return
    if args.write:
        write_main(args)
        return
    if args.prepare:
        prepare_main()
        return

    url = database_url(args.scale)
    if not is_postgresql(url):
        raise SystemExit(
            "The throughput run needs PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/studygroup_bench"
        )
    ensure_database(url, fresh=args.fresh)
    env = child_env(url)
    if args.cache is not None:
        env["DJANGO_CACHE_URL"] = args.cache
    cache = env.get("DJANGO_CACHE_URL") or "local memory per worker"
    print(f"== preparing {args.scale} data in {url}", flush=True)
    cookie = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.common", "prepare", args.scale],
        env=env, cwd=PROJECT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    setup = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.bench_throughput", "--prepare"],
            env=env,
            cwd=PROJECT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]  # fmt: skip
    )
    print(
        f"== reading {setup['session_path']}; writer {setup['writer']} edits "
        f"{sum(len(paths) for paths in setup['plan'].values())} rows in the mix "
        f"{', '.join(WRITE_MIX)}; cache: {cache}",
        flush=True,
    )

    load_before = os.getloadavg()
    totals = {}
    for workers in args.workers:
        totals[workers] = measure(args, env, workers, setup, cookie)
    load_after = os.getloadavg()

    print()
    print(
        f"Throughput: gunicorn sync workers, PostgreSQL, {args.scale} data, cache: {cache}, "
        f"{args.concurrency} reader threads on loopback, {args.seconds:g} s per measurement "
        f"in {args.rounds} rounds; req/s and median/p95 latency; each write: GET form, POST"
        f"{', GET the page it redirects to' if args.follow else ''}"
    )
    print(format_table(summary_rows(totals, args.workers, args.write_rates), args.workers))
    for workers in args.workers:
        for (page, rate), total in totals[workers].items():
            if total["errors"]:
                print(
                    f"{workers} workers, {label(page, rate)}: read errors {sorted(set(total['errors']))[:5]}"
                )
            if total["write_errors"]:
                print(
                    f"{workers} workers, {label(page, rate)}: write errors "
                    f"{sorted(set(total['write_errors']))[:5]}"
                )
    print(
        "Load average (1, 5, 15 min) before: "
        f"{' '.join(f'{value:.2f}' for value in load_before)}, after: "
        f"{' '.join(f'{value:.2f}' for value in load_after)} (the benchmark's own included), "
        f"{os.cpu_count()} CPUs"
    )
    print("Thresholds (issue 19) are information: the exit status does not depend on them.")


if __name__ == "__main__":
    main()
