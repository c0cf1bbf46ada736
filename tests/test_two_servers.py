"""Two app servers behind a load balancer share everything that matters.

Started here, all on 127.0.0.1: two gunicorn servers of the app (A and B)
with production settings, haproxy in front of them (it stands for the
TLS-terminating proxy: it sets `X-Forwarded-Proto: https`), one PostgreSQL
database of their own beside the test database, one Redis cache (the
machine's, under a key prefix of this run), a moto S3 server for uploads,
and one task worker (`manage.py db_worker`). Server B reaches the database
through a TCP proxy the test can close, to play a database outage without
touching the machine's PostgreSQL.

Checks: slides uploaded through A download through B; an edit through A is
what B shows next; an invitation enqueued by A is mailed by the worker;
B's /healthz says 503 while its database is gone and 200 once it is back;
stopping A under load loses no acknowledged write, and B keeps serving.

Needs DATABASE_URL to name a PostgreSQL database and haproxy installed
(.ci/run installs it); otherwise the module is skipped with the reason
(under STUDYGROUP_REQUIRE_SERVERS=1, as in CI, a missing component on
PostgreSQL fails instead).
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import psycopg
import pytest
import redis
import requests

from tests.editing import form_data

pytestmark = pytest.mark.servers

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("STUDYGROUP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "two-servers-" + secrets.token_hex(8)
TINY_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
# Every wait is bounded: services start, mails arrive, checks turn within this.
WAIT_SECONDS = 30


def _skip_reason():
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        return "two-server test: needs DATABASE_URL=postgres://… (the servers share one PostgreSQL database)"
    if shutil.which("haproxy") is None:
        return "two-server test: haproxy is not installed (apt-get install haproxy)"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return f"two-server test: no Redis at {REDIS_URL}"
    return None


_REASON = _skip_reason()
if _REASON and DATABASE_URL.startswith("postgres") and os.environ.get("STUDYGROUP_REQUIRE_SERVERS"):
    # CI installs every component: there a missing one is a failure.
    pytest.fail(_REASON, pytrace=False)
if _REASON:
    pytest.skip(_REASON, allow_module_level=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what, check, seconds=WAIT_SECONDS, logs=()):
    """Poll `check` until it returns something true; fail naming `what`
    (with the end of the given log files) after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, requests.RequestException):
            result = None
        if result:
            return result
        time.sleep(0.1)
    tails = "\n".join(
        f"--- {log}\n{Path(log).read_text()[-3000:]}" for log in logs if Path(log).exists()
    )
    pytest.fail(f"{what} did not happen within {seconds} s\n{tails}")


class TcpProxy:
    """A TCP forwarder from 127.0.0.1:<port> to `target` that can be closed
    (every connection cut, new ones refused) and opened again on the same port."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener = None
        self._sockets = set()
        self._lock = threading.Lock()

    def open(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self):
        # shutdown() first: it wakes the thread waiting in accept(), and the
        # port stops listening (close() alone leaves it to that thread).
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self._sockets.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class Browser:
    """A logged-in member's HTTP client for one address (a server or the
    load balancer). Cookies are kept by hand: they are `Secure`, as in
    production, and the test speaks plain HTTP on loopback."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}

    def request(self, method, path, **kwargs):
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": "https://" + urlsplit(self.base).netloc,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **kwargs.pop("headers", {}),
        }
        response = requests.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=20, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request("POST", path, data=data, **kwargs)

    def form(self, path):
        """What the form on page `path` sends unchanged."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return form_data(response.text)

    def log_in(self, username, password):
        self.get("/accounts/login/")
        response = self.post("/accounts/login/", {"username": username, "password": password})
        assert (response.status_code, response.headers.get("Location")) == (302, "/"), (
            response.text[:500]
        )
        return self


class Cluster:
    def __init__(self, tmp):
        self.tmp = tmp
        self.processes = {}
        self.run_id = secrets.token_hex(4)
        # One key for both servers: a session cookie from A opens B.
        self.secret_key = "two-servers-" + secrets.token_hex(24)
        parts = urlsplit(DATABASE_URL)
        self.db_name = f"{parts.path.lstrip('/')}_servers"
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        self.db_url = urlunsplit(parts._replace(path=f"/{self.db_name}"))
        self.db_proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        self.db_url_via_proxy = urlunsplit(
            parts._replace(path=f"/{self.db_name}", netloc=self._netloc(parts, self.db_proxy.port))
        )
        self.ports = {name: free_port() for name in ("a", "b", "lb", "s3")}
        self.bucket = f"media-{self.run_id}"
        self.mail_dir = tmp / "mail"
        self.mail_dir.mkdir()

    @staticmethod
    def _netloc(parts, port):
        user = (
            f"{parts.username}{':' + parts.password if parts.password else ''}@"
            if parts.username
            else ""
        )
        return f"{user}127.0.0.1:{port}"

    def url(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self, database_url):
        return {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_BEHIND_PROXY": "true",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "DJANGO_CACHE_URL": REDIS_URL,
            "DJANGO_CACHE_KEY_PREFIX": f"two-servers-{self.run_id}",
            "DJANGO_S3_BUCKET": self.bucket,
            "DJANGO_S3_ENDPOINT_URL": self.url("s3"),
            "DJANGO_S3_REGION": "us-east-1",
            "DJANGO_S3_ACCESS_KEY_ID": "testing",
            "DJANGO_S3_SECRET_ACCESS_KEY": "testing",
            "DJANGO_S3_ADDRESSING_STYLE": "path",
            "DJANGO_STATIC_ROOT": str(self.tmp / "static"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(self.mail_dir),
            "DJANGO_LOG_LEVEL": "INFO",
        }

    def start(self, name, args, database_url=None, ready=None):
        log = self.tmp / f"{name}.log"
        env = self.env(database_url or self.db_url)
        self.processes[name] = subprocess.Popen(
            args, cwd=PROJECT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        if ready:
            wait_for(f"{name} to start", ready, logs=[log])

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT,
            env=self.env(self.db_url),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def stop(self, name):
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def up(self):
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            conn.execute(
                f"CREATE DATABASE \"{self.db_name}\" ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' "
                "LC_COLLATE 'C.UTF-8' TEMPLATE template0"
            )
        self.start(
            "s3",
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.ports["s3"])],
            ready=lambda: requests.get(self.url("s3"), timeout=1).status_code < 500,
        )
        boto3.client(
            "s3",
            endpoint_url=self.url("s3"),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=self.bucket)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("compiletranslations")
        self.people = self._people()
        self.db_proxy.open()
        for name, database_url in (("a", self.db_url), ("b", self.db_url_via_proxy)):
            self.start(
                name,
                [
                    str(BIN / "gunicorn"),
                    "studygroup.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.ports[name]}",
                    "--graceful-timeout",
                    "10",
                ],
                database_url=database_url,
                ready=lambda name=name: (
                    requests.get(
                        self.url(name) + "/accounts/login/",
                        headers={"X-Forwarded-Proto": "https"},
                        timeout=2,
                    ).status_code
                    == 200
                ),
            )
        self.start(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        )
        self.health_path = self._health_path()
        (self.tmp / "haproxy.cfg").write_text(self._haproxy_config())
        self.start(
            "lb",
            ["haproxy", "-db", "-f", str(self.tmp / "haproxy.cfg")],
            ready=lambda: (
                requests.get(self.url("lb") + "/accounts/login/", timeout=2).status_code == 200
            ),
        )

    def _health_path(self):
        """/healthz when this build has it (JSON), else the login page, for
        haproxy's checks."""
        response = requests.get(
            self.url("a") + "/healthz",
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=5,
        )
        is_health = response.headers.get("Content-Type", "").startswith("application/json")
        return "/healthz" if is_health else "/accounts/login/"

    def _haproxy_config(self):
        check = f"http-check send meth GET uri {self.health_path} ver HTTP/1.1 hdr Host 127.0.0.1 hdr X-Forwarded-Proto https"
        return "\n".join(
            [
                "global",
                "    maxconn 256",
                "defaults",
                "    mode http",
                "    timeout connect 2s",
                "    timeout client 30s",
                "    timeout server 30s",
                # A busy server answers its check late, not never.
                "    timeout check 5s",
                # A request that could not reach a server goes to the other one
                # (never retried once a server has it: writes are not repeated).
                "    retries 3",
                "    option redispatch 1",
                "frontend web",
                f"    bind 127.0.0.1:{self.ports['lb']}",
                "    http-request set-header X-Forwarded-Proto https",
                "    default_backend app",
                "backend app",
                "    balance roundrobin",
                "    option httpchk",
                f"    {check}",
                "    http-check expect status 200",
                "    http-response set-header X-Served-By %[srv_name]",
                f"    server a 127.0.0.1:{self.ports['a']} check inter 500ms fall 3 rise 1",
                f"    server b 127.0.0.1:{self.ports['b']} check inter 500ms fall 3 rise 1",
                "",
            ]
        )

    def _people(self):
        """An organizer who can log in, a member to invite, a season and its session."""
        code = (
            "import datetime\n"
            "from sessions.models import Member, Season, StudySession\n"
            f"o = Member.objects.create_user(username='organizer', password={PASSWORD!r}, "
            "display_name='정운영', email='organizer@example.org', role=Member.Role.ORGANIZER)\n"
            "i = Member.objects.create(username='newcomer', display_name='김신입', email='newcomer@example.org')\n"
            "i.set_unusable_password(); i.save()\n"
            "s = Season.objects.create(slug='s1', name='2026 논문 스터디')\n"
            f"StudySession.objects.create(season=s, number=1, date=datetime.date({date.today().year}, 1, 5))\n"
            "print(o.pk, i.pk)\n"
        )
        organizer, invitee = self.manage("shell", "-c", code).split()[-2:]
        return {"organizer": int(organizer), "invitee": int(invitee)}

    def down(self):
        for name in list(self.processes):
            self.stop(name)
        try:
            self.db_proxy.close()
        except (OSError, AttributeError):
            pass
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        cache = redis.Redis.from_url(REDIS_URL)
        for key in cache.scan_iter(f"two-servers-{self.run_id}:*"):
            cache.delete(key)

    def query(self, sql, *params):
        with psycopg.connect(self.db_url) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(tmp_path_factory.mktemp("servers"))
    try:
        cluster.up()
        yield cluster
    finally:
        cluster.down()


@pytest.fixture(scope="module")
def talk_url(cluster):
    """A talk with slides, posted through server A."""
    a = Browser(cluster.url("a")).log_in("organizer", PASSWORD)
    response = a.post(
        "/seasons/s1/1/talks/new/",
        {
            "topic": "셀프 어텐션",
            "presenters": [cluster.people["organizer"]],
            "paper_links": "",
            "slides_url": "",
            "summary": "첫 요약",
        },
        files={"slides": ("발표.pdf", TINY_PDF, "application/pdf")},
    )
    assert response.status_code == 302, response.text[:2000]
    return response.headers["Location"]


def test_slides_uploaded_through_a_download_through_b(cluster, talk_url):
    a = Browser(cluster.url("a")).log_in("organizer", PASSWORD)
    slides = re.search(r'href="(/media/slides/[^"]+\.pdf)"', a.get(talk_url).text).group(1)

    b = Browser(cluster.url("b")).log_in("organizer", PASSWORD)
    response = b.get(slides)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{cluster.url('s3')}/{cluster.bucket}/slides/")
    assert requests.get(response.headers["Location"], timeout=10).content == TINY_PDF
    # Anonymous visitors get the login page from either server.
    assert (
        requests.get(
            cluster.url("b") + slides,
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=10,
        )
        .headers["Location"]
        .startswith("/accounts/login/")
    )


def test_edit_through_a_is_what_b_shows_next(cluster, talk_url):
    a = Browser(cluster.url("a")).log_in("organizer", PASSWORD)
    b = Browser(cluster.url("b")).log_in("organizer", PASSWORD)
    assert "첫 요약" in b.get(talk_url).text  # now in the shared cache
    edit_url = talk_url.rstrip("/") + "/edit/"
    form = a.form(edit_url)

    response = a.post(edit_url, {**form, "summary": "고친 요약: 두 서버가 함께 본다"})
    assert response.status_code == 302, response.text[:2000]

    page = b.get(talk_url).text
    assert ("고친 요약: 두 서버가 함께 본다" in page, "첫 요약" in page) == (True, False)
    cached = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"two-servers-{cluster.run_id}:*"))
    assert cached, "the servers share fragments through Redis"


def test_invitation_enqueued_by_a_is_mailed_by_the_worker(cluster):
    a = Browser(cluster.url("a")).log_in("organizer", PASSWORD)
    invitee = cluster.people["invitee"]

    response = a.post(f"/members/{invitee}/invite/", {})
    assert (response.status_code, response.headers["Location"]) == (302, f"/members/{invitee}/")

    def delivered():
        mails = [path.read_text() for path in cluster.mail_dir.iterdir()]
        return [text for text in mails if "To: newcomer@example.org" in text]

    (mail,) = wait_for("the invitation mail", delivered, logs=[cluster.tmp / "worker.log"])
    assert re.search(r"https://127\.0\.0\.1:\d+/invite/[^/\s]+/[^/\s]+/", mail)
    assert cluster.query("SELECT task_path, status FROM django_tasks_database_dbtaskresult") == [
        ("sessions.tasks.email_invitation", "SUCCESSFUL")
    ]


def test_healthz_says_503_while_the_database_is_gone_and_200_when_it_is_back(cluster):
    def health():
        return requests.get(
            cluster.url("b") + "/healthz",
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=10,
        )

    if cluster.health_path != "/healthz":
        pytest.skip("this build has no /healthz")
    assert health().status_code == 200
    cluster.db_proxy.close()
    try:
        # (A Response with status 503 is false, hence its JSON.)
        down = wait_for(
            "/healthz to say 503", lambda: (r := health()).status_code == 503 and r.json()
        )
        assert (down["status"], down["checks"]["database"]["ok"]) == ("unavailable", False)
        # Server A, on the database directly, still answers.
        assert (
            requests.get(
                cluster.url("a") + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=10
            ).status_code
            == 200
        )
    finally:
        cluster.db_proxy.open()
    up = wait_for(
        "/healthz to say 200 again", lambda: (r := health()).status_code == 200 and r.json()
    )
    assert up["status"] == "ok"


def test_stopping_a_under_load_loses_no_acknowledged_write(cluster):
    """Four members write journal entries through the load balancer while
    server A is stopped (SIGTERM: gunicorn finishes what it has, then
    exits). Every entry the app acknowledged is in the database; B serves on."""
    writers, posts_each, stop_after = 4, 30, 20
    acknowledged, failed, served_by, failures = [], [], [], []
    lock = threading.Lock()
    enough = threading.Event()
    browsers = [Browser(cluster.url("lb")).log_in("organizer", PASSWORD) for _ in range(writers)]
    form = browsers[0].form("/journal/new/")

    def write(number, browser):
        for post in range(posts_each):
            title = f"load {number}-{post}"
            try:
                response = browser.post(
                    "/journal/new/", {**form, "title": title, "body": f"{title} 본문"}
                )
                ok = response.status_code == 302 and re.fullmatch(
                    r"/journal/\d+/", response.headers["Location"]
                )
            except requests.RequestException as error:
                ok, response = False, error
            with lock:
                (acknowledged if ok else failed).append(title)
                if not ok:
                    failures.append(
                        (
                            getattr(response, "status_code", repr(response)),
                            getattr(response, "headers", {}).get("X-Served-By"),
                            getattr(response, "text", "")[:300],
                        )
                    )
                if ok:
                    served_by.append(response.headers.get("X-Served-By"))
                if len(acknowledged) >= stop_after:
                    enough.set()

    threads = [threading.Thread(target=write, args=(n, b)) for n, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    assert enough.wait(WAIT_SECONDS), f"writes did not get going: {failed[:5]}"
    cluster.stop("a")
    with lock:
        stopped_at = len(served_by)
    for thread in threads:
        thread.join(timeout=120)

    stored = {
        title
        for (title,) in cluster.query(
            "SELECT title FROM study_reflection WHERE title LIKE 'load %%'"
        )
    }
    assert set(acknowledged) <= stored
    assert len(acknowledged) + len(failed) == writers * posts_each
    # Both servers took writes before A stopped, only B afterwards.
    assert {"a", "b"} <= set(served_by[:stopped_at])
    assert len(served_by) > stopped_at + writers, f"writes went on after A stopped: {failures}"
    assert set(served_by[stopped_at + writers :]) == {"b"}
    # Unacknowledged: only requests A had taken in but not started when its
    # last worker exited (the balancer answers 502 for them; it does not
    # send a write twice). About one per writer; never an error of the app.
    assert {status for status, _server, _text in failures} <= {502}, failures
    assert len(failed) <= 2 * writers, failures
    lb = browsers[0]
    assert [lb.get("/journal/").status_code for _ in range(5)] == [200] * 5
