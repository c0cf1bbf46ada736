"""Talks: the talk page, posting a talk (papers, slides), editing and deleting it."""

import io
import re
import zipfile

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sessions.forms.talks import parse_paper_lines
from sessions.models import Paper, Presentation, Question
from tests import factories
from tests.editing import opened_form
from tests.factories import SEASON

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"
TINY_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def assert_no_script_from(content):
    """No element from the hostile payload: it may only show up as escaped text."""
    assert "<script>alert(1)" not in content
    assert re.search(r"<[^>]*\bonerror", content) is None
    assert re.search(r"<[^>]*javascript:", content) is None


def tiny_pptx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<presentation/>")
    return buffer.getvalue()


def talk_data(*presenters, **overrides):
    data = {
        "topic": "확산 모델 입문",
        "presenters": [p.pk for p in presenters],
        "paper_links": "",
        "slides_url": "",
        "summary": "노이즈를 **조금씩** 걷어낸다.",
    }
    data.update(overrides)
    return data


# The talk page


def test_talk_detail_anonymous_redirects_to_login(outsider_client, talk):
    response = outsider_client.get(reverse("study:talk-detail", args=[talk.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/talks/{talk.pk}/"


def test_talk_detail_shows_talk_papers_and_qa(member_client, talk):
    paper = factories.PaperFactory(title="DDPM", url="https://arxiv.org/abs/2006.11239")
    talk.papers.add(paper)
    question = factories.QuestionFactory(presentation=talk, body="왜 $\\beta_t$ 인가요?")
    response = member_client.get(reverse("study:talk-detail", args=[talk.pk]))
    content = response.content.decode()
    assert "<h1>셀프 어텐션</h1>" in content
    assert (
        '<a href="/seasons/2025/6/">2025 논문 스터디, session 6 · 트랜스포머 다시 읽기</a>'
        in content
    )
    assert '<span class="person">🐼 강발표</span>' in content
    assert f'<a href="/papers/{paper.pk}/">DDPM</a>' in content
    assert "arXiv:2006.11239" in content
    assert talk.summary_html in content
    assert question.body_html in content
    assert '<span class="badge badge-warning">Unanswered</span>' in content
    assert f'action="/talks/{talk.pk}/questions/new/"' in content
    assert '<script src="/static/markdownx/js/markdownx' in content


def test_talk_detail_shows_edit_only_to_presenters_and_organizers(
    member_client, presenter_client, organizer_client, talk
):
    edit = f'href="/talks/{talk.pk}/edit/"'
    assert edit not in member_client.get(talk.get_absolute_url()).content.decode()
    assert edit in presenter_client.get(talk.get_absolute_url()).content.decode()
    assert edit in organizer_client.get(talk.get_absolute_url()).content.decode()


def test_talk_detail_unknown_is_404(member_client, db):
    assert member_client.get(reverse("study:talk-detail", args=[999])).status_code == 404


@pytest.mark.parametrize("questions", [1, 20])
def test_talk_detail_query_count_does_not_grow(member_client, questions, django_assert_num_queries):
    presenters = [factories.MemberFactory(), factories.MemberFactory()]
    talk = factories.PresentationFactory(presenters=presenters)
    talk.papers.add(*factories.PaperFactory.create_batch(questions))
    asker = factories.MemberFactory()
    for question in factories.QuestionFactory.create_batch(
        questions, presentation=talk, asked_by=asker
    ):
        factories.AnswerFactory.create_batch(2, question=question)
    # versions, user, talk, presenters, papers, its question count (which
    # numbers the pages), questions, answers
    with django_assert_num_queries(8):
        response = member_client.get(talk.get_absolute_url())
    assert response.content.decode().count('class="question"') == questions
    # From the cache: versions, user
    with django_assert_num_queries(2):
        again = member_client.get(talk.get_absolute_url())
    assert without_csrf(again.content.decode()) == without_csrf(response.content.decode())


def test_talk_detail_pages_its_questions(member_client, talk):
    questions = factories.QuestionFactory.create_batch(31, presentation=talk)
    first = member_client.get(talk.get_absolute_url()).content.decode()
    second = member_client.get(talk.get_absolute_url() + "?page=2").content.decode()
    beyond = member_client.get(talk.get_absolute_url() + "?page=9").content.decode()
    assert first.count('class="question"') == 30
    assert 'href="?page=2"' in first
    assert second.count('class="question"') == 1
    assert f'id="question-{questions[-1].pk}"' in second
    assert f'id="question-{questions[-1].pk}"' in beyond
    assert "Page 2 of 2" in beyond


# The talk page caches the talk and its questions (sessions/fragments.py).


def without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def talk_page(client, talk):
    return client.get(talk.get_absolute_url()).content.decode()


@pytest.fixture
def discussed_talk(talk, member, organizer):
    """The talk with a question from `member`, answered by its presenter, and
    one from the organizer."""
    question = factories.QuestionFactory(
        presentation=talk, asked_by=member, body="왜 스케일링하나요?"
    )
    factories.AnswerFactory(question=question, body="기울기가 사라지지 않게요.")
    factories.QuestionFactory(presentation=talk, asked_by=organizer, body="마스크는요?")
    return talk


def test_talk_page_from_the_cache_matches_a_fresh_one_for_every_persona(
    discussed_talk, organizer_client, presenter_client, member_client
):
    """Whoever filled the cache first, each persona sees exactly the page a
    fresh render gives them: no edit link leaks from one viewer to another."""
    bystander_client = Client()
    bystander_client.force_login(factories.MemberFactory())
    clients = {
        "organizer": organizer_client,
        "presenter": presenter_client,
        "member": member_client,
        "bystander": bystander_client,
    }
    fresh = {}
    for name, client in clients.items():
        cache.clear()
        fresh[name] = without_csrf(talk_page(client, discussed_talk))
    assert len(set(fresh.values())) == 4
    for order in (list(clients), list(reversed(clients))):
        cache.clear()
        seen = {name: without_csrf(talk_page(clients[name], discussed_talk)) for name in order}
        assert seen == fresh


def test_talk_page_shows_edit_links_only_to_their_owners(
    discussed_talk, organizer_client, presenter_client, member_client
):
    asked, by_organizer = discussed_talk.questions.order_by("pk")
    answer = asked.answers.get()
    bystander_client = Client()
    bystander_client.force_login(factories.MemberFactory())
    links = [
        f'href="/questions/{asked.pk}/edit/"',
        f'href="/questions/{by_organizer.pk}/edit/"',
        f'href="/answers/{answer.pk}/edit/"',
        f'href="/talks/{discussed_talk.pk}/edit/"',
    ]
    pages = {
        "bystander": talk_page(bystander_client, discussed_talk),
        "member": talk_page(member_client, discussed_talk),
        "presenter": talk_page(presenter_client, discussed_talk),
        "organizer": talk_page(organizer_client, discussed_talk),
    }
    assert {name: [link in page for link in links] for name, page in pages.items()} == {
        "bystander": [False, False, False, False],
        "member": [True, False, False, False],
        "presenter": [False, False, True, True],
        "organizer": [False, True, False, True],
    }


def test_talk_pages_are_cached_each_for_their_own_talk(talk, member_client):
    other = factories.PresentationFactory(session=talk.session, topic="위치 인코딩")
    factories.QuestionFactory(presentation=talk, body="첫 발표 질문")
    factories.QuestionFactory(presentation=other, body="둘째 발표 질문")
    for _ in range(2):
        first, second = talk_page(member_client, talk), talk_page(member_client, other)
        assert (
            "<h1>셀프 어텐션</h1>" in first,
            "첫 발표 질문" in first,
            "둘째 발표 질문" in first,
        ) == (
            True,
            True,
            False,
        )
        assert (
            "<h1>위치 인코딩</h1>" in second,
            "첫 발표 질문" in second,
            "둘째 발표 질문" in second,
        ) == (
            True,
            False,
            True,
        )


def test_talk_page_shows_a_question_asked_after_it_was_cached(talk, member, member_client):
    assert "No questions yet." in talk_page(member_client, talk)
    question = factories.QuestionFactory(
        presentation=talk, asked_by=member, body="새로 들어온 질문"
    )
    page = talk_page(member_client, talk)
    assert "새로 들어온 질문" in page
    assert f'href="/questions/{question.pk}/edit/"' in page


def test_talk_page_shows_an_answer_written_after_it_was_cached(discussed_talk, member_client):
    talk_page(member_client, discussed_talk)
    factories.AnswerFactory(question=discussed_talk.questions.first(), body="새로 달린 답")
    assert "새로 달린 답" in talk_page(member_client, discussed_talk)


def test_talk_page_shows_a_member_renamed_after_it_was_cached(
    discussed_talk, presenter, member_client
):
    talk_page(member_client, discussed_talk)
    presenter.display_name = "새이름"
    presenter.save(update_fields=["display_name"])
    page = talk_page(member_client, discussed_talk)
    assert '<span class="person">🐼 새이름</span>' in page
    # The presenters, both questions' addressee, the answer's author and the choice to ask.
    assert page.count("🐼 새이름") == 5


def test_talk_page_offers_the_presenters_added_after_it_was_cached(talk, presenter, member_client):
    talk_page(member_client, talk)
    co_presenter = factories.MemberFactory(display_name="김공동", emoji="🦝")
    talk.set_presenters([presenter, co_presenter])
    page = talk_page(member_client, talk)
    assert f'value="{co_presenter.pk}"' in page
    assert '<span class="person">🐼 강발표</span>, <span class="person">🦝 김공동</span>' in page


# Posting a talk


def test_talk_create_anonymous_redirects_to_login(outsider_client, study_session):
    response = outsider_client.post("/seasons/2025/6/talks/new/", talk_data())
    assert response["Location"] == "/accounts/login/?next=/seasons/2025/6/talks/new/"
    assert Presentation.objects.count() == 0


def test_talk_create_form_has_the_poster_as_presenter(member_client, member, study_session):
    response = member_client.get(reverse("study:talk-create", args=[SEASON, 6]))
    assert response.context["form"]["presenters"].value() == [member.pk]


def test_talk_create_by_member_posts_talk_with_co_presenters_and_papers(
    member_client, member, presenter, study_session
):
    known = factories.PaperFactory(
        title="Attention Is All You Need", url="https://arxiv.org/abs/1706.03762"
    )
    papers = "\n".join(
        [
            "https://arxiv.org/pdf/1706.03762v5.pdf",
            "DDPM | https://arxiv.org/abs/2006.11239",
            "- [Score SDE](https://arxiv.org/abs/2011.13456)",
            "",
        ]
    )
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]),
        talk_data(presenter, member, paper_links=papers, slides_url="https://example.org/deck"),
    )
    talk = Presentation.objects.get()
    assert response["Location"] == f"/talks/{talk.pk}/"
    assert talk.session == study_session
    assert talk.created_by == member
    assert talk.ordered_presenters() == [member, presenter]
    assert talk.summary_html == "<p>노이즈를 <strong>조금씩</strong> 걷어낸다.</p>\n"
    assert talk.slides_url == "https://example.org/deck"
    assert sorted(p.title for p in talk.papers.all()) == [
        "Attention Is All You Need",
        "DDPM",
        "Score SDE",
    ]
    assert Paper.objects.count() == 3
    assert known in talk.papers.all()
    page = member_client.get(response["Location"]).content.decode()
    assert "Your talk “확산 모델 입문” was posted." in page


def test_talk_create_new_paper_without_title_is_a_form_error(member_client, member, study_session):
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]),
        talk_data(member, paper_links="https://arxiv.org/abs/2006.11239"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["paper_links"] == [
        "Line 1: “https://arxiv.org/abs/2006.11239” is a paper we do not know yet: "
        "write its title as “title | link”."
    ]
    assert Presentation.objects.count() == 0
    assert Paper.objects.count() == 0


def test_talk_create_bad_link_names_the_line(member_client, member, study_session):
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]),
        talk_data(member, paper_links="Good | https://example.org/a\nBad | javascript:alert(1)"),
    )
    assert response.context["form"].errors["paper_links"] == [
        "Line 2: “javascript:alert(1)” is not a link (http://…, https://… or an arXiv id)."
    ]
    assert Paper.objects.count() == 0


def test_talk_create_needs_a_presenter(member_client, study_session):
    response = member_client.post(reverse("study:talk-create", args=[SEASON, 6]), talk_data())
    assert response.context["form"].errors == {"presenters": ["This field is required."]}


def test_talk_create_same_topic_twice_in_a_session_is_a_form_error(member_client, member, talk):
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), talk_data(member, topic="셀프 어텐션")
    )
    assert response.context["form"].errors == {
        "topic": ["This session already has a talk called “셀프 어텐션”."]
    }
    assert Presentation.objects.count() == 1


def test_talk_create_for_unknown_session_is_404(member_client, db):
    assert member_client.get(reverse("study:talk-create", args=[SEASON, 99])).status_code == 404


def test_talk_create_accepts_a_real_pdf_and_stores_it(
    member_client, member, study_session, settings
):
    slides = SimpleUploadedFile("deck.pdf", TINY_PDF, content_type="application/pdf")
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
    )
    talk = Presentation.objects.get()
    assert response.status_code == 302
    assert re.fullmatch(r"slides/\d{4}/deck(_\w+)?\.pdf", talk.slides.name)
    with talk.slides.open("rb") as stored:
        assert stored.read() == TINY_PDF
    assert (
        f'<a href="{talk.slides.url}">Download slides</a>'
        in member_client.get(talk.get_absolute_url()).content.decode()
    )


def test_talk_create_accepts_a_pptx(member_client, member, study_session):
    slides = SimpleUploadedFile("deck.pptx", tiny_pptx())
    member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
    )
    assert Presentation.objects.get().slides.name.endswith(".pptx")


@pytest.mark.parametrize(
    "name,content",
    [
        ("deck.pdf", PNG),  # a PNG renamed .pdf
        ("deck.pptx", b"PK\x03\x04 not really a zip"),
        ("deck.pdf", None),  # a PPTX named .pdf: content and name disagree
    ],
)
def test_talk_create_refuses_files_that_are_not_slides(
    member_client, member, study_session, name, content
):
    slides = SimpleUploadedFile(name, content if content is not None else tiny_pptx())
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
    )
    assert response.context["form"].errors == {
        "slides": [f"“{name}” is not a PDF or PowerPoint (.pptx) file."]
    }
    assert Presentation.objects.count() == 0


def test_talk_create_refuses_other_extensions(member_client, member, study_session):
    slides = SimpleUploadedFile("deck.png", PNG)
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
    )
    assert response.context["form"].errors == {
        "slides": ["“deck.png” is not a PDF or PowerPoint (.pptx) file."]
    }


def test_talk_create_refuses_slides_over_20_mb(member_client, member, study_session):
    slides = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024))
    response = member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
    )
    assert response.context["form"].errors == {
        "slides": ["“big.pdf” is 21.0\xa0MB; slides may be at most 20.0\xa0MB."]
    }
    assert Presentation.objects.count() == 0


def test_talk_summary_hostile_markdown_is_neutralised(member_client, member, study_session):
    member_client.post(
        reverse("study:talk-create", args=[SEASON, 6]), talk_data(member, summary=HOSTILE)
    )
    talk = Presentation.objects.get()
    for url in [talk.get_absolute_url(), "/seasons/2025/6/"]:
        content = member_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert_no_script_from(content)


# Editing and deleting a talk


@pytest.mark.parametrize("client_name", ["presenter_client", "organizer_client"])
def test_talk_edit_by_presenter_or_organizer_updates_it(
    request, client_name, talk, presenter, member
):
    client = request.getfixturevalue(client_name)
    form = client.get(reverse("study:talk-edit", args=[talk.pk])).context["form"]
    assert form["presenters"].value() == [presenter.pk]
    response = client.post(
        reverse("study:talk-edit", args=[talk.pk]),
        {
            **opened_form(client, reverse("study:talk-edit", args=[talk.pk])),
            **talk_data(
                member,
                presenter,
                topic="멀티헤드 어텐션",
                paper_links="MHA | https://example.org/mha",
            ),
        },
    )
    talk.refresh_from_db()
    assert response["Location"] == f"/talks/{talk.pk}/"
    assert talk.topic == "멀티헤드 어텐션"
    # The presenter already listed keeps the first place.
    assert talk.ordered_presenters() == [presenter, member]
    assert [p.title for p in talk.papers.all()] == ["MHA"]
    assert talk.summary_html == "<p>노이즈를 <strong>조금씩</strong> 걷어낸다.</p>\n"


def test_talk_edit_keeps_the_topic_check_for_its_own_topic(presenter_client, talk, presenter):
    url = reverse("study:talk-edit", args=[talk.pk])
    response = presenter_client.post(
        url, {**opened_form(presenter_client, url), **talk_data(presenter, topic="셀프 어텐션")}
    )
    assert response.status_code == 302


def test_talk_edit_by_other_member_is_403_and_changes_nothing(member_client, talk, member):
    response = member_client.post(
        reverse("study:talk-edit", args=[talk.pk]), talk_data(member, topic="탈취")
    )
    talk.refresh_from_db()
    assert response.status_code == 403
    assert talk.topic == "셀프 어텐션"
    assert [m.display_name for m in talk.ordered_presenters()] == ["강발표"]


def test_talk_edit_anonymous_redirects_to_login(outsider_client, talk):
    response = outsider_client.post(reverse("study:talk-edit", args=[talk.pk]), {"topic": "x"})
    assert response["Location"] == f"/accounts/login/?next=/talks/{talk.pk}/edit/"


def test_talk_delete_get_asks_for_confirmation(presenter_client, talk):
    content = presenter_client.get(reverse("study:talk-delete", args=[talk.pk])).content.decode()
    assert "<h1>Delete the talk “셀프 어텐션”?</h1>" in content
    assert Presentation.objects.count() == 1


def test_talk_delete_by_presenter_deletes_it_and_its_questions(presenter_client, talk):
    factories.QuestionFactory(presentation=talk)
    response = presenter_client.post(reverse("study:talk-delete", args=[talk.pk]))
    assert response["Location"] == "/seasons/2025/6/"
    assert Presentation.objects.count() == 0
    assert Question.objects.count() == 0


def test_talk_delete_by_other_member_is_403_and_keeps_it(member_client, talk):
    assert member_client.post(reverse("study:talk-delete", args=[talk.pk])).status_code == 403
    assert Presentation.objects.count() == 1


# The papers box


def test_parse_paper_lines_reads_every_form():
    lines = parse_paper_lines(
        "https://arxiv.org/abs/1706.03762\nA | B | https://x.org/p\n* [T](https://y.org)\n\n"
    )
    assert [(line.number, line.title, line.link) for line in lines] == [
        (1, "", "https://arxiv.org/abs/1706.03762"),
        (2, "A | B", "https://x.org/p"),
        (3, "T", "https://y.org"),
    ]


def test_parse_paper_lines_accepts_a_bare_arxiv_id():
    assert parse_paper_lines("Attention | 1706.03762")[0].link == "1706.03762"


def test_parse_paper_lines_rejects_non_links():
    with pytest.raises(ValidationError) as error:
        parse_paper_lines("just a title\nftp://x.org/p")
    assert [e.params["number"] for e in error.value.error_list] == [1, 2]


# Slides files leave the storage with the talk that used them.


@pytest.fixture
def talk_with_slides(member_client, member, study_session, django_capture_on_commit_callbacks):
    slides = SimpleUploadedFile("deck.pdf", TINY_PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            reverse("study:talk-create", args=[SEASON, 6]), {**talk_data(member), "slides": slides}
        )
    talk = Presentation.objects.get()
    assert talk.slides.storage.exists(talk.slides.name)
    return talk


def test_talk_edit_with_new_slides_removes_the_old_file(
    member_client, member, talk_with_slides, django_capture_on_commit_callbacks
):
    old = talk_with_slides.slides.name
    new = SimpleUploadedFile("deck2.pdf", TINY_PDF, content_type="application/pdf")
    url = reverse("study:talk-edit", args=[talk_with_slides.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            url, {**opened_form(member_client, url), **talk_data(member), "slides": new}
        )
    talk_with_slides.refresh_from_db()
    storage = talk_with_slides.slides.storage
    assert response.status_code == 302
    assert (storage.exists(old), storage.exists(talk_with_slides.slides.name)) == (False, True)


def test_talk_edit_clearing_the_slides_removes_the_file(
    member_client, member, talk_with_slides, django_capture_on_commit_callbacks
):
    old = talk_with_slides.slides.name
    url = reverse("study:talk-edit", args=[talk_with_slides.pk])
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            url, {**opened_form(member_client, url), **talk_data(member), "slides-clear": "on"}
        )
    talk_with_slides.refresh_from_db()
    assert (talk_with_slides.slides.name, talk_with_slides.slides.storage.exists(old)) == (
        "",
        False,
    )


def test_talk_edit_without_new_slides_keeps_the_file(
    member_client, member, talk_with_slides, django_capture_on_commit_callbacks
):
    url = reverse("study:talk-edit", args=[talk_with_slides.pk])
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(
            url, {**opened_form(member_client, url), **talk_data(member, topic="새 제목")}
        )
    talk_with_slides.refresh_from_db()
    assert talk_with_slides.topic == "새 제목"
    assert talk_with_slides.slides.storage.exists(talk_with_slides.slides.name)


def test_talk_edit_refused_keeps_the_old_file(
    member_client, member, talk_with_slides, django_capture_on_commit_callbacks
):
    old = talk_with_slides.slides.name
    bad = SimpleUploadedFile("deck.png", PNG)
    url = reverse("study:talk-edit", args=[talk_with_slides.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url, {**talk_data(member), "slides": bad})
    assert list(response.context["form"].errors) == ["slides"]
    assert talk_with_slides.slides.storage.exists(old)


@pytest.mark.parametrize("how", ["talk page", "session deleted"])
def test_deleting_a_talk_removes_its_slides(
    how, member_client, organizer_client, talk_with_slides, django_capture_on_commit_callbacks
):
    name, storage = talk_with_slides.slides.name, talk_with_slides.slides.storage
    with django_capture_on_commit_callbacks(execute=True):
        if how == "talk page":
            member_client.post(reverse("study:talk-delete", args=[talk_with_slides.pk]))
        else:
            organizer_client.post(reverse("study:session-delete", args=[SEASON, 6]))
    assert (Presentation.objects.count(), storage.exists(name)) == (0, False)


def test_talk_papers_keep_the_order_they_were_entered_in(member_client, member, study_session):
    url = reverse("study:talk-create", args=[SEASON, 6])
    lines = "Zeta | https://example.org/zeta\nAlpha | https://example.org/alpha\nMu | https://example.org/mu"
    member_client.post(url, talk_data(member, paper_links=lines))
    talk = Presentation.objects.get()
    assert [p.title for p in talk.ordered_papers()] == ["Zeta", "Alpha", "Mu"]
    page = member_client.get(talk.get_absolute_url()).content.decode()
    assert page.index(">Zeta</a>") < page.index(">Alpha</a>") < page.index(">Mu</a>")
    edit = reverse("study:talk-edit", args=[talk.pk])
    form = member_client.get(edit).context["form"]
    assert form["paper_links"].value() == (
        "Zeta | https://example.org/zeta\nAlpha | https://example.org/alpha\nMu | https://example.org/mu"
    )
    reordered = "Mu | https://example.org/mu\nZeta | https://example.org/zeta\nAlpha | https://example.org/alpha"
    member_client.post(
        edit, {**opened_form(member_client, edit), **talk_data(member, paper_links=reordered)}
    )
    assert [p.title for p in talk.ordered_papers()] == ["Mu", "Zeta", "Alpha"]


def test_talk_page_labels_a_doi_paper_doi(member_client, talk):
    talk.set_papers(
        [
            factories.PaperFactory(
                title="DOI paper", url="https://doi.org/10.1000/xyz", doi="10.1000/xyz", arxiv_id=""
            ),
            factories.PaperFactory(
                title="Plain", url="https://example.org/plain", doi="", arxiv_id=""
            ),
        ]
    )
    page = member_client.get(talk.get_absolute_url()).content.decode()
    assert 'href="https://doi.org/10.1000/xyz" rel="noopener noreferrer">DOI</a>' in page
    assert 'href="https://example.org/plain" rel="noopener noreferrer">link</a>' in page


def _answer_links(client, talk):
    page = client.get(talk.get_absolute_url()).content.decode()
    return re.findall(
        r'<div class="item-actions answer-action">\s*<a class="button" href="(/questions/\d+/answers/new/)"',
        page,
    ), page


def test_talk_answer_action_follows_the_answers_and_is_gone_once_answered(
    presenter_client, member_client, talk, presenter
):
    question = factories.QuestionFactory(presentation=talk, addressed_to=presenter, body="왜요?")
    add = f"/questions/{question.pk}/answers/new/"
    links, page = _answer_links(presenter_client, talk)
    assert links == [add]
    factories.AnswerFactory(question=question, author=presenter, body="그래서요.")
    links, page = _answer_links(presenter_client, talk)
    assert links == []
    assert page.index("그래서요.") < page.index("/answers/") and "Edit" in page
    links, page = _answer_links(member_client, talk)
    assert links == [add]
    assert page.index("그래서요.") < page.index(add)
