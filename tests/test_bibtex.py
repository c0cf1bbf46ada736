"""BibTeX for one paper and for the whole library: parses back, escapes TeX."""

import re

import bibtexparser
import pytest
from django.urls import reverse

from sessions import bibtex
from tests import factories


def _parse(text):
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library


def _fields(entry):
    return {field.key: field.value for field in entry.fields}


def test_entry_parses_with_every_field(db):
    paper = factories.PaperFactory(
        title="Attention Is All You Need",
        url="https://arxiv.org/abs/1706.03762v5",
        authors="Ashish Vaswani; Noam Shazeer",
        year=2017,
    )
    [entry] = _parse(bibtex.entry(paper)).entries
    assert (entry.entry_type, entry.key) == ("misc", "vaswani2017attention")
    assert _fields(entry) == {
        "title": "{Attention Is All You Need}",
        "author": "Vaswani, Ashish and Shazeer, Noam",
        "year": "2017",
        "eprint": "1706.03762",
        "archivePrefix": "arXiv",
        "url": "https://arxiv.org/abs/1706.03762",
    }


def test_entry_escapes_tex_special_characters(db):
    paper = factories.PaperFactory(
        title=r"Q&A: 50% of $x_1$ ~ {#tags} ^ back\slash",
        url="https://example.org/paper?id=1&x=%7B",
        authors="Kim & Lee",
        year=None,
    )
    text = bibtex.entry(paper)
    [entry] = _parse(text).entries
    fields = _fields(entry)
    assert fields["title"] == (
        r"{Q\&A: 50\% of \$x\_1\$ \textasciitilde{} \{\#tags\} \textasciicircum{} "
        r"back\textbackslash{}slash}"
    )
    assert fields["author"] == r"Lee, Kim \&"
    assert fields["url"] == "https://example.org/paper?id=1&x=%7B"
    assert "year" not in fields


def test_entry_doi_and_korean_authors_get_a_fallback_key(db):
    paper = factories.PaperFactory(
        title="딥러닝 입문",
        url="https://doi.org/10.1000/ABC_1",
        authors="김민지, 이서준",
        year=2020,
    )
    [entry] = _parse(bibtex.entry(paper)).entries
    assert entry.key == f"paper{paper.pk}"
    assert _fields(entry)["doi"] == "10.1000/abc_1"
    assert _fields(entry)["author"] == "김민지 and 이서준"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ("A. Smith; B. Jones", ["A. Smith", "B. Jones"]),
        ("A. Smith and B. Jones", ["A. Smith", "B. Jones"]),
        ("Kim, Lee", ["Kim", "Lee"]),
        ("  ", []),
    ],
)
def test_split_authors_separators(authors, expected):
    assert bibtex.split_authors(authors) == expected


def test_library_keys_are_unique(db):
    papers = [
        factories.PaperFactory(title="Deep Learning", authors="LeCun", year=2015) for _ in range(3)
    ]
    library = _parse(bibtex.library(papers))
    assert [entry.key for entry in library.entries] == [
        "lecun2015deep",
        "lecun2015deepa",
        "lecun2015deepb",
    ]


def test_paper_bibtex_view_downloads_one_entry(member_client, db):
    paper = factories.PaperFactory(title="Attention Is All You Need", authors="Vaswani", year=2017)
    response = member_client.get(reverse("study:paper-bibtex", args=[paper.pk]))
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="vaswani2017attention.bib"'
    assert [e.key for e in _parse(response.content.decode()).entries] == ["vaswani2017attention"]


def test_paper_bibtex_view_unknown_paper_is_404(member_client, db):
    assert member_client.get(reverse("study:paper-bibtex", args=[999])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_library_bibtex_view_lists_every_paper(member_client, django_assert_num_queries, count):
    papers = factories.PaperFactory.create_batch(count)
    with django_assert_num_queries(3):
        response = member_client.get(reverse("study:library-bibtex"))
    assert response["Content-Disposition"] == 'attachment; filename="library.bib"'
    entries = _parse(response.content.decode()).entries
    assert [_fields(e)["url"] for e in entries] == [p.url for p in papers]


def test_library_bibtex_view_needs_login(outsider_client, db):
    response = outsider_client.get(reverse("study:library-bibtex"))
    assert (response.status_code, response.url) == (
        302,
        "/accounts/login/?next=/papers/library.bib",
    )


@pytest.fixture
def library(db):
    """Three papers: one discussed in two talks, one in none."""
    old = factories.PaperFactory(title="Backprop", year=1986)
    popular = factories.PaperFactory(title="Transformers", year=2017)
    quiet = factories.PaperFactory(title="Adam", year=2014)
    factories.PresentationFactory(papers=[popular, old])
    factories.PresentationFactory(papers=[popular])
    return {"old": old, "popular": popular, "quiet": quiet}


def _titles(response):
    """The titles of the papers the library page lists, in order."""
    return re.findall(
        r'<a class="paper-title" href="/papers/\d+/">([^<]*)</a>', response.content.decode()
    )


def test_library_sorted_by_title_by_default(member_client, library):
    response = member_client.get(reverse("study:paper-list"))
    assert _titles(response) == ["Adam", "Backprop", "Transformers"]
    assert re.findall(r'<span class="badge">([^<]*)</span>', response.content.decode()) == [
        "0 talks",
        "1 talk",
        "2 talks",
    ]


def test_library_sorted_by_how_often_discussed(member_client, library):
    response = member_client.get(reverse("study:paper-list"), {"sort": "discussed"})
    assert _titles(response) == ["Transformers", "Backprop", "Adam"]


def test_library_sorted_newest_first(member_client, library):
    response = member_client.get(reverse("study:paper-list"), {"sort": "newest"})
    assert _titles(response) == ["Transformers", "Adam", "Backprop"]


def test_library_filtered_by_year(member_client, library):
    response = member_client.get(reverse("study:paper-list"), {"year": 2017})
    assert _titles(response) == ["Transformers"]
    assert [value for value, _label in response.context["form"].fields["year"].choices] == [
        "",
        2017,
        2014,
        1986,
    ]


def test_library_unknown_year_is_a_form_error_showing_everything(member_client, library):
    response = member_client.get(reverse("study:paper-list"), {"year": 1900})
    assert list(response.context["form"].errors) == ["year"]
    assert _titles(response) == ["Adam", "Backprop", "Transformers"]


def test_paper_pages_link_to_bibtex(member_client, library):
    paper = library["popular"]
    detail = member_client.get(reverse("study:paper-detail", args=[paper.pk])).content.decode()
    listing = member_client.get(reverse("study:paper-list")).content.decode()
    assert f'href="/papers/{paper.pk}/bibtex/"' in detail
    assert 'href="/papers/library.bib"' in listing


def _fetched(**fields):
    """A paper as a fetch leaves it: authors split into given and family names."""
    authors = fields.pop("author_list")
    paper = factories.PaperFactory(
        authors="; ".join(f"{a['given']} {a['family']}".strip() for a in authors), **fields
    )
    paper.author_list = authors
    paper.save()
    return paper


def test_journal_doi_is_an_article(db):
    paper = _fetched(
        title="Learning representations by back-propagating errors",
        url="https://doi.org/10.1038/323533a0",
        author_list=[
            {"given": "David E.", "family": "Rumelhart"},
            {"given": "Geoffrey E.", "family": "Hinton"},
            {"given": "Ronald J.", "family": "Williams"},
        ],
        year=1986,
        venue="Nature",
        venue_kind="journal",
    )
    [entry] = _parse(bibtex.entry(paper)).entries
    assert (entry.entry_type, entry.key) == ("article", "rumelhart1986learning")
    assert _fields(entry) == {
        "title": "{Learning representations by back-propagating errors}",
        "author": "Rumelhart, David E. and Hinton, Geoffrey E. and Williams, Ronald J.",
        "journal": "Nature",
        "year": "1986",
        "doi": "10.1038/323533a0",
        "url": "https://doi.org/10.1038/323533a0",
    }


def test_conference_paper_is_inproceedings(db):
    paper = _fetched(
        title="Deep Residual Learning for Image Recognition",
        url="https://doi.org/10.1109/cvpr.2016.90",
        author_list=[{"given": "Kaiming", "family": "He"}, {"given": "Jian", "family": "Sun"}],
        year=2016,
        venue="2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
        venue_kind="conference",
        abstract="Deeper neural networks are more difficult to train.",
    )
    [entry] = _parse(bibtex.entry(paper)).entries
    assert (entry.entry_type, entry.key) == ("inproceedings", "he2016deep")
    assert _fields(entry) == {
        "title": "{Deep Residual Learning for Image Recognition}",
        "author": "He, Kaiming and Sun, Jian",
        "booktitle": "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
        "year": "2016",
        "doi": "10.1109/cvpr.2016.90",
        "url": "https://doi.org/10.1109/cvpr.2016.90",
        "abstract": "Deeper neural networks are more difficult to train.",
    }


def test_arxiv_preprint_is_misc_with_eprint_and_primary_class(db):
    paper = _fetched(
        title="Attention Is All You Need",
        url="https://arxiv.org/abs/1706.03762",
        author_list=[
            {"given": "Ashish", "family": "Vaswani"},
            {"given": "Ludwig", "family": "van Beethoven"},
        ],
        year=2017,
        venue_kind="preprint",
        arxiv_category="cs.CL",
        arxiv_version=7,
    )
    [entry] = _parse(bibtex.entry(paper)).entries
    assert (entry.entry_type, entry.key) == ("misc", "vaswani2017attention")
    assert _fields(entry) == {
        "title": "{Attention Is All You Need}",
        "author": "Vaswani, Ashish and van Beethoven, Ludwig",
        "year": "2017",
        "eprint": "1706.03762",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",
        "url": "https://arxiv.org/abs/1706.03762",
    }


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ("Ludwig van Beethoven; Ada Lovelace", "van Beethoven, Ludwig and Lovelace, Ada"),
        ("Lovelace, Ada; Babbage, Charles", "Lovelace, Ada and Babbage, Charles"),
        ("Plato", "Plato"),
    ],
)
def test_typed_authors_are_written_family_name_first(db, authors, expected):
    paper = factories.PaperFactory(authors=authors)
    [entry] = _parse(bibtex.entry(paper)).entries
    assert _fields(entry)["author"] == expected


def test_organization_author_is_kept_whole(db):
    paper = _fetched(
        title="GPT-4 Technical Report",
        author_list=[{"given": "", "family": "OpenAI Team"}],
        year=2023,
    )
    [entry] = _parse(bibtex.entry(paper)).entries
    assert _fields(entry)["author"] == "{OpenAI Team}"
    assert entry.key == "openai2023gpt4"


def test_key_skips_short_and_common_title_words(db):
    paper = factories.PaperFactory(
        title="Towards a Theory of Everything", authors="Ada Lovelace", year=1843
    )
    assert bibtex.citation_key(paper) == "lovelace1843theory"


def test_person_edited_authors_replace_the_fetched_split(db):
    paper = _fetched(
        title="X paper", author_list=[{"given": "Ashish", "family": "Vaswani"}], year=2017
    )
    paper.authors = "Noam Shazeer"
    paper.save()
    assert paper.author_names() == [("Noam", "Shazeer")]


def test_library_export_parses_back_with_the_same_fields(member_client, db):
    papers = [
        _fetched(
            title="Attention Is All You Need",
            url="https://arxiv.org/abs/1706.03762",
            author_list=[{"given": "Ashish", "family": "Vaswani"}],
            year=2017,
            arxiv_category="cs.CL",
        ),
        _fetched(
            title="Attention Is All You Need, Again",
            url="https://doi.org/10.1000/again",
            author_list=[{"given": "Ashish", "family": "Vaswani"}],
            year=2017,
            venue="Journal of Repeats",
            venue_kind="journal",
            abstract="We do it again: 100% & more.",
        ),
    ]
    entries = _parse(member_client.get(reverse("study:library-bibtex")).content.decode()).entries
    assert [(e.entry_type, e.key) for e in entries] == [
        ("misc", "vaswani2017attention"),
        ("article", "vaswani2017attentiona"),
    ]
    for paper, parsed in zip(papers, entries):
        [alone] = _parse(bibtex.entry(paper)).entries
        assert _fields(parsed) == _fields(alone)
    assert _fields(entries[1])["abstract"] == r"We do it again: 100\% \& more."
    assert _fields(entries[1])["journal"] == "Journal of Repeats"
