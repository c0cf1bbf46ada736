"""Paper identity: every way of linking a paper finds the one row."""

import pytest

from sessions.models import Paper, normalize_url, parse_paper_link
from tests.factories import PaperFactory


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
        ("https://www.cs.toronto.edu/~hinton/absps/naturebp.pdf", "cs.toronto.edu/~hinton/absps/naturebp.pdf"),
        ("http://cs.toronto.edu/~hinton/absps/naturebp.pdf", "cs.toronto.edu/~hinton/absps/naturebp.pdf"),
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
    paper, created = Paper.objects.resolve("https://arxiv.org/pdf/2304.08485", title="Visual Instruction Tuning")
    assert created is True
    for link in ["https://arxiv.org/abs/2304.08485v2", "arxiv.org/pdf/2304.08485.pdf", "arXiv:2304.08485"]:
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
