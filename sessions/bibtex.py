"""BibTeX entries for the paper library.

Each paper becomes a `@misc` entry (arXiv papers carry `eprint` and
`archivePrefix`, DOIs a `doi` field). Text values escape the characters
that mean something to (La)TeX; `url` and `doi` are written verbatim, as
biblatex and hyperref read them, with braces and backslashes (which no
valid URL holds unencoded) percent-encoded so that the entry stays balanced.
"""

import re
import unicodedata

# Order matters: the backslash first, so the escapes' own backslashes stay.
_TEX_SPECIALS = [
    ("\\", r"\textbackslash{}"),
    ("{", r"\{"),
    ("}", r"\}"),
    ("&", r"\&"),
    ("%", r"\%"),
    ("$", r"\$"),
    ("#", r"\#"),
    ("_", r"\_"),
    ("~", r"\textasciitilde{}"),
    ("^", r"\textasciicircum{}"),
]
_TEX_PATTERN = re.compile("|".join(re.escape(char) for char, _ in _TEX_SPECIALS))
_TEX_MAP = dict(_TEX_SPECIALS)


def escape_tex(value):
    """Text safe inside a braced BibTeX value."""
    return _TEX_PATTERN.sub(lambda match: _TEX_MAP[match.group()], " ".join(str(value).split()))


def escape_verbatim(value):
    """A URL or DOI for a verbatim field: braces and backslashes encoded."""
    return (
        str(value).strip().replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
    )


def split_authors(authors):
    """The authors of a paper, from the one text field people type them into.

    "A; B", "A and B" or "A, B": semicolons win, then " and ", then commas.
    """
    authors = " ".join((authors or "").split())
    if not authors:
        return []
    if ";" in authors:
        parts = authors.split(";")
    elif re.search(r"\s+and\s+", authors):
        parts = re.split(r"\s+and\s+", authors)
    else:
        parts = authors.split(",")
    return [part.strip() for part in parts if part.strip()]


def _ascii_word(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(paper):
    """`lastname` + `year` + first title word, ASCII only, e.g. `vaswani2017attention`;
    `paper<pk>` when nothing of that is ASCII."""
    authors = split_authors(paper.authors)
    surname = _ascii_word(authors[0].split()[-1]) if authors else ""
    title_words = [_ascii_word(word) for word in (paper.title or "").split()]
    first_word = next((word for word in title_words if len(word) > 3), "")
    key = f"{surname}{paper.year or ''}{first_word}"
    return key if re.search(r"[a-z]", key) else f"paper{paper.pk}"


def entry(paper, key=None):
    """One paper as a BibTeX entry (text ending with a newline)."""
    fields = [("title", "{" + escape_tex(paper.title) + "}")]
    authors = split_authors(paper.authors)
    if authors:
        fields.append(("author", " and ".join(escape_tex(author) for author in authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.arxiv_id:
        fields += [("eprint", escape_verbatim(paper.arxiv_id)), ("archivePrefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", escape_verbatim(paper.doi)))
    if paper.url:
        fields.append(("url", escape_verbatim(paper.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key or citation_key(paper)},\n{body}\n}}\n"


def library(papers):
    """Every paper as one BibTeX file; keys made unique with a, b, c… suffixes."""
    seen, entries = {}, []
    for paper in papers:
        key = citation_key(paper)
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count:
            key = f"{key}{_suffix(count)}"
        entries.append(entry(paper, key))
    return "\n".join(entries)


def _suffix(count):
    letters = ""
    while count:
        count, rest = divmod(count - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
