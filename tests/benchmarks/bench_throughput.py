"""Throughput benchmark: gunicorn, production settings, PostgreSQL, loaded over loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/studygroup_bench \\
        python -m tests.benchmarks.bench_throughput

Generates (or reuses) the large data set in `<name>_large` beside the
database DATABASE_URL names, starts gunicorn with 2 sync workers and
production settings on a free port of 127.0.0.1, and loads it from a
separate process: `--concurrency` threads, each a client that requests
one page again and again with a logged-in session cookie, for
`--seconds` per page (split into `--rounds` that alternate the pages, so
that drift in the machine's load hits both alike) and at most
`--max-requests`. Prints requests per second, median and p95 latency for
the session page and the trivial page (the base layout with no data), and
their ratio. gunicorn is stopped at the end, whatever happens.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

from tests.benchmarks.common import (
    PROJECT,
    child_env,
    database_url,
    ensure_database,
    is_postgresql,
    median,
    p95,
)

WORKERS = 2


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="large", choices=["small", "large"])
    parser.add_argument("--seconds", type=float, default=15, help="Load time per page.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternations of the pages.")
    parser.add_argument("--max-requests", type=int, default=50_000, help="Cap per page.")
    parser.add_argument("--concurrency", type=int, default=4, help="Client threads.")
    parser.add_argument("--fresh", action="store_true", help="Drop and regenerate the data.")
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--cookie", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load:
        load_main(args)
        return

    url = database_url(args.scale)
    if not is_postgresql(url):
        raise SystemExit(
            "The throughput run needs PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/studygroup_bench"
        )
    ensure_database(url, fresh=args.fresh)
    env = child_env(url)
    print(f"== preparing {args.scale} data in {url}", flush=True)
    cookie = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.common", "prepare", args.scale],
        env=env, cwd=PROJECT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    session_path = subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), "shell", "-c",
         "from sessions.models import StudySession; print(StudySession.objects.past().first().get_absolute_url())"],
        env=env, cwd=PROJECT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    pages = {"trivial page": "/bench/trivial/", "session page": session_path}

    port = free_port()
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "studygroup.wsgi", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=PROJECT,
    )  # fmt: skip
    try:
        wait_until_up(port)
        print(
            f"== gunicorn: {WORKERS} workers on 127.0.0.1:{port}, production settings", flush=True
        )
        for path in pages.values():
            run_load(port, path, cookie, 2, 1000, args.concurrency)  # warm-up
        totals = {name: {"latencies": [], "errors": [], "seconds": 0.0} for name in pages}
        per_round = args.seconds / args.rounds
        for round_number in range(args.rounds):
            for name, path in pages.items():
                result = run_load(
                    port, path, cookie, per_round, args.max_requests // args.rounds,
                    args.concurrency,
                )  # fmt: skip
                for key in ("latencies", "errors"):
                    totals[name][key] += result[key]
                totals[name]["seconds"] += result["seconds"]
                print(
                    f"   round {round_number + 1}: {name:<13} "
                    f"{len(result['latencies']) / result['seconds']:7.1f} req/s",
                    flush=True,
                )
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=15)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait()

    print()
    print(
        f"Throughput: gunicorn ({WORKERS} sync workers), PostgreSQL, {args.scale} data, "
        f"{args.concurrency} client threads on loopback, {args.seconds:g} s per page"
    )
    header = f"{'page':<14}{'requests':>9}{'errors':>8}{'req/s':>9}{'median ms':>11}{'p95 ms':>9}"
    print(header)
    print("-" * len(header))
    rates = {}
    for name, total in totals.items():
        count = len(total["latencies"])
        rates[name] = count / total["seconds"]
        print(
            f"{name:<14}{count:>9}{len(total['errors']):>8}{rates[name]:>9.1f}"
            f"{median(total['latencies']):>11.1f}{p95(total['latencies']):>9.1f}"
        )
        if total["errors"]:
            print(f"  errors: {sorted(set(total['errors']))[:5]}")
    print(
        f"session page / trivial page: {rates['session page'] / rates['trivial page']:.0%} of the requests per second"
    )


if __name__ == "__main__":
    main()
