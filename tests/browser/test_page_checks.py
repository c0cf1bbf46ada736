"""The page checks themselves: each problem they look for is reported.

A page with every fault is served by Playwright (no Django involved),
under the same Content-Security-Policy as the app.
"""

import pytest

from .support import PageWatch, page_problems

pytestmark = pytest.mark.browser

FAULTY_PAGE = """<!doctype html>
<html>
<head><title>Faulty</title></head>
<body>
  <h1>One</h1>
  <h1>Two</h1>
  <p style="color: red">Inline style, refused by the policy.</p>
  <script>document.title = "inline script, refused by the policy";</script>
  <input id="unlabelled" name="q">
  <label for="named">Name</label><input id="named" name="name">
  <label>Wrapped <input name="wrapped"></label>
  <input type="hidden" name="token">
  <button type="submit"></button>
  <img src="/pixel.png">
  <img src="/pixel.png" alt="">
  <img src="/missing.css">
  <div class="wide">wide</div>  <!-- 2000 px, plus the body's 8 px margin -->
  <link rel="stylesheet" href="/wide.css">
</body>
</html>"""

PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db000"
    "00000049454e44ae426082"
)
POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"


def serve(route):
    path = route.request.url.removeprefix("http://checks.test")
    if path == "/":
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": POLICY},
            body=FAULTY_PAGE,
        )
    elif path == "/pixel.png":
        route.fulfill(status=200, content_type="image/png", body=PIXEL_PNG)
    elif path == "/wide.css":
        route.fulfill(status=200, content_type="text/css", body=".wide { width: 2000px; }")
    else:
        route.fulfill(status=404, content_type="text/plain", body="not found")


def test_page_checks_report_every_fault(browser):
    context = browser.new_context(viewport={"width": 375, "height": 600})
    try:
        page = context.new_page()
        page.route("http://checks.test/**", serve)
        watch = PageWatch(page)
        page.goto("http://checks.test/")
        page.wait_for_load_state("networkidle")
        problems = page_problems(page)
        reported = watch.take()
    finally:
        context.close()

    assert [line.split(":")[0] for line in problems] == [
        "<html> has no lang attribute",
        "2 <h1> elements instead of one",
        "form control without a label",
        "button without a name",
        "image without alt",
        "image without alt",
        "image did not load",
        "scrolls sideways",
    ]
    assert problems[2] == 'form control without a label: <input id="unlabelled" name="q">'
    assert problems[6] == 'image did not load: <img src="/missing.css">'
    assert problems[7].startswith("scrolls sideways: 2008px of content in a 375px window")
    kinds = sorted(
        "inline style refused"
        if "inline style" in line
        else "inline script refused"
        if "inline script" in line
        else "failed asset"
        if line.startswith("HTTP 404: GET http://checks.test/missing.css")
        else "console 404"
        if "404" in line
        else line
        for line in reported
    )
    assert kinds == ["console 404", "failed asset", "inline script refused", "inline style refused"]
