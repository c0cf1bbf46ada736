"""The one markdown renderer: what it must show, and what it must never let through."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import Context, Template

from sessions.markdown import render_markdown

LEGACY_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "legacy-samples"

# Elements that run code, load other documents, submit data or restyle the page.
FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "svg", "style", "object", "embed",
    "applet", "param", "form", "input", "button", "select", "textarea", "meta",
    "base", "link", "template", "noscript", "annotation-xml", "maction",
    "foreignobject", "use", "animate", "set", "image",
}  # fmt: skip

# Attributes a browser follows as a URL.
URL_ATTRIBUTES = {
    "href", "src", "srcset", "action", "formaction", "xlink:href", "background",
    "poster", "data", "codebase", "cite", "longdesc", "lowsrc", "dynsrc", "ping",
}  # fmt: skip

SAFE_SCHEMES = {"http", "https", "mailto"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def elements(html):
    """Every start tag in `html` as (tag, [(attribute, value), ...])."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def url_scheme(url):
    """The scheme a browser would see in `url`, or None for a relative URL.

    Like the WHATWG URL parser: leading and trailing controls and spaces are
    stripped, tabs and newlines anywhere are dropped.
    """
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return match.group(1).lower() if match else None


def executable_parts(html):
    """Everything in `html` that could run code or leave the allowed schemes."""
    found = []
    for tag, attrs in elements(html):
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "http-equiv"}:
                found.append(f"<{tag} {name}>")
            elif name in URL_ATTRIBUTES and url_scheme(value or "") not in SAFE_SCHEMES | {None}:
                found.append(f"<{tag} {name}={value!r}>")
    return found


HOSTILE_INPUTS = {
    "script-tag": "<script>alert(1)</script>",
    "script-mixed-case-src": "<ScRiPt src=//evil.example/x.js></sCrIpT>",
    "img-onerror": '<img src=x onerror="alert(1)">',
    "event-handler-in-link-title": '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
    "javascript-link": "[x](javascript:alert(1))",
    "javascript-link-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "javascript-link-tab-entity": "[x](jav&#x09;ascript:alert(1))",
    "javascript-link-decimal-entity": "[x](&#106;avascript:alert(1))",
    "javascript-link-angle-brackets": "[x](<javascript:alert(1)>)",
    "javascript-link-leading-space-entity": "[x](&#32;javascript:alert(1))",
    "javascript-reference-link": "[x][r]\n\n[r]: javascript:alert(1)",
    "data-html-link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript-link": "[x](vbscript:msgbox(1))",
    "javascript-image": "![x](javascript:alert(1))",
    "data-svg-image": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "data-png-image": "![x](data:image/png;base64,iVBORw0KGgo=)",
    "javascript-autolink": "<javascript:alert(1)>",
    "vbscript-autolink": "<vbscript:msgbox(1)>",
    "svg-onload": "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "object-embed": '<object data="javascript:alert(1)"></object><embed src="x.swf">',
    "style-tag": "<style>body { display: none }</style>",
    "style-attribute": '<p style="background:url(javascript:alert(1))">x</p>',
    "broken-img-tag": "<img src=x onerror=alert(1)//",
    "nested-script-split": "<<script>script>alert(1)<</script>/script>",
    "unclosed-javascript-anchor": '<a href="javascript:alert(1)">click',
    "raw-html-block": '<div onclick="alert(1)">\n\n**x**\n\n</div>',
    "html-comment-trick": "<!--><script>alert(1)</script>-->",
    "noscript-mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "form-input": (
        '<form action="javascript:alert(1)">'
        '<input type=submit formaction="javascript:alert(1)"></form>'
    ),
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-tag": '<base href="javascript:alert(1)//">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "raw-mathml-with-script": "<math><mtext><script>alert(1)</script></mtext></math>",
    "raw-mathml-href": '<math href="javascript:alert(1)"><mi>x</mi></math>',
    "math-href-inline": "$\\href{javascript:alert(1)}{x}$",
    "math-href-block": "$$\n\\href{javascript:alert(1)}{click}\n$$",
    "math-href-inside-link": "[$\\href{javascript:alert(1)}{x}$](https://ok.example)",
    "math-text-script": "$\\text{<script>alert(1)</script>}$",
    "math-text-img-onerror": "$\\text{<img src=x onerror=alert(1)>}$",
    "math-text-closes-math": "$\\text{</math><script>alert(1)</script>}$",
    "math-text-anchor": '$\\text{<a href="javascript:alert(1)">x</a>}$',
    "math-text-annotation-xml": (
        '$\\text{<annotation-xml encoding="text/html">'
        "<img src=x onerror=alert(1)></annotation-xml>}$"
    ),
    "math-text-svg": "$$\n\\text{<svg><script>alert(1)</script></svg>}\n$$",
    "math-style": "$\\style{background:url(javascript:alert(1))}{x}$",
    "fence-info-injection": '```"><script>alert(1)</script>\nx\n```',
    "table-cell-script": "| a |\n|---|\n| <script>alert(1)</script> |",
}


@pytest.mark.parametrize("source", HOSTILE_INPUTS.values(), ids=HOSTILE_INPUTS.keys())
def test_render_markdown_hostile_input_yields_nothing_executable(source):
    assert executable_parts(render_markdown(source)) == []


def test_executable_parts_detects_what_the_corpus_guards_against():
    # The checker itself must catch the raw inputs, or the corpus proves nothing.
    raw = (
        '<script></script><svg></svg><a href="jav&#x09;ascript:x">a</a>'
        '<img src=" javascript:x" onerror="y"><p style="x">'
    )
    assert executable_parts(raw) == [
        "<script>",
        "<svg>",
        "<a href='jav\\tascript:x'>",
        "<img src=' javascript:x'>",
        "<img onerror>",
        "<p style>",
    ]


def test_render_markdown_raw_html_is_shown_as_text():
    assert render_markdown("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


def test_render_markdown_javascript_link_is_left_as_text():
    assert render_markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"


def test_render_markdown_math_href_loses_its_link():
    assert render_markdown("$\\href{javascript:alert(1)}{x}$") == (
        '<p><span class="math inline"><math xmlns="http://www.w3.org/1998/Math/MathML"'
        ' display="inline"><mrow><mrow><mrow><mi>x</mi></mrow></mrow></mrow></math></span></p>\n'
    )


def test_render_markdown_single_newline_in_korean_is_a_line_break():
    assert render_markdown("오늘은 역전파를 공부했다.\n내일은 발표 준비.") == (
        "<p>오늘은 역전파를 공부했다.<br>\n내일은 발표 준비.</p>\n"
    )


def test_render_markdown_fenced_code_keeps_language_class():
    assert render_markdown("```python\nprint('안녕')\n```") == (
        "<pre><code class=\"language-python\">print('안녕')\n</code></pre>\n"
    )


def test_render_markdown_fenced_code_escapes_its_content():
    assert render_markdown("```html\n<b>x</b>\n```") == (
        '<pre><code class="language-html">&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n'
    )


def test_render_markdown_table_alignment_becomes_a_class():
    source = "| 이름 | 점수 |\n|:--|--:|\n| 강한결 | 90 |"
    assert render_markdown(source) == (
        "<table>\n<thead>\n<tr>\n"
        '<th class="align-left">이름</th>\n<th class="align-right">점수</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td class="align-left">강한결</td>\n<td class="align-right">90</td>\n'
        "</tr>\n</tbody>\n</table>\n"
    )


def test_render_markdown_strikethrough():
    assert render_markdown("~~취소~~") == "<p><s>취소</s></p>\n"


def test_render_markdown_inline_math_is_inline_mathml():
    assert render_markdown("식 $x^2$ 이다") == (
        '<p>식 <span class="math inline"><math xmlns="http://www.w3.org/1998/Math/MathML"'
        ' display="inline"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math></span>'
        " 이다</p>\n"
    )


def test_render_markdown_block_math_is_display_mathml():
    assert render_markdown("$$\n\\frac{a}{b}\n$$") == (
        '<div class="math block">\n<math xmlns="http://www.w3.org/1998/Math/MathML"'
        ' display="block"><mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow>'
        "</mfrac></mrow></math>\n</div>\n"
    )


def test_render_markdown_bad_formula_falls_back_to_escaped_code():
    assert render_markdown("식: $a < {$ 끝") == (
        '<p>식: <span class="math inline"><code class="math-error">a &lt; {</code></span> 끝</p>\n'
    )


def test_render_markdown_bad_block_formula_falls_back_to_code():
    assert render_markdown("$$\n\\sqrt\n$$") == (
        '<div class="math block">\n<code class="math-error">\\sqrt</code>\n</div>\n'
    )


def test_render_markdown_dollar_amounts_stay_prose():
    assert (
        render_markdown("가격은 1000$ 이고 2000$ 이다") == "<p>가격은 1000$ 이고 2000$ 이다</p>\n"
    )


def test_render_markdown_links_get_rel():
    assert render_markdown("[논문](https://arxiv.org/abs/2304.08485)") == (
        '<p><a href="https://arxiv.org/abs/2304.08485" rel="noopener noreferrer nofollow">'
        "논문</a></p>\n"
    )


def test_render_markdown_autolink_and_mailto_get_rel():
    assert render_markdown("<https://example.com> [메일](mailto:a@example.com)") == (
        '<p><a href="https://example.com" rel="noopener noreferrer nofollow">'
        "https://example.com</a> "
        '<a href="mailto:a@example.com" rel="noopener noreferrer nofollow">메일</a></p>\n'
    )


def test_render_markdown_relative_image_is_kept():
    assert render_markdown('![그림](/media/editor/a.png "제목")') == (
        '<p><img src="/media/editor/a.png" alt="그림" title="제목"></p>\n'
    )


def test_render_markdown_unknown_classes_are_dropped():
    assert render_markdown('```"><b>\nx\n```') == "<pre><code>x\n</code></pre>\n"


def test_render_markdown_empty_input_is_empty():
    assert render_markdown("") == ""


def test_markdown_filter_renders_sanitized_and_unescaped():
    template = Template("{% load study_markdown %}{{ text|markdown }}")
    rendered = template.render(Context({"text": "**굵게** <script>x</script>"}))
    assert rendered == "<p><strong>굵게</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"


def test_markdown_filter_none_is_empty():
    template = Template("{% load study_markdown %}{{ text|markdown }}")
    assert template.render(Context({"text": None})) == ""


def test_markdownx_preview_is_sanitized(member_client):
    response = member_client.post(
        "/markdownx/markdownify/",
        {"content": "**미리보기** <img src=x onerror=alert(1)> [x](javascript:alert(1))"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )

    assert (response.status_code, response.content.decode()) == (
        200,
        "<p><strong>미리보기</strong> &lt;img src=x onerror=alert(1)&gt;"
        " [x](javascript:alert(1))</p>\n",
    )


@pytest.mark.parametrize(
    "name", sorted(p.name for p in LEGACY_SAMPLES.glob("*.txt")) or ["(absent)"]
)
def test_render_markdown_legacy_sample_is_clean(name):
    path = LEGACY_SAMPLES / name
    if not path.exists():
        pytest.skip(f"legacy samples not found in {LEGACY_SAMPLES}")
    html = render_markdown(path.read_text(encoding="utf-8-sig"))
    assert executable_parts(html) == []
    assert "math-error" not in html
