"""The paper library and the paper page."""

import re

import pytest
from django.urls import reverse

from tests import factories


def library_titles(response):
    """The titles of the papers the library page lists, in order."""
    return re.findall(
        r'<a class="paper-title" href="/papers/\d+/">([^<]*)</a>', response.content.decode()
    )


def library_list(response):
    """The cached part of the library page: its list of papers and pagination."""
    content = response.content.decode()
    start = content.index("</form>", content.index('<form method="get" class="paper-filter card">'))
    return content[start : content.index("</main>")]


def test_paper_list_anonymous_redirects_to_login(outsider_client, db):
    response = outsider_client.get(reverse("study:paper-list"))
    assert response["Location"] == "/accounts/login/?next=/papers/"


def test_paper_list_shows_title_year_and_each_covering_session_once(member_client, talk):
    paper = factories.PaperFactory(title="Attention Is All You Need", year=2017)
    talk.papers.add(paper)
    factories.PresentationFactory(session=talk.session, papers=[paper])
    later = factories.StudySessionFactory(number=9)
    factories.PresentationFactory(session=later, papers=[paper])
    factories.PaperFactory(title="Unread paper", year=None)

    response = member_client.get(reverse("study:paper-list"))
    content = response.content.decode()
    assert (
        f'<a class="paper-title" href="/papers/{paper.pk}/">Attention Is All You Need</a>'
        in content
    )
    assert '<span class="muted">(2017)</span>' in content
    assert library_titles(response) == ["Attention Is All You Need", "Unread paper"]
    assert (
        'Covered in\n      <a href="/seasons/2025/6/">2025 논문 스터디, session 6</a>, <a href="/seasons/2025/9/">2025 논문 스터디, session 9</a>\n'
        in content
    )
    assert content.count('<a href="/seasons/2025/6/">2025 논문 스터디, session 6</a>') == 1


def test_paper_list_paginates(member_client, db):
    for n in range(35):
        factories.PaperFactory(title=f"Paper {n:02d}")
    response = member_client.get(reverse("study:paper-list"), {"page": 2})
    assert library_titles(response) == [f"Paper {n}" for n in range(30, 35)]
    assert "Page 2 of 2" in response.content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_paper_list_query_count_does_not_grow(member_client, count, django_assert_num_queries):
    session = factories.StudySessionFactory()
    presenter = factories.MemberFactory()
    for paper in factories.PaperFactory.create_batch(count):
        factories.PresentationFactory(session=session, papers=[paper], presenters=[presenter])
    # versions, session + user, years for the filter, count, papers,
    # talks with their sessions
    with django_assert_num_queries(6):
        response = member_client.get(reverse("study:paper-list"))
    # versions, session + user: the rest comes from the fragment cache.
    with django_assert_num_queries(2):
        again = member_client.get(reverse("study:paper-list"))
    assert len(library_titles(response)) == count
    assert library_list(again) == library_list(response)


def test_paper_list_shows_a_paper_added_after_the_page_was_cached(member_client, talk):
    factories.PaperFactory(title="Adam")
    member_client.get(reverse("study:paper-list"))
    paper = factories.PaperFactory(title="BERT", year=2018)
    talk.papers.add(paper)
    response = member_client.get(reverse("study:paper-list"))
    assert library_titles(response) == ["Adam", "BERT"]
    assert '<option value="2018">2018</option>' in response.content.decode()
    assert (
        'Covered in\n      <a href="/seasons/2025/6/">2025 논문 스터디, session 6</a>'
        in response.content.decode()
    )


def test_paper_list_shows_a_paper_renamed_after_the_page_was_cached(member_client, db):
    paper = factories.PaperFactory(title="Attention")
    member_client.get(reverse("study:paper-list"))
    paper.title = "Attention Is All You Need"
    paper.save()
    assert library_titles(member_client.get(reverse("study:paper-list"))) == [
        "Attention Is All You Need"
    ]


def test_paper_list_counts_a_talk_added_after_the_page_was_cached(member_client, talk):
    paper = factories.PaperFactory(title="Adam")
    talk.papers.add(paper)
    assert (
        '<span class="badge">1 talk</span>'
        in member_client.get(reverse("study:paper-list")).content.decode()
    )
    later = factories.StudySessionFactory(number=9)
    factories.PresentationFactory(session=later, papers=[paper])
    content = member_client.get(reverse("study:paper-list")).content.decode()
    assert '<span class="badge">2 talks</span>' in content
    assert (
        '<a href="/seasons/2025/6/">2025 논문 스터디, session 6</a>, <a href="/seasons/2025/9/">2025 논문 스터디, session 9</a>'
        in content
    )


@pytest.fixture
def library_pages(db):
    """Thirty-two papers: two from 2017, the older discussed in two talks."""
    for n in range(30):
        factories.PaperFactory(title=f"Paper {n:02d}", year=2020)
    old = factories.PaperFactory(title="Z old", year=2017)
    factories.PaperFactory(title="Z new", year=2017)
    factories.PresentationFactory(papers=[old])
    factories.PresentationFactory(papers=[old])


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({}, [f"Paper {n:02d}" for n in range(30)]),
        ({"page": 2}, ["Z new", "Z old"]),
        ({"page": 0}, ["Z new", "Z old"]),
        ({"page": "two"}, [f"Paper {n:02d}" for n in range(30)]),
        ({"year": 2017}, ["Z new", "Z old"]),
        ({"year": 2017, "page": 2}, ["Z new", "Z old"]),
        ({"year": 2017, "sort": "discussed"}, ["Z old", "Z new"]),
        ({"year": 1900, "sort": "discussed"}, [f"Paper {n:02d}" for n in range(30)]),
        ({"sort": "discussed"}, ["Z old"] + [f"Paper {n:02d}" for n in range(29)]),
        ({"sort": "discussed", "page": 2}, ["Paper 29", "Z new"]),
    ],
)
def test_paper_list_filters_and_pages_never_share_a_cached_list(
    member_client, library_pages, query, titles
):
    """Every other filter and page is requested (and cached) first."""
    url = reverse("study:paper-list")
    others = [
        {},
        {"page": 2},
        {"year": 2017},
        {"sort": "discussed"},
        {"sort": "discussed", "page": 2},
    ]
    for other in others:
        member_client.get(url, other)
    assert library_titles(member_client.get(url, query)) == titles


def test_paper_list_unknown_year_after_caching_is_still_a_form_error(member_client, library_pages):
    member_client.get(reverse("study:paper-list"))
    response = member_client.get(reverse("study:paper-list"), {"year": 1900})
    assert list(response.context["form"].errors) == ["year"]
    assert (
        '<ul class="errorlist" id="id_year_error"><li>Select a valid choice. 1900 is not one of '
        "the available choices.</li></ul>" in response.content.decode()
    )
    assert library_titles(response)[:2] == ["Paper 00", "Paper 01"]


def test_paper_list_is_the_same_for_every_persona(
    organizer_client, presenter_client, member_client, talk, django_assert_num_queries
):
    paper = factories.PaperFactory(title="Adam", year=2014)
    talk.papers.add(paper)
    first = organizer_client.get(reverse("study:paper-list"), {"sort": "newest"})
    for client in [presenter_client, member_client]:
        with django_assert_num_queries(2):
            response = client.get(reverse("study:paper-list"), {"sort": "newest"})
        assert library_list(response) == library_list(first)
    assert library_titles(first) == ["Adam"]


def test_paper_detail_shows_every_talk_and_session_that_covered_it(member_client, talk, presenter):
    paper = factories.PaperFactory(
        title="DDPM", url="https://arxiv.org/abs/2006.11239", authors="Ho, Jain, Abbeel"
    )
    talk.papers.add(paper)
    other = factories.PresentationFactory(
        session=factories.StudySessionFactory(number=8), topic="확산 모델 다시 보기", papers=[paper]
    )
    response = member_client.get(reverse("study:paper-detail", args=[paper.pk]))
    content = response.content.decode()
    assert "<h1>DDPM</h1>" in content
    assert (
        '<ol class="author-list"><li><a href="/papers/?author=Ho">Ho</a></li>'
        '<li><a href="/papers/?author=Jain">Jain</a></li>'
        '<li><a href="/papers/?author=Abbeel">Abbeel</a></li></ol>'
    ) in content
    assert (
        '<a href="https://arxiv.org/abs/2006.11239" rel="noopener noreferrer">2006.11239</a>'
        in content
    )
    assert list(response.context["talks"]) == [other, talk]
    assert f'<a href="/talks/{talk.pk}/">셀프 어텐션</a>' in content
    assert '<span class="person">🐼 강발표</span>' in content
    assert '<a href="/seasons/2025/8/">2025 논문 스터디, session 8</a>' in content


def test_paper_detail_unknown_is_404(member_client, db):
    assert member_client.get(reverse("study:paper-detail", args=[999])).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_paper_detail_query_count_does_not_grow(member_client, count, django_assert_num_queries):
    paper = factories.PaperFactory()
    for _ in range(count):
        factories.PresentationFactory(
            papers=[paper], presenters=[factories.MemberFactory(), factories.MemberFactory()]
        )
    # session + user, paper, talks with their sessions, presenters
    with django_assert_num_queries(5):
        response = member_client.get(reverse("study:paper-detail", args=[paper.pk]))
    assert len(response.context["talks"]) == count


def test_paper_list_page_links_keep_the_year_and_order(member_client, library_pages):
    url = reverse("study:paper-list")
    sorted_page = member_client.get(url, {"sort": "discussed"}).content.decode()
    second = member_client.get(url, {"sort": "discussed", "page": 2}).content.decode()
    assert '<a href="?sort=discussed&amp;page=2" rel="next">' in sorted_page
    assert '<a href="?sort=discussed&amp;page=1" rel="prev">' in second
    for n in range(30):
        factories.PaperFactory(title=f"More {n:02d}", year=2017)
    by_year = member_client.get(url, {"year": 2017, "sort": "newest"}).content.decode()
    assert '<a href="?year=2017&amp;sort=newest&amp;page=2" rel="next">' in by_year
