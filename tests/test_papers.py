"""Paper identity (every way of linking a paper finds the one row) and the
library's filters, order and paper page."""

import re

import pytest
from django.urls import reverse

from sessions.models import Paper, normalize_url, parse_paper_link
from tests.factories import PaperFactory, PresentationFactory


@pytest.mark.parametrize(
    "link",
    [
        "https://arxiv.org/abs/2304.08485",
        "https://arxiv.org/pdf/2304.08485",
        "https://arxiv.org/pdf/2304.08485v2",
        "https://arxiv.org/pdf/2304.08485.pdf",
        "https://arxiv.org/pdf/2304.08485v1.pdf",
        "http://arxiv.org/abs/2304.08485v3",
        "https://www.arxiv.org/abs/2304.08485/",
        "arxiv.org/abs/2304.08485",
        "https://export.arxiv.org/abs/2304.08485",
        "https://arxiv.org/html/2304.08485v1",
        "arXiv:2304.08485",
        "2304.08485v2",
    ],
)
def test_parse_paper_link_arxiv_forms_give_one_id(link):
    assert parse_paper_link(link).arxiv_id == "2304.08485"
    assert parse_paper_link(link).url == "https://arxiv.org/abs/2304.08485"


@pytest.mark.parametrize(
    "link",
    [
        "https://arxiv.org/abs/hep-th/9901001",
        "https://arxiv.org/abs/hep-th/9901001v1",
        "https://arxiv.org/pdf/hep-th/9901001.pdf",
        "arXiv:hep-th/9901001",
    ],
)
def test_parse_paper_link_old_style_arxiv_ids(link):
    assert parse_paper_link(link).arxiv_id == "hep-th/9901001"


def test_parse_paper_link_old_style_arxiv_with_subject_class():
    assert parse_paper_link("https://arxiv.org/abs/math.GT/0309136").arxiv_id == "math.GT/0309136"


@pytest.mark.parametrize(
    "link",
    [
        "https://doi.org/10.1038/323533a0",
        "http://dx.doi.org/10.1038/323533a0",
        "doi:10.1038/323533A0",
        "10.1038/323533a0",
        "https://doi.org/10.1038/323533a0/",
    ],
)
def test_parse_paper_link_doi_forms(link):
    parsed = parse_paper_link(link)
    assert (parsed.doi, parsed.url) == ("10.1038/323533a0", "https://doi.org/10.1038/323533a0")


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        (
            "https://www.cs.toronto.edu/~hinton/absps/naturebp.pdf",
            "cs.toronto.edu/~hinton/absps/naturebp.pdf",
        ),
        (
            "http://cs.toronto.edu/~hinton/absps/naturebp.pdf",
            "cs.toronto.edu/~hinton/absps/naturebp.pdf",
        ),
        ("https://Example.org/paper/", "example.org/paper"),
        ("https://example.org/paper?utm_source=x&id=3#section", "example.org/paper?id=3"),
        ("https://example.org/p?b=2&a=1", "example.org/p?a=1&b=2"),
        ("example.org:8080/p", "example.org:8080/p"),
    ],
)
def test_normalize_url_drops_what_does_not_identify_a_page(url, normalized):
    assert normalize_url(url) == normalized


def test_parse_paper_link_empty_is_an_error():
    with pytest.raises(ValueError):
        parse_paper_link("  ")


@pytest.mark.django_db
def test_resolve_every_arxiv_form_finds_the_same_paper():
    paper, created = Paper.objects.resolve(
        "https://arxiv.org/pdf/2304.08485", title="Visual Instruction Tuning"
    )
    assert created is True
    for link in [
        "https://arxiv.org/abs/2304.08485v2",
        "arxiv.org/pdf/2304.08485.pdf",
        "arXiv:2304.08485",
    ]:
        assert Paper.objects.resolve(link, title="other title") == (paper, False)
    assert Paper.objects.count() == 1
    paper.refresh_from_db()
    assert (paper.title, paper.url, paper.arxiv_id) == (
        "Visual Instruction Tuning",
        "https://arxiv.org/abs/2304.08485",
        "2304.08485",
    )


@pytest.mark.django_db
def test_resolve_equal_dois_are_one_paper():
    paper, _ = Paper.objects.resolve("https://doi.org/10.1038/323533a0", title="Backprop")
    assert Paper.objects.resolve("doi:10.1038/323533A0") == (paper, False)


@pytest.mark.django_db
def test_resolve_urls_equal_after_normalisation_are_one_paper():
    paper, _ = Paper.objects.resolve("https://www.example.org/paper/", title="A paper")
    assert Paper.objects.resolve("http://example.org/paper") == (paper, False)
    assert Paper.objects.resolve("https://example.org/paper?utm_source=feed") == (paper, False)


@pytest.mark.django_db
def test_resolve_different_links_are_different_papers():
    first, _ = Paper.objects.resolve("https://arxiv.org/abs/1706.03762", title="Attention")
    second, created = Paper.objects.resolve("https://arxiv.org/abs/1706.03763", title="Other")
    assert created is True
    assert first != second


@pytest.mark.django_db
def test_resolve_gives_an_untitled_existing_paper_its_title():
    paper = PaperFactory(url="https://arxiv.org/abs/2003.10555", title="")
    Paper.objects.resolve("https://arxiv.org/pdf/2003.10555", title="ELECTRA")
    paper.refresh_from_db()
    assert paper.title == "ELECTRA"


@pytest.mark.django_db
def test_paper_save_recomputes_identity_when_the_link_changes():
    paper = PaperFactory(url="https://arxiv.org/abs/2003.10555")
    paper.url = "https://doi.org/10.1038/323533a0"
    paper.save()
    paper.refresh_from_db()
    assert (paper.arxiv_id, paper.doi) == ("", "10.1038/323533a0")


# The library: filters, order, the paper page


def _listed(client, **params):
    response = client.get(reverse("study:paper-list"), params)
    return re.findall(
        r'<a class="paper-title" href="/papers/\d+/">([^<]*)</a>', response.content.decode()
    )


@pytest.fixture
def shelf(db):
    return {
        "attention": PaperFactory(
            title="Attention Is All You Need", authors="Ashish Vaswani; Noam Shazeer", year=2017
        ),
        "bert": PaperFactory(title="BERT", authors="Jacob Devlin; Kenton Lee", year=2019),
        "backprop": PaperFactory(
            title="Backprop", authors="David Rumelhart; Geoffrey Hinton", year=1986
        ),
        "undated": PaperFactory(title="Undated notes", authors="", year=None),
    }


def test_library_filtered_by_author_substring_any_case(member_client, shelf):
    assert _listed(member_client, author="shazeer") == ["Attention Is All You Need"]
    assert _listed(member_client, author="  Lee ") == ["BERT"]


def test_library_filtered_by_author_and_year(member_client, shelf):
    assert _listed(member_client, author="e", year=2019) == ["BERT"]


def test_library_author_filter_with_no_match_says_so(member_client, shelf):
    response = member_client.get(reverse("study:paper-list"), {"author": "Nobody"})
    assert "No paper matches these filters." in response.content.decode()


def test_library_sorted_oldest_first_undated_last(member_client, shelf):
    assert _listed(member_client, sort="oldest") == [
        "Backprop",
        "Attention Is All You Need",
        "BERT",
        "Undated notes",
    ]


def test_library_form_shows_each_request_its_own_values(member_client, shelf):
    def form(**params):
        content = member_client.get(reverse("study:paper-list"), params).content.decode()
        return (
            re.findall(r'<option value="(\d*)" selected>', content),
            re.findall(r'name="author"[^>]*value="([^"]*)"', content),
        )

    assert form() == ([""], [])
    assert form(year=2019, author="Lee") == (["2019"], ["Lee"])
    assert form(year=2017) == (["2017"], [])
    assert form() == ([""], [])


def test_library_form_offers_a_year_first_published_after_it_was_cached(member_client, shelf):
    member_client.get(reverse("study:paper-list"))
    PaperFactory(title="Newer", year=2024)
    content = member_client.get(reverse("study:paper-list")).content.decode()
    assert '<option value="2024">2024</option>' in content


def test_library_pages_keep_the_author_filter(member_client, db):
    PaperFactory.create_batch(31, authors="Ada Lovelace", year=2020)
    response = member_client.get(reverse("study:paper-list"), {"author": "Ada Lovelace"})
    assert 'href="?author=Ada%20Lovelace&amp;page=2"' in response.content.decode()


def test_search_finds_papers_by_author_name(member_client, shelf):
    response = member_client.get(reverse("study:search"), {"q": "Hinton", "kind": "papers"})
    assert "Backprop" in response.content.decode()
    assert "Attention Is All You Need" not in response.content.decode()


def test_paper_page_shows_authors_in_order_venue_and_escaped_abstract(member_client, db):
    paper = PaperFactory(
        title="Attention Is All You Need",
        url="https://arxiv.org/abs/1706.03762",
        authors="Ashish Vaswani; Noam Shazeer",
        abstract="Transformers <script>alert(1)</script> & friends.\n\nSecond paragraph.",
        venue="NeurIPS",
        arxiv_category="cs.CL",
        arxiv_version=7,
    )
    talk = PresentationFactory(papers=[paper], topic="트랜스포머 읽기")
    page = member_client.get(paper.get_absolute_url()).content.decode()
    assert (
        '<ol class="author-list"><li><a href="/papers/?author=Ashish%20Vaswani">Ashish Vaswani</a></li>'
        '<li><a href="/papers/?author=Noam%20Shazeer">Noam Shazeer</a></li></ol>'
    ) in page
    assert (
        "<p>Transformers &lt;script&gt;alert(1)&lt;/script&gt; &amp; friends.</p>\n\n<p>Second paragraph.</p>"
        in page
    )
    assert "<script>alert" not in page
    assert "<cite>NeurIPS</cite>" in page
    assert '1706.03762v7</a> <span class="badge">cs.CL</span>' in page
    assert talk.topic in page


def test_paper_page_says_when_details_are_fetched_or_failed(member_client, db):
    paper = PaperFactory(metadata_state="pending")
    assert "Fetching details" in member_client.get(paper.get_absolute_url()).content.decode()
    paper.metadata_state = "failed"
    paper.metadata_error = "arXiv did not answer within 10 s"
    paper.save()
    page = member_client.get(paper.get_absolute_url()).content.decode()
    assert "Details could not be fetched" in page
    assert "arXiv did not answer within 10 s" in page
    listing = member_client.get(reverse("study:paper-list")).content.decode()
    assert '<span class="badge badge-warning">Details could not be fetched</span>' in listing
