"""Every user-visible string is translatable, and the Korean catalog is complete."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((PROJECT / "templates").rglob("*.html")) + sorted(
    (PROJECT / "templates").rglob("*.txt")
)
KO_CATALOG = PROJECT / "locale" / "ko" / "LC_MESSAGES" / "django.po"

# Blocks whose content is not shown as page text, or is translated already.
_SKIPPED_BLOCKS = [
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
    re.compile(r"{%\s*blocktrans\b.*?{%\s*endblocktrans\s*%}", re.S),
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<script\b.*?</script>", re.S | re.I),
    re.compile(r"<style\b.*?</style>", re.S | re.I),
    re.compile(r"<svg\b.*?</svg>", re.S | re.I),
    re.compile(r"{%.*?%}", re.S),
    re.compile(r"{{.*?}}", re.S),
]
_VISIBLE_ATTRIBUTE = re.compile(
    r"""\b(?:title|alt|placeholder|aria-label|aria-description)\s*=\s*("[^"]*"|'[^']*')"""
    r"""|<input\b[^>]*\btype="(?:submit|button)"[^>]*\bvalue\s*=\s*("[^"]*")""",
    re.I,
)
_ENTITY = re.compile(r"&#?\w+;")
_TAG = re.compile(r"<[^>]+>", re.S)
_WORD = re.compile(r"[A-Za-z\uac00-\ud7a3]{2,}")
# Text that reads the same in every language.
_ALLOWED_TEXT = {"BibTeX", "RSS", "Atom", "iCal", "KPT", "4L", "arXiv", "DOI", "PDF", "PPTX", "URL"}
# A URL fragment after a link in a plain-text email, e.g. `{{ url }}#attendance`.
_FRAGMENT = re.compile(r"#[\w-]+")


def untranslated_text(source):
    """The pieces of a template's visible text that are outside translation tags."""
    problems = []
    for match in _VISIBLE_ATTRIBUTE.finditer(source):
        value = (match.group(1) or match.group(2))[1:-1]
        stripped = value
        for pattern in _SKIPPED_BLOCKS:
            stripped = pattern.sub("", stripped)
        if _WORD.search(stripped) and stripped.strip() not in _ALLOWED_TEXT:
            problems.append(match.group(0))
    text = source
    for pattern in _SKIPPED_BLOCKS:
        text = pattern.sub(" ", text)
    text = _ENTITY.sub(" ", _TAG.sub(" ", text))
    for chunk in re.split(r"\s{2,}|\n", text):
        chunk = chunk.strip(" \t:;,.·()[]|/-—–")
        if _WORD.search(chunk) and chunk not in _ALLOWED_TEXT and not _FRAGMENT.fullmatch(chunk):
            problems.append(chunk)
    return problems


def test_untranslated_text_finds_bare_words():
    """The checker itself: bare text and attributes are caught, translated text is not."""
    source = (
        '{% load i18n %}<h1>Sessions</h1><p>{% translate "Talks" %}</p>'
        '<img alt="사진"><input placeholder="{% translate \'Search\' %}">'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}<!-- note -->"
        "\n{{ url }}#attendance"
    )
    assert untranslated_text(source) == ['alt="사진"', "Sessions"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT)))
def test_template_text_is_translatable(template):
    assert untranslated_text(template.read_text(encoding="utf-8")) == []


# Names under which makemessages (xgettext) finds translatable strings in Python.
_EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
_TRANSLATION_IMPORT = re.compile(r"from django\.utils\.translation import (\w+) as (\w+)")


def test_python_translation_functions_use_names_makemessages_extracts():
    """`from ... import gettext as _gettext` hides every string from makemessages."""
    sources = sorted((PROJECT / "sessions").rglob("*.py")) + sorted(
        (PROJECT / "studygroup").rglob("*.py")
    )
    hidden = [
        f"{path.relative_to(PROJECT)}: {name} as {alias}"
        for path in sources
        for name, alias in _TRANSLATION_IMPORT.findall(path.read_text(encoding="utf-8"))
        if alias not in _EXTRACTED_NAMES
    ]
    assert hidden == []


def test_korean_catalog_is_complete():
    catalog = polib.pofile(str(KO_CATALOG))
    missing = [entry.msgid for entry in catalog if not entry.translated() and not entry.obsolete]
    assert missing == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)
def test_korean_catalog_has_every_message(tmp_path):
    """`makemessages` finds no message that the committed catalog lacks."""
    work = tmp_path / "project"
    shutil.copytree(
        PROJECT,
        work,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "media", "staticfiles", "*.sqlite3", "test-artifacts", "__pycache__"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "ko",
            "--no-obsolete",
            "--ignore",
            "tests/*",
        ],
        cwd=work,
        check=True,
        capture_output=True,
    )
    extracted = {
        entry.msgid for entry in polib.pofile(str(work / "locale/ko/LC_MESSAGES/django.po"))
    }
    committed = {entry.msgid for entry in polib.pofile(str(KO_CATALOG))}
    assert sorted(extracted - committed) == []
