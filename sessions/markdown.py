"""The one markdown renderer of the project: markdown → math → sanitize.

Every markdown field (summaries, questions, answers, reflections) and the
markdownx editor preview go through `render_markdown`. The pipeline:

1. markdown-it-py, `js-default` preset (CommonMark + tables + strikethrough)
   with raw HTML off and `breaks=True`: Korean notes use a single newline as
   a line break.
2. `$…$` and `$$…$$` (Pandoc's rules for where a dollar opens math) through the `dollarmath` plugin, converted to MathML on
   the server by latex2mathml. A formula it cannot convert is shown as its
   escaped source in `<code class="math-error">`.
3. nh3 with an allow-list. This runs last because latex2mathml passes some
   input through unescaped (`\\text{<script>}`) and turns `\\href{…}` into an
   attribute: nothing from steps 1 and 2 is trusted.

Rendering time grows linearly with the text, whatever the text: markdown-it
bounds its nesting (`maxNesting`), and its link-label scan, which would
otherwise walk a run of `[` again from every bracket, remembers its answers
(`_link_label_end`). The forms cap how long a text may be (MAX_SHORT_TEXT,
MAX_LONG_TEXT), so one text costs at most a fraction of a second.
"""

import re
from html import unescape
from types import SimpleNamespace

import nh3
from django.utils.html import escape, strip_tags
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it import helpers as markdown_it_helpers
from mdit_py_plugins.dollarmath import dollarmath_plugin

__all__ = ["MAX_LONG_TEXT", "MAX_SHORT_TEXT", "render_markdown"]

# The longest markdown text, in characters, by kind. Short: a question, an
# answer, a member's bio. Long: a talk summary, session notes, a reflection
# or a journal entry (the longest legacy journal, a week's log, has about
# 17,000). At these lengths the most pathological text renders in under a
# second (tests/benchmarks/bench_markdown.py); ordinary text in a few
# milliseconds.
MAX_SHORT_TEXT = 10_000
MAX_LONG_TEXT = 30_000

URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"

PROSE_TAGS = {
    "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp", "var",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "a", "img", "em", "strong", "b", "i", "s", "del", "ins", "sub", "sup",
    "mark", "abbr", "q", "cite", "span", "div",
}  # fmt: skip

# MathML presentation elements. Never `annotation-xml` (it can hold HTML
# or SVG), never `maction` (scripted actions), never `svg`.
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot",
    "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "semantics", "annotation",
}  # fmt: skip

# Layout attributes only: no href (latex2mathml's \href), no style
# (\style{…}), no mathbackground (\rule and \colorbox could paint the page).
MATHML_ATTRIBUTES = {
    "mathvariant", "mathsize", "mathcolor", "displaystyle", "scriptlevel",
    "stretchy", "fence", "separator", "form", "largeop", "movablelimits",
    "symmetric", "minsize", "maxsize", "lspace", "rspace", "accent",
    "accentunder", "linethickness", "notation", "width", "height", "depth",
    "voffset", "linebreak", "columnalign", "rowalign", "rowspacing",
    "columnspacing", "columnlines", "rowlines", "frame", "columnspan",
    "rowspan", "display", "xmlns", "encoding",
}  # fmt: skip

ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    # Only the classes `_filter_attribute` accepts survive.
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"class"},
    "td": {"class"},
    **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
}

_CLASS_PATTERNS = {
    # Fenced code: markdown-it writes the info string as `language-<lang>`.
    "code": re.compile(r"language-[A-Za-z0-9_+#.-]{1,40}|math-error"),
    "span": re.compile(r"math inline"),
    "div": re.compile(r"math block"),
    "th": re.compile(r"align-(?:left|center|right)"),
    "td": re.compile(r"align-(?:left|center|right)"),
}


def _filter_attribute(tag, attribute, value):
    """Keep a `class` only when it is one the renderer itself writes."""
    if attribute != "class":
        return value
    pattern = _CLASS_PATTERNS.get(tag)
    if pattern is not None and pattern.fullmatch(value):
        return value
    return None


_cleaner = nh3.Cleaner(
    tags=PROSE_TAGS | MATHML_TAGS,
    attributes=ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
)


def _render_math(latex, options):
    """Turn one formula into MathML, or into its escaped source when it fails."""
    display = "block" if options["display_mode"] else "inline"
    try:
        return latex_to_mathml(latex, display=display)
    except Exception:
        # latex2mathml raises many exception types (and IndexError or
        # RecursionError on odd input); any of them means "cannot convert".
        return f'<code class="math-error">{escape(latex)}</code>'


_ALIGN_STYLE = re.compile(r"text-align:(left|center|right)")


def _table_alignment_as_class(state):
    """Replace markdown-it's `style="text-align:…"` on table cells by a class.

    Style attributes are stripped by the sanitizer (and blocked by the CSP);
    a class keeps the column alignment written in the markdown.
    """
    for token in state.tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrs.pop("style", None)
        match = _ALIGN_STYLE.fullmatch(style or "")
        if match:
            token.attrs["class"] = f"align-{match.group(1)}"


def _link_label_end(state, start, disable_nested=False):
    """markdown-it's `parseLinkLabel`, remembering each answer for the paragraph.

    Where the label that opens at `start` ends (the position of its `]`), or
    -1. markdown-it scans forward from every `[`; in a run of brackets each
    scan walks again over the brackets after it, up to `maxNesting` of them
    (about 100 µs for every `[` of a text). But a `[` met inside a label is
    a label of its own, whose scan (made moments before, while skipping that
    bracket) already says how it ends: its `]` leaves our level where it
    was, so the scan jumps there; where it found none, neither can we. The
    results are markdown-it's own, with every bracket scanned once.
    """
    memo = state.__dict__.setdefault("study_link_label_ends", {})
    key = (start, disable_nested, state.posMax)
    if key in memo:
        return memo[key]
    old_pos = state.pos
    state.pos = start + 1
    level = 1
    label_end = -1
    while state.pos < state.posMax:
        marker = state.src[state.pos]
        if marker == "]":
            level -= 1
            if level == 0:
                label_end = state.pos
                break
        previous = state.pos
        state.md.inline.skipToken(state)
        if marker == "[":
            if previous == state.pos - 1:
                # A `[` that is plain text opens a nested label.
                level += 1
                inner_end = memo.get((previous, disable_nested, state.posMax))
                if inner_end is not None:
                    if inner_end < 0:
                        break
                    state.pos = inner_end
            elif disable_nested:
                # A link inside a link's label: this one is no link.
                break
    state.pos = old_pos
    memo[key] = label_end
    return label_end


_markdown = (
    MarkdownIt("js-default", {"html": False, "breaks": True, "linkify": False})
    # Pandoc's rule for inline math: no space just inside the dollars and no
    # digit just outside them, so "1000$ 이고 2000$" stays prose. No labels:
    # they would put user-chosen ids into the page.
    .use(
        dollarmath_plugin,
        allow_space=False,
        allow_digits=False,
        allow_labels=False,
        renderer=_render_math,
    )
)
_markdown.core.ruler.push("table_alignment_as_class", _table_alignment_as_class)
# This instance's link and image rules find labels with `_link_label_end`.
_markdown.helpers = SimpleNamespace(
    parseLinkLabel=_link_label_end,
    parseLinkDestination=markdown_it_helpers.parseLinkDestination,
    parseLinkTitle=markdown_it_helpers.parseLinkTitle,
)


def render_markdown(text: str) -> str:
    """Render user markdown to sanitized HTML, safe to insert into a page."""
    if not text:
        return ""
    return _cleaner.clean(_markdown.render(str(text)))


# Block-level tags: their text is separated from the next block's by a space.
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|li|br|tr|td|th|h[1-6]|blockquote|pre|table|ul|ol|math)\b)", re.I
)


# A tag as nh3 writes it: attribute values in double quotes (a quote inside
# one is `&quot;`); text never holds a bare `<` (it is `&lt;`).
_TAG = re.compile(r'</?[A-Za-z][^>"]*(?:"[^"]*"[^>"]*)*>')


def html_to_text(html: str) -> str:
    """The plain text of rendered HTML (a `*_html` field), on one line: what
    excerpts show instead of markdown source (`$$…$$`, table pipes, `![](…)`).

    Sanitized HTML loses its tags to one regular expression, many times
    faster than an HTML parser (search results take the text of dozens of
    bodies); anything else (a `<` left over) goes through `strip_tags`."""
    if not html:
        return ""
    html = _BLOCK_TAG.sub(" <", str(html))
    text = _TAG.sub("", html)
    if "<" in text:
        text = strip_tags(html)
    return " ".join(unescape(text).split())
