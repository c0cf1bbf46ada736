"""Search: Korean as people type it, every kind of text, highlighted passages,
sensible answers to odd queries, and trigram indexes on PostgreSQL."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from sessions.models import Question
from sessions.search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    TRIGRAM_INDEXES,
    _pattern,
    matching,
    search,
    snippet,
    split_terms,
)
from tests import factories

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)


def _found(groups):
    """{kind key: [objects]} from search results."""
    return {group.kind.key: [hit.obj for hit in group.hits] for group in groups}


def _shown(response):
    """{kind key: [result links]} as the search page shows them, in order."""
    sections = re.findall(
        r'<section class="search-group" id="results-(\w+)">(.*?)</section>',
        response.content.decode(),
        re.S,
    )
    return {key: re.findall(r'<li>\s*<a href="([^"]+)">', body) for key, body in sections}


def _results(response):
    """The cached part of the search page: everything after the search form."""
    content = response.content.decode()
    start = content.index("</form>", content.index('<form class="search-form card"'))
    return content[start : content.index("</main>")]


@pytest.fixture
def archive(db):
    """One of each kind of text, in Korean and English."""
    session = factories.StudySessionFactory(
        number=3, title="Backpropagation 복습", notes="이번 주에는 경사 하강법을 본다."
    )
    talk = factories.PresentationFactory(
        session=session, topic="트랜스포머 구조", summary="셀프 어텐션은 $QK^T$ 로 가중치를 구한다."
    )
    paper = factories.PaperFactory(
        title="Attention Is All You Need", authors="Vaswani; Shazeer", year=2017
    )
    question = factories.QuestionFactory(presentation=talk, body="역전파를 직접 구현해 보셨나요?")
    answer = factories.AnswerFactory(question=question, body="네, NumPy 로 구현했습니다.")
    reflection = factories.ReflectionFactory(session=session, body="그래디언트 소실이 인상 깊었다.")
    journal = factories.JournalEntryFactory(title="Weekly log", body="Layer norm 정리.")
    return {
        "session": session,
        "talk": talk,
        "paper": paper,
        "question": question,
        "answer": answer,
        "reflection": reflection,
        "journal": journal,
    }


def test_search_korean_word_finds_it_with_a_particle(archive):
    assert _found(search("역전파")) == {"questions": [archive["question"]]}


def test_search_korean_word_finds_it_inside_a_sentence(archive):
    assert _found(search("어텐션")) == {"talks": [archive["talk"]]}


@pytest.mark.parametrize("query", ["attention", "ATTENTION", "aTtEnTiOn"])
def test_search_english_ignores_case(archive, query):
    assert _found(search(query)) == {"papers": [archive["paper"]]}


@pytest.mark.parametrize(
    ("query", "kind", "key"),
    [
        ("경사 하강법", "sessions", "session"),
        ("backpropagation", "sessions", "session"),
        ("트랜스포머", "talks", "talk"),
        ("vaswani", "papers", "paper"),
        ("구현해", "questions", "question"),
        ("numpy", "answers", "answer"),
        ("그래디언트", "reflections", "reflection"),
        ("weekly", "journals", "journal"),
        ("layer norm", "journals", "journal"),
    ],
)
def test_search_finds_every_kind(archive, query, kind, key):
    assert _found(search(query)) == {kind: [archive[key]]}


def test_search_groups_come_in_kind_order(archive):
    factories.JournalEntryFactory(title="구현 일지", body="구현")
    groups = search("구현")
    assert [group.kind.key for group in groups] == ["questions", "answers", "journals"]


def test_search_every_term_must_match(archive):
    factories.QuestionFactory(presentation=archive["talk"], body="역전파는 왜 느린가요?")
    assert _found(search("역전파 구현")) == {"questions": [archive["question"]]}


def test_search_quoted_phrase_is_one_term(archive):
    assert _found(search('"셀프 어텐션은"')) == {"talks": [archive["talk"]]}
    assert search('"어텐션은 셀프"') == []


def test_search_like_wildcards_are_literal(db):
    talk = factories.PresentationFactory(topic="정확도 100% 달성", summary="")
    factories.PresentationFactory(topic="정확도 1000 달성", summary="")
    factories.PresentationFactory(topic="snake_case 이름", summary="")
    factories.PresentationFactory(topic="snakeXcase 이름", summary="")
    assert [hit.obj for group in search("100%") for hit in group.hits] == [talk]
    assert [hit.obj.topic for group in search("snake_case") for hit in group.hits] == [
        "snake_case 이름"
    ]


@pytest.mark.parametrize("query", ["", "   ", '""', "\t\n"])
def test_search_empty_query_finds_nothing(archive, query):
    assert search(query) == []


def test_split_terms_drops_repeats_and_caps_the_number():
    words = " ".join(f"w{n}" for n in range(MAX_TERMS + 5))
    assert split_terms("Attention attention ATTENTION 어텐션") == ["Attention", "어텐션"]
    assert split_terms(words) == [f"w{n}" for n in range(MAX_TERMS)]


def test_search_has_more_when_a_kind_has_more_hits_than_shown(db):
    factories.PaperFactory.create_batch(4, title="Diffusion models")
    groups = search("diffusion", limit=3)
    assert [(len(group.hits), group.has_more) for group in groups] == [(3, True)]


def test_snippet_highlights_matches_and_escapes_html():
    text = "<b>앞</b> 내용 " * 20 + "역전파를 보자 & 역전파" + " 뒤 내용" * 40
    passage = snippet(text, _pattern(["역전파"]))
    assert passage.startswith("… ")
    assert passage.endswith(" …")
    assert passage.count("<mark>역전파</mark>") == 2
    assert "<b>" not in passage
    assert "&lt;b&gt;" in passage
    assert "&amp;" in passage


def test_search_hit_shows_highlighted_passage_and_link(archive):
    [group] = search("역전파")
    [hit] = group.hits
    assert str(hit.passage) == "<mark>역전파</mark>를 직접 구현해 보셨나요?"
    assert hit.url == f"/talks/{archive['talk'].pk}/#question-{archive['question'].pk}"


def test_search_page_groups_results_by_kind(archive, member_client):
    response = member_client.get(reverse("study:search"), {"q": "구현"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index('id="results-questions"') < content.index('id="results-answers"')
    assert "<mark>구현</mark>해 보셨나요?" in content
    assert list(_shown(response)) == ["questions", "answers"]


def test_search_page_empty_query_asks_for_words(archive, member_client):
    response = member_client.get(reverse("study:search"), {"q": ""})
    assert response.status_code == 200
    assert _shown(response) == {}
    assert 'id="search-empty-query"' in response.content.decode()


def test_search_page_without_parameters_shows_the_form(member_client):
    response = member_client.get(reverse("study:search"))
    assert (response.status_code, _shown(response)) == (200, {})
    assert 'id="search-empty-query"' not in response.content.decode()


def test_search_page_too_long_query_is_a_form_error(archive, member_client):
    response = member_client.get(reverse("study:search"), {"q": "역" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 200
    assert _shown(response) == {}
    assert list(response.context["form"].errors) == ["q"]


def test_search_page_unknown_kind_is_a_form_error(archive, member_client):
    response = member_client.get(reverse("study:search"), {"q": "역전파", "kind": "nonsense"})
    assert (response.status_code, list(response.context["form"].errors)) == (200, ["kind"])


def test_search_page_no_match_says_so(archive, member_client):
    response = member_client.get(reverse("study:search"), {"q": "존재하지않는말"})
    assert 'id="search-no-results"' in response.content.decode()


def test_search_page_one_kind_pages_through_hits(db, member_client):
    papers = factories.PaperFactory.create_batch(31, title="Diffusion models")
    url = reverse("study:search")
    first = member_client.get(url, {"q": "diffusion", "kind": "papers"})
    second = member_client.get(url, {"q": "diffusion", "kind": "papers", "page": 2})
    assert _shown(first) == {"papers": [f"/papers/{paper.pk}/" for paper in papers[:0:-1]]}
    assert _shown(second) == {"papers": [f"/papers/{papers[0].pk}/"]}
    assert '<a href="?q=diffusion&amp;kind=papers&amp;page=2" rel="next">' in first.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert (
        '<a href="?q=diffusion&amp;kind=papers&amp;page=1" rel="prev">' in second.content.decode()
    )


@pytest.mark.parametrize("page", ["0", "-1", "two", "10001", "²"])
def test_search_page_number_out_of_range_shows_the_first_page(db, member_client, page):
    papers = factories.PaperFactory.create_batch(31, title="Diffusion models")
    url = reverse("study:search")
    response = member_client.get(url, {"q": "diffusion", "kind": "papers", "page": page})
    assert _shown(response) == {"papers": [f"/papers/{paper.pk}/" for paper in papers[:0:-1]]}


def test_search_page_needs_login(outsider_client):
    response = outsider_client.get(reverse("study:search"), {"q": "역전파"})
    assert (response.status_code, response.url) == (
        302,
        "/accounts/login/?next=/search/%3Fq%3D%25EC%2597%25AD%25EC%25A0%2584%25ED%258C%258C",
    )


@pytest.mark.parametrize("count", [1, 3])
def test_search_page_query_count(db, member_client, django_assert_num_queries, count):
    for n in range(count):
        talk = factories.PresentationFactory(topic=f"어텐션 {n}", summary="어텐션")
        factories.PaperFactory(title=f"어텐션 paper {n}")
        question = factories.QuestionFactory(presentation=talk, body="어텐션?")
        factories.AnswerFactory(question=question, body="어텐션!")
        factories.ReflectionFactory(session=talk.session, body="어텐션 소감")
        factories.JournalEntryFactory(title="어텐션 일지")
        talk.session.notes = "어텐션"
        talk.session.save()
    # Versions, session and member, who has private journal
    # entries (whose results are their own), then one query per kind (seven).
    with django_assert_num_queries(10):
        response = member_client.get(reverse("study:search"), {"q": "어텐션"})
    # Versions, session and member: the results come from the cache.
    with django_assert_num_queries(2):
        again = member_client.get(reverse("study:search"), {"q": "어텐션"})
    assert [len(links) for links in _shown(response).values()] == [count] * 7
    assert _results(again) == _results(response)


def test_search_page_after_an_answer_searches_the_answers_only(
    archive, member_client, django_assert_num_queries
):
    url = reverse("study:search")
    before = _shown(member_client.get(url, {"q": "구현"}))
    factories.AnswerFactory(question=archive["question"], body="구현은 저장소에 있어요.")
    # Versions, session and member, then the answers: the other kinds'
    # results are still current.
    with django_assert_num_queries(3):
        response = member_client.get(url, {"q": "구현"})
    talk = archive["talk"].pk
    assert _shown(response) == {
        "questions": before["questions"],
        "answers": [f"/talks/{talk}/#question-{archive['question'].pk}"] * 2,
    }
    assert "<mark>구현</mark>은 저장소에 있어요." in response.content.decode()


def test_search_page_empty_query_runs_no_search(member_client, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = member_client.get(reverse("study:search"), {"q": " "})
    assert 'id="search-empty-query"' in response.content.decode()


def test_search_page_shows_a_question_asked_after_the_results_were_cached(archive, member_client):
    url = reverse("study:search")
    assert list(_shown(member_client.get(url, {"q": "구현"}))) == ["questions", "answers"]
    question = factories.QuestionFactory(
        presentation=archive["talk"], body="구현 코드를 공유해 주세요."
    )
    response = member_client.get(url, {"q": "구현"})
    talk = archive["talk"].pk
    assert _shown(response)["questions"] == [
        f"/talks/{talk}/#question-{question.pk}",
        f"/talks/{talk}/#question-{archive['question'].pk}",
    ]
    assert "<mark>구현</mark> 코드를 공유해 주세요." in response.content.decode()


def test_search_page_follows_a_talk_renamed_after_the_results_were_cached(archive, member_client):
    url = reverse("study:search")
    member_client.get(url, {"q": "트랜스포머"})
    member_client.get(url, {"q": "디퓨전"})
    talk = archive["talk"]
    talk.topic = "디퓨전 구조"
    talk.save()
    assert 'id="search-no-results"' in member_client.get(url, {"q": "트랜스포머"}).content.decode()
    response = member_client.get(url, {"q": "디퓨전"})
    assert _shown(response) == {"talks": [f"/talks/{talk.pk}/"]}
    assert "<mark>디퓨전</mark> 구조" in response.content.decode()


def test_search_page_shows_no_result_deleted_after_the_results_were_cached(archive, member_client):
    url = reverse("study:search")
    member_client.get(url, {"q": "layer"})
    archive["journal"].delete()
    assert 'id="search-no-results"' in member_client.get(url, {"q": "layer"}).content.decode()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"q": "diffusion"}, {"papers": 10, "journals": 1}),
        ({"q": "diffusion", "kind": "papers"}, {"papers": 30}),
        ({"q": "diffusion", "kind": "papers", "page": 2}, {"papers": 1}),
        ({"q": "diffusion", "kind": "journals"}, {"journals": 1}),
        ({"q": "diffusion models"}, {"papers": 10}),
        ({"q": '"models diffusion"'}, {}),
        ({"q": "models"}, {"papers": 10}),
    ],
)
def test_search_page_queries_kinds_and_pages_never_share_cached_results(
    db, member_client, query, shown
):
    """Every other query, kind and page is searched (and cached) first."""
    factories.PaperFactory.create_batch(31, title="Diffusion models")
    factories.JournalEntryFactory(title="Diffusion 정리", body="노트")
    url = reverse("study:search")
    for other in [
        {"q": "diffusion"},
        {"q": "diffusion", "kind": "papers"},
        {"q": "diffusion", "kind": "papers", "page": 2},
        {"q": "diffusion", "kind": "journals"},
        {"q": "diffusion models"},
        {"q": "models"},
    ]:
        member_client.get(url, other)
    response = member_client.get(url, query)
    assert {key: len(links) for key, links in _shown(response).items()} == shown


def test_search_page_links_keep_the_other_parameters(db, member_client):
    factories.PaperFactory.create_batch(11, title="Diffusion models")
    url = reverse("study:search")
    member_client.get(url, {"q": "diffusion"})
    content = member_client.get(url, {"q": "diffusion", "from": "header"}).content.decode()
    assert '<a href="?q=diffusion&amp;from=header&amp;kind=papers">' in content
    content = member_client.get(url, {"q": "diffusion"}).content.decode()
    assert '<a href="?q=diffusion&amp;kind=papers">' in content


def test_search_page_query_keeps_its_own_words_in_the_title(archive, member_client):
    url = reverse("study:search")
    member_client.get(url, {"q": "역전파"})
    content = member_client.get(url, {"q": "  역전파  "}).content.decode()
    assert "<title>Search: 역전파" in content
    assert "<mark>역전파</mark>를 직접 구현해 보셨나요?" in content


def test_search_page_is_the_same_for_every_persona(
    archive, organizer_client, presenter_client, member_client, django_assert_num_queries
):
    first = organizer_client.get(reverse("study:search"), {"q": "구현"})
    for client in [presenter_client, member_client]:
        with django_assert_num_queries(2):
            response = client.get(reverse("study:search"), {"q": "구현"})
        assert _results(response) == _results(first)
    assert list(_shown(first)) == ["questions", "answers"]


@on_postgresql
def test_postgresql_hangul_gives_trigrams(db):
    """pg_trgm sees Hangul only with a UTF-8 LC_CTYPE; under "C" there are none.

    (show_trgm prints multibyte trigrams as hashes, so only their number is
    checked: "  역", " 역전", "역전파", "전파를", "파를 ".)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        [ctype] = cursor.fetchone()
        cursor.execute("SELECT show_trgm('역전파를')")
        [trigrams] = cursor.fetchone()
    assert ctype.replace("-", "").lower().endswith("utf8")
    assert len(trigrams) == 5


@on_postgresql
def test_postgresql_trigram_indexes_exist(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        indexes = dict(cursor.fetchall())
    assert sorted(indexes) == sorted(name for _model, _field, name in TRIGRAM_INDEXES)
    assert "USING gin (upper(body) gin_trgm_ops)" in indexes["study_question_body_trgm"]


@on_postgresql
def test_postgresql_search_uses_the_trigram_index(archive):
    """With few rows the planner prefers a scan; forbidding scans (sequential,
    and full walks of another index) shows the trigram index answers the
    query Django writes for icontains."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = matching(Question.objects.all(), ("body",), ["역전파"]).explain()
    assert "study_question_body_trgm" in plan
    assert "Seq Scan" not in plan


def test_header_has_the_search_box_on_every_page(member_client):
    content = member_client.get("/").content.decode()
    assert '<form class="header-search" action="/search/" method="get" role="search">' in content


def test_header_search_box_keeps_the_query_on_the_results_page(archive, member_client):
    content = member_client.get(reverse("study:search"), {"q": "<역전파>"}).content.decode()
    assert 'aria-label="Search" placeholder="Search the archive" value="&lt;역전파&gt;"' in content


def test_search_page_form_shows_each_search_its_own_words_and_kind(archive, member_client):
    def form(**params):
        content = member_client.get(reverse("study:search"), params).content.decode()
        return (
            re.findall(r'<input type="search" name="q"[^>]*value="([^"]*)"', content),
            re.findall(r'<option value="(\w*)" selected>', content),
        )

    # The header's search box and the page's both keep the words.
    assert form(q="구현") == (["구현", "구현"], [""])
    assert form(q="구현", kind="answers") == (["구현", "구현"], ["answers"])
    assert form(q="디퓨전") == (["디퓨전", "디퓨전"], [""])


def test_search_passage_is_plain_text_of_the_rendered_markdown(db):
    talk = factories.PresentationFactory(
        topic="수식 정리",
        summary="손실은\n\n$$\\epsilon^2$$\n\n이다.\n\n| 모델 | 정확도 |\n|---|---|\n| 기준 | 90 |\n\n![그림](/media/x.png) 끝",
    )
    passage = str(_found_hits(search("정확도"))["talks"][0].passage)
    assert (
        "$$" not in passage and "|" not in passage and "![" not in passage and "<td>" not in passage
    )
    assert "ϵ" in passage and "epsilon" not in passage
    assert "모델 <mark>정확도</mark> 기준 90" in passage
    assert talk.summary_html  # the passage came from the stored HTML


def test_search_passage_escapes_html_written_as_text(db):
    factories.QuestionFactory(body="`<b>굵게</b>` 는 어떻게 쓰나요?")
    passage = str(_found_hits(search("어떻게"))["questions"][0].passage)
    assert "&lt;b&gt;굵게&lt;/b&gt; 는 <mark>어떻게</mark> 쓰나요?" == passage


def test_search_finds_journals_by_tag_once(db):
    tags = [factories.TagFactory(name="최적화"), factories.TagFactory(name="최적화-심화")]
    journal = factories.JournalEntryFactory(title="주간 기록", body="학습률", tags=tags)
    factories.JournalEntryFactory(title="다른 기록", body="학습률")
    assert _found(search("최적화")) == {"journals": [journal]}


def _found_hits(groups):
    return {group.kind.key: group.hits for group in groups}
