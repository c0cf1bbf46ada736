"""Helpers for the browser tests: watching a page, checking it, screenshots."""

from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"

# Paths of the screenshots this run saved (reported in the terminal summary).
saved_screenshots = []


class PageWatch:
    """Everything a page reported that a clean page must not: console
    errors (CSP violations are among them), uncaught exceptions, failed
    requests and error responses."""

    def __init__(self, page):
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(
                f"console error: {message.text} ({message.location.get('url', '')})"
            )

    def _failed(self, request):
        if request.failure == "net::ERR_ABORTED":
            # Cancelled by the browser because the test moved on to another
            # page (an editor's preview, the icon); not a fault of the page.
            # Assets that fail to load show up as error responses, refused
            # ones as other errors, and images are checked in the page.
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response):
        # Navigations answered 4xx are judged by the tests themselves
        # (e.g. a form re-shown with errors); assets must always load.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def save_screenshot(page, name, full_page=True):
    """A screenshot (of the whole page, or the window) in test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    saved_screenshots.append(path)
    return path


# Run in the page: what a clean page must not have, as readable lines.
PAGE_PROBLEMS_JS = """
() => {
  const problems = [];
  const describe = (el) => el.outerHTML.slice(0, 160);
  const hasText = (ids) => ids.split(/\\s+/).every((id) => {
    const target = document.getElementById(id);
    return target && target.textContent.trim() !== "";
  });
  if (!document.documentElement.getAttribute("lang")) {
    problems.push("<html> has no lang attribute");
  }
  const headings = document.querySelectorAll("h1");
  if (headings.length !== 1) {
    problems.push(`${headings.length} <h1> elements instead of one`);
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden") continue;
    const labelled =
      (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) ||
      (el.getAttribute("aria-label") || "").trim() ||
      (el.getAttribute("aria-labelledby") && hasText(el.getAttribute("aria-labelledby"))) ||
      el.closest("label");
    if (!labelled) problems.push(`form control without a label: ${describe(el)}`);
  }
  for (const el of document.querySelectorAll("button")) {
    if (!el.textContent.trim() && !(el.getAttribute("aria-label") || "").trim()) {
      problems.push(`button without a name: ${describe(el)}`);
    }
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`image without alt: ${describe(img)}`);
    if (img.complete && img.naturalWidth === 0) problems.push(`image did not load: ${describe(img)}`);
  }
  for (const el of document.querySelectorAll("[role=img]")) {
    const named = (el.getAttribute("aria-label") || "").trim() ||
      (el.getAttribute("aria-labelledby") && hasText(el.getAttribute("aria-labelledby")));
    if (!named) problems.push(`role=img without a name: ${describe(el)}`);
  }
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) {
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .slice(0, 5)
      .map(describe);
    problems.push(
      `scrolls sideways: ${width}px of content in a ${window.innerWidth}px window; ` +
      `wide elements: ${wide.join(" | ")}`
    );
  }
  return problems;
}
"""


def page_problems(page):
    """Accessibility basics and sideways scrolling, checked in the page."""
    return page.evaluate(PAGE_PROBLEMS_JS)
