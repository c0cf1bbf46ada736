"""Browser tests: Playwright driving the system Chromium against `live_server`.

The browser is Debian's `chromium` at /usr/bin/chromium (STUDYGROUP_CHROMIUM
names another binary); a browser is never downloaded. Without it the tests
are skipped with one line saying how to enable them, unless
STUDYGROUP_REQUIRE_BROWSER=1 (as in .ci/run), where a missing browser fails.

One browser serves the whole package; every test gets a fresh context (its
own cookies and storage) and a clean database (`live_server` implies
`transactional_db`). Full-page screenshots land in test-artifacts/screenshots/.
"""

import os

import pytest
from django.conf import settings
from django.test import Client

from .support import SCREENSHOTS, PageWatch, saved_screenshots

CHROMIUM = os.environ.get("STUDYGROUP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Playwright waits this long (ms) for an element or a navigation.
TIMEOUT_MS = 10_000


def _unavailable_reason():
    """Why the browser tests cannot run here, or None when they can."""
    if not os.access(CHROMIUM, os.X_OK):
        return (
            f"browser tests skipped: {CHROMIUM} not found; install the Debian package chromium "
            "(apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji) to run them"
        )
    return None


def _browser_required():
    return os.environ.get("STUDYGROUP_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="package")
def browser():
    """One Chromium for every browser test in this package."""
    reason = _unavailable_reason()
    if reason:
        if _browser_required():
            pytest.fail(reason.replace("skipped", "required (STUDYGROUP_REQUIRE_BROWSER=1)"))
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # The folder holds this run's screenshots only.
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()

    # Playwright's sync API keeps an event loop in this thread; Django would
    # refuse ORM calls from the tests while it runs. Allowed for these tests
    # only, and taken back when the browser closes.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Demo members get passwords in every test; hash them cheaply here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_page(browser, live_server):
    """new_page(user=None, width=1280, javascript=True) -> (page, watch): a fresh
    context, logged in as `user`; javascript=False turns scripts off in it."""
    contexts = []

    def make(user=None, width=1280, height=900, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="ko-KR",
            timezone_id="Asia/Seoul",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            log_in(context, live_server, user)
        page = context.new_page()
        return page, PageWatch(page)

    yield make
    for context in contexts:
        context.close()  # also those a test closed already: that is harmless


def log_in(context, live_server, user):
    """Give the browser context a session cookie for `user` (no login form)."""
    client = Client()
    client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Report every "browser tests skipped" at one place, so that `-ra`
    folds them into a single line instead of one per test."""
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = report.longrepr[2]
        if reason.startswith("Skipped: browser tests skipped"):
            report.longrepr = (__file__, _unavailable_reason.__code__.co_firstlineno - 1, reason)
    return report


def pytest_terminal_summary(terminalreporter):
    if saved_screenshots:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(saved_screenshots)} screenshots saved in {SCREENSHOTS}")
