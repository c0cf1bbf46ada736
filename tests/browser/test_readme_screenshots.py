"""The two screenshots the README shows, taken from the demo data.

Every run renders them into test-artifacts/screenshots/; with
STUDYGROUP_UPDATE_DOCS_SCREENSHOTS=1 they also replace docs/session-page.png
and docs/talk-page.png:

    STUDYGROUP_UPDATE_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/browser -k readme
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from sessions.demo import load_demo
from sessions.models import Member, Presentation

from .support import save_screenshot

pytestmark = pytest.mark.browser

DOCS = Path(settings.BASE_DIR) / "docs"
WIDTH, HEIGHT = 1024, 1200


def test_readme_screenshots_of_session_and_talk_page(new_page):
    load_demo()
    talk = Presentation.objects.get(session__number=1, topic="역전파 다시 보기")
    page, watch = new_page(user=Member.objects.get(username="minji"), width=WIDTH, height=HEIGHT)
    shots = {}
    for name, url in [
        ("session-page", "/seasons/season-2/2/"),
        ("talk-page", talk.get_absolute_url()),
    ]:
        page.goto(url)
        page.evaluate("document.fonts.ready")
        shots[name] = save_screenshot(page, f"readme-{name}", full_page=False)
    update = os.environ.get("STUDYGROUP_UPDATE_DOCS_SCREENSHOTS", "") in {"1", "true", "yes"}
    if update:
        for name, path in shots.items():
            shutil.copyfile(path, DOCS / f"{name}.png")

    assert watch.take() == []
    # The README's images are there, at the size taken here.
    assert {name: Image.open(DOCS / f"{name}.png").size for name in shots} == {
        "session-page": (WIDTH, HEIGHT),
        "talk-page": (WIDTH, HEIGHT),
    }
