"""BibTeX entries for the paper library.

A paper in a journal becomes `@article` (`journal`), one in a conference's
proceedings `@inproceedings` (`booktitle`), anything else `@misc`; arXiv
papers carry `eprint`, `archivePrefix` and `primaryClass`, DOIs a `doi`
field. Authors are written "Family, Given and …" so that BibTeX never
guesses which name is the family name. Text values escape the characters
that mean something to (La)TeX; `url` and `doi` are written verbatim, as
biblatex and hyperref read them, with braces and backslashes (which no
valid URL holds unencoded) percent-encoded so that the entry stays balanced.
"""

import re
import unicodedata

from sessions.papers.names import split_names

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
    return str(value).strip().replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def split_authors(authors):
    """The authors of a paper, from the one text field people type them into."""
    return split_names(authors)


# Words too common to name a paper by in its key.
_KEY_STOPWORDS = {
    "with", "from", "towards", "toward", "into", "about", "through", "using", "what", "when", "does",
}  # fmt: skip


def _ascii_word(text):
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(paper):
    """First author's family name + year + first telling title word, ASCII
    only, e.g. `vaswani2017attention`; `paper<pk>` when nothing of that is ASCII."""
    authors = paper.author_names()
    surname = ""
    if authors:
        given, family = authors[0]
        # "van Beethoven" is filed under Beethoven; an organization under its first word.
        words = family.split(" ")
        surname = _ascii_word(words[-1] if given else words[0])
    title_words = [_ascii_word(word) for word in (paper.title or "").split()]
    first_word = next(
        (word for word in title_words if len(word) > 3 and word not in _KEY_STOPWORDS), ""
    )
    key = f"{surname}{paper.year or ''}{first_word}"
    return key if re.search(r"[a-z]", key) else f"paper{paper.pk}"


def _author(given, family):
    """One author for BibTeX: "Family, Given"; a name of one part (an
    organization, a single-word name) braced, so BibTeX keeps it whole."""
    if not given:
        return "{" + escape_tex(family) + "}" if " " in family else escape_tex(family)
    return f"{escape_tex(family)}, {escape_tex(given)}"


def entry_type(paper):
    """`article` for a journal, `inproceedings` for a conference, else `misc`."""
    if paper.venue and paper.venue_kind == "journal":
        return "article"
    if paper.venue and paper.venue_kind == "conference":
        return "inproceedings"
    return "misc"


def entry(paper, key=None):
    """One paper as a BibTeX entry (text ending with a newline)."""
    kind = entry_type(paper)
    fields = [("title", "{" + escape_tex(paper.title) + "}")]
    authors = paper.author_names()
    if authors:
        fields.append(("author", " and ".join(_author(given, family) for given, family in authors)))
    if kind == "article":
        fields.append(("journal", escape_tex(paper.venue)))
    elif kind == "inproceedings":
        fields.append(("booktitle", escape_tex(paper.venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.arxiv_id:
        fields += [("eprint", escape_verbatim(paper.arxiv_id)), ("archivePrefix", "arXiv")]
        if paper.arxiv_category:
            fields.append(("primaryClass", escape_tex(paper.arxiv_category)))
    if paper.doi:
        fields.append(("doi", escape_verbatim(paper.doi)))
    if paper.url:
        fields.append(("url", escape_verbatim(paper.url)))
    if paper.abstract:
        fields.append(("abstract", escape_tex(paper.abstract)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key or citation_key(paper)},\n{body}\n}}\n"


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
