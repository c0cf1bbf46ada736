"""What the benchmarks share: their own databases, production settings, statistics.

The benchmarks never touch the app's database. Each scale gets its own:
a SQLite file under the temporary directory by default, or, when
DATABASE_URL names a PostgreSQL database, a sibling database named
`<name>_<scale>` on the same server (created UTF-8, as the README asks).
A database that already holds the scale's data is reused; `--fresh`
drops it and generates again.
"""

import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parents[2]
TMP = Path(os.environ.get("BENCH_TMP") or tempfile.gettempdir())
STATIC_ROOT = TMP / "studygroup-bench-static"

# Production settings, except plain HTTP (the load stays on loopback) and a
# throw-away secret. Connections persist across requests, as a deployment
# behind gunicorn would configure them.
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
    "DJANGO_STATIC_ROOT": str(STATIC_ROOT),
    "DJANGO_LOG_LEVEL": "ERROR",
    "DATABASE_CONN_MAX_AGE": "60",
}


def database_url(scale):
    """The benchmark database for `scale`, derived from DATABASE_URL when it is PostgreSQL."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(base)
        name = parts.path.lstrip("/") or "studygroup_bench"
        return urlunsplit(parts._replace(path=f"/{name}_{scale}"))
    return f"sqlite:///{TMP / f'studygroup-bench-{scale}.sqlite3'}"


def is_postgresql(url):
    return url.startswith(("postgres://", "postgresql://"))


def ensure_database(url, fresh=False):
    """Create the benchmark database (dropping it first when `fresh`)."""
    if not is_postgresql(url):
        path = Path(urlsplit(url).path)
        if fresh and path.exists():
            path.unlink()
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # A UTF-8 ctype: pg_trgm sees no Hangul under "C" (DESIGN.md).
            conn.execute(
                f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' "
                "LC_COLLATE 'C.UTF-8' TEMPLATE template0"
            )


def child_env(url):
    return {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "studygroup.settings",
        "PYTHONPATH": str(PROJECT),
    }


def manage(url, *args):
    """Run a manage.py command against the benchmark database, with production settings."""
    subprocess.run(
        [sys.executable, str(PROJECT / "manage.py"), *args], env=child_env(url), check=True
    )


def prepare_data(scale_name, verbosity=1):
    """Inside a configured Django process: migrate, then generate `scale_name` unless present.

    Raises SystemExit when the database holds other data than the scale's.
    """
    from django.core.management import call_command

    from sessions.demo_data import SCALES
    from sessions.models import Question, StudySession

    scale = SCALES[scale_name]
    call_command("migrate", interactive=False, verbosity=0)
    sessions = StudySession.objects.count()
    if sessions == 0:
        # Progress goes to stderr: stdout carries the child's result.
        call_command("generate_demo_data", scale=scale_name, verbosity=verbosity, stdout=sys.stderr)
    elif (sessions, Question.objects.count()) != (scale.sessions, scale.questions):
        raise SystemExit(
            f"The benchmark database holds other data than the {scale_name} scale; "
            "run again with --fresh."
        )
    call_command("collectstatic", interactive=False, verbosity=0)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def p95(values):
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def login_session(username):
    """Inside a configured Django process: a logged-in session for `username`; its key.

    Made directly in the session store, as a login would leave it, so that
    load runs do not go through the login form (and its throttling).
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from sessions.auth import MEMBER_BACKEND
    from sessions.models import Member

    member = Member.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = MEMBER_BACKEND
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.create()
    return store.session_key


def _prepare_main(argv):
    """`python -m tests.benchmarks.common prepare SCALE`: data ready, a session key printed."""
    import django

    django.setup()
    from sessions.demo_data import BENCH_USERNAME

    prepare_data(argv[1])
    print(login_session(BENCH_USERNAME))


if __name__ == "__main__":
    _prepare_main(sys.argv[1:])
