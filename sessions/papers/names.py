"""Authors' names: the one text field people type them into, and the
(given, family) pairs that BibTeX needs."""

import re

# Lowercase words that belong to the family name: "Ludwig van Beethoven".
_PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "ter", "ten", "bin", "al",
}  # fmt: skip


def split_names(authors):
    """The names in an authors field: "A; B", "A and B" or "A, B" —
    semicolons win, then " and ", then commas."""
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


def split_name(name):
    """(given, family) of one name: "Family, Given" as written, else the last
    word (with any particles before it) is the family name. A one-word name
    (or an organization) is all family."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(), family.strip()
    words = name.split(" ")
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


def display_name(author):
    """ "Given Family" of an author_list item."""
    return " ".join(part for part in (author.get("given", ""), author.get("family", "")) if part)


def join_names(author_list):
    """The authors field for an author_list."""
    return "; ".join(display_name(author) for author in author_list)


def fitting(author_list, limit):
    """The longest head of `author_list` whose joined names fit in `limit`
    characters (big collaborations list hundreds of authors)."""
    kept = list(author_list)
    while kept and len(join_names(kept)) > limit:
        kept.pop()
    return kept
