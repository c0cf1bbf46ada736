"""Every main page, on a phone (375 px) and a desktop (1280 px), with the demo data.

Each page must load without console errors (CSP violations included),
without a failed or refused request, without sideways scrolling, and with
the accessibility basics: `lang` on <html>, one <h1>, labelled form
controls, alt text on images. A full-page screenshot of each is saved.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sessions.demo import load_demo
from sessions.models import Member, Paper, Presentation, Reflection
from tests import factories

from .support import page_problems, save_screenshot

pytestmark = pytest.mark.browser

WIDTHS = [375, 1280]
# The demo's running season (sessions/demo.py).
DEMO_SEASON = "season-2"


def demo_urls():
    """The main pages as the demo member 김민지 (minji) sees them, by name."""
    minji = Member.objects.get(username="minji")
    talk = Presentation.objects.get(session__number=2, topic="셀프 어텐션과 트랜스포머")
    paper = Paper.objects.get(title="Attention Is All You Need")
    entry = Reflection.objects.journals().get(author=minji)
    return {
        "home": reverse("study:home"),
        "session-list": reverse("study:session-list"),
        "season-page": reverse("study:season-detail", args=[DEMO_SEASON]),
        "session-page": reverse("study:session-detail", args=[DEMO_SEASON, 2]),
        "talk-page": talk.get_absolute_url(),
        "talk-form": reverse("study:talk-create", args=[DEMO_SEASON, 5]),
        "paper-library": reverse("study:paper-list"),
        "paper-page": paper.get_absolute_url(),
        "member-list": reverse("study:member-list"),
        "profile": minji.get_absolute_url(),
        "journal-list": reverse("study:journal-list"),
        "journal-entry": entry.get_absolute_url(),
        "journal-form": reverse("study:journal-create"),
        "reflection-form": reverse("study:reflection-edit", args=[DEMO_SEASON, 3])
        + "?template=kpt",
        "search-results": reverse("study:search") + "?q=트랜스포머",
        "participation": reverse("study:participation"),
        "notifications": reverse("study:notification-list"),
        "notification-preferences": reverse("study:notification-preferences"),
        "coming-session": reverse("study:session-detail", args=[DEMO_SEASON, 5]),
        "rotation": reverse("study:rotation", args=[DEMO_SEASON]),
        "backlog": reverse("study:backlog", args=[DEMO_SEASON]),
        "nomination-form": reverse("study:nomination-create", args=[DEMO_SEASON]),
        "retro-board": reverse("study:retro-board", args=[DEMO_SEASON, 4]),
        "retro-overview": reverse("study:retro-overview", args=[DEMO_SEASON]),
        "login": reverse("login"),
    }


PAGES = [
    "home",
    "session-list",
    "season-page",
    "session-page",
    "talk-page",
    "talk-form",
    "paper-library",
    "paper-page",
    "member-list",
    "profile",
    "journal-list",
    "journal-entry",
    "journal-form",
    "reflection-form",
    "search-results",
    "participation",
    "notifications",
    "notification-preferences",
    "coming-session",
    "rotation",
    "backlog",
    "nomination-form",
    "retro-board",
    "retro-overview",
    "login",
]
# Pages for the demo organizer (정운영) rather than 김민지.
ORGANIZER_PAGES = {"retro-overview"}


def visit(page, url):
    """Open `url` and wait until it has settled (editors fetch their preview)."""
    response = page.goto(url)
    if page.locator(".markdownx").count():
        page.wait_for_load_state("networkidle")
    return response


@pytest.mark.parametrize("name", PAGES)
def test_main_page_clean_at_phone_and_desktop_width(new_page, name):
    load_demo()
    url = demo_urls()[name]
    username = "demo" if name in ORGANIZER_PAGES else "minji"
    user = None if name == "login" else Member.objects.get(username=username)
    outcome = {}
    for width in WIDTHS:
        page, watch = new_page(user=user, width=width)
        response = visit(page, url)
        save_screenshot(page, f"{name}-{width}")
        # The page itself (not a redirect to the login page), under the
        # policy that turns inline scripts and styles into console errors.
        policy = response.headers.get("content-security-policy", "")
        outcome[width] = (
            response.status,
            urlsplit(page.url).path,
            "script-src 'self'" in policy
            and "style-src 'self'" in policy
            and "unsafe-inline" not in policy,
            page_problems(page) + watch.take(),
        )
        page.context.close()
    assert outcome == {width: (200, urlsplit(url).path, True, []) for width in WIDTHS}


# Numbers the talk form's controls in document order; returns their names.
NUMBER_CONTROLS_JS = """
() => [...document.querySelectorAll(
  "main form.stacked-form :is(input:not([type=hidden]), select, textarea, button, a[href])"
)].map((el, index) => {
  el.dataset.tabCheck = index;
  return el.id || el.getAttribute("href") || el.textContent.trim();
})
"""


def test_talk_form_every_control_receives_focus_by_tab(new_page, study_session, presenter, member):
    # `member` gives the presenters list a second checkbox to reach.
    page, watch = new_page(user=presenter)
    page.goto(reverse("study:talk-create", args=study_session.url_args))
    page.wait_for_load_state("networkidle")
    controls = page.evaluate(NUMBER_CONTROLS_JS)

    reached = []
    # From the top of the page: the skip link, the header, then the form.
    for _press in range(60):
        page.keyboard.press("Tab")
        index = page.evaluate("() => document.activeElement.dataset.tabCheck ?? null")
        if index is not None and controls[int(index)] not in reached:
            reached.append(controls[int(index)])
        if len(reached) == len(controls):
            break

    # Every control, in the order the form shows them; Tab left the
    # markdown editor instead of typing a tab into it.
    assert reached == controls
    expect(page.locator("#id_summary")).to_have_value("")
    assert watch.take() == []


LONG_SUMMARY = (
    "출처: https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/"
    "modeling_bert.py#L1234-L1290\n\n"
    "```python\nscores = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(self.attention_head_size)\n```\n\n"
    "$$\\mathrm{Attention}(Q,K,V) = \\mathrm{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V"
    " + \\sum_{i=1}^{n} \\alpha_i x_i + \\sum_{j=1}^{m} \\beta_j y_j$$\n\n"
    "| 모델 | d_model | 층 | 헤드 | 파라미터 | BLEU (EN-DE) | BLEU (EN-FR) |\n"
    "|---|---|---|---|---|---|---|\n"
    "| Transformer | 1024 | 6 | 16 | 213000000 | 28.4 | 41.8 |\n\n"
    "pneumonoultramicroscopicsilicovolcanoconiosis_attention_weights_after_softmax"
)

# Lines each table cell's text takes; a cell broken inside a number takes more.
CELL_LINES_JS = """
() => [...document.querySelectorAll(".prose td")].map((cell) => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
})
"""


def test_talk_page_long_content_scrolls_in_its_own_box_on_a_phone(new_page, talk, member):
    talk.summary = LONG_SUMMARY
    talk.save()
    talk.papers.add(
        factories.PaperFactory(
            title="Pneumonoultramicroscopicsilicovolcanoconiosis-Transformers at Scale",
            url="https://example.org/papers/2024/a-long-slug-that-goes-on-without-a-single-break.pdf",
        )
    )
    factories.QuestionFactory(
        presentation=talk,
        body="https://arxiv.org/abs/1706.03762?utm_source=a_long_query_string_that_never_breaks_at_all",
    )
    page, watch = new_page(user=member, width=375)
    page.goto(talk.get_absolute_url())
    save_screenshot(page, "talk-page-long-content-375")

    # The page does not scroll sideways; the table keeps its numbers whole and scrolls itself.
    assert page_problems(page) + watch.take() == []
    assert page.evaluate(CELL_LINES_JS) == [1] * 7
    assert page.eval_on_selector(".prose table", "t => t.scrollWidth > t.clientWidth") is True
