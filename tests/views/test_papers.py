"""The paper library and the paper page."""

import pytest
from django.urls import reverse

from tests import factories


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
    assert f'<a class="paper-title" href="/papers/{paper.pk}/">Attention Is All You Need</a>' in content
    assert '<span class="muted">(2017)</span>' in content
    assert [p.title for p in response.context["page"]] == ["Attention Is All You Need", "Unread paper"]
    assert [s.number for s in response.context["page"][0].sessions] == [6, 9]
    assert content.count('<a href="/sessions/6/">Session 6</a>') == 1
    assert '<a href="/sessions/9/">Session 9</a>' in content


def test_paper_list_paginates(member_client, db):
    for n in range(35):
        factories.PaperFactory(title=f"Paper {n:02d}")
    response = member_client.get(reverse("study:paper-list"), {"page": 2})
    assert [p.title for p in response.context["page"]] == [f"Paper {n}" for n in range(30, 35)]


@pytest.mark.parametrize("count", [1, 20])
def test_paper_list_query_count_does_not_grow(member_client, count, django_assert_num_queries):
    session = factories.StudySessionFactory()
    presenter = factories.MemberFactory()
    for paper in factories.PaperFactory.create_batch(count):
        factories.PresentationFactory(session=session, papers=[paper], presenters=[presenter])
    # session + user, years for the filter, count, papers, talks with their sessions
    with django_assert_num_queries(6):
        response = member_client.get(reverse("study:paper-list"))
    assert len(response.context["page"]) == count


def test_paper_detail_shows_every_talk_and_session_that_covered_it(member_client, talk, presenter):
    paper = factories.PaperFactory(title="DDPM", url="https://arxiv.org/abs/2006.11239", authors="Ho, Jain, Abbeel")
    talk.papers.add(paper)
    other = factories.PresentationFactory(
        session=factories.StudySessionFactory(number=8), topic="확산 모델 다시 보기", papers=[paper]
    )
    response = member_client.get(reverse("study:paper-detail", args=[paper.pk]))
    content = response.content.decode()
    assert "<h1>DDPM</h1>" in content
    assert "<dd>Ho, Jain, Abbeel</dd>" in content
    assert '<a href="https://arxiv.org/abs/2006.11239" rel="noopener noreferrer">' in content
    assert list(response.context["talks"]) == [other, talk]
    assert f'<a href="/talks/{talk.pk}/">셀프 어텐션</a>' in content
    assert '<span class="person">강발표🐼</span>' in content
    assert '<a href="/sessions/8/">Session 8</a>' in content


def test_paper_detail_unknown_is_404(member_client, db):
    assert member_client.get(reverse("study:paper-detail", args=[999])).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_paper_detail_query_count_does_not_grow(member_client, count, django_assert_num_queries):
    paper = factories.PaperFactory()
    for _ in range(count):
        factories.PresentationFactory(papers=[paper], presenters=[factories.MemberFactory(), factories.MemberFactory()])
    # session + user, paper, talks with their sessions, presenters
    with django_assert_num_queries(5):
        response = member_client.get(reverse("study:paper-detail", args=[paper.pk]))
    assert len(response.context["talks"]) == count
