"""Talks: the talk page, posting a talk (papers, slides), editing and deleting it."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sessions.forms.talks import parse_paper_lines
from sessions.models import Paper, Presentation, Question
from tests import factories

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
    assert '<a href="/sessions/6/">Session 6 · 트랜스포머 다시 읽기</a>' in content
    assert '<span class="person">강발표🐼</span>' in content
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
    for question in factories.QuestionFactory.create_batch(questions, presentation=talk, asked_by=asker):
        factories.AnswerFactory.create_batch(2, question=question)
    # session + user, talk, presenters, papers, question count (pages), questions, answers,
    # the "addressed to" choices
    with django_assert_num_queries(9):
        response = member_client.get(talk.get_absolute_url())
    assert response.content.decode().count('class="question"') == questions


# Posting a talk


def test_talk_create_anonymous_redirects_to_login(outsider_client, study_session):
    response = outsider_client.post("/sessions/6/talks/new/", talk_data())
    assert response["Location"] == "/accounts/login/?next=/sessions/6/talks/new/"
    assert Presentation.objects.count() == 0


def test_talk_create_form_has_the_poster_as_presenter(member_client, member, study_session):
    response = member_client.get(reverse("study:talk-create", args=[6]))
    assert response.context["form"]["presenters"].value() == [member.pk]


def test_talk_create_by_member_posts_talk_with_co_presenters_and_papers(member_client, member, presenter, study_session):
    known = factories.PaperFactory(title="Attention Is All You Need", url="https://arxiv.org/abs/1706.03762")
    papers = "\n".join(
        [
            "https://arxiv.org/pdf/1706.03762v5.pdf",
            "DDPM | https://arxiv.org/abs/2006.11239",
            "- [Score SDE](https://arxiv.org/abs/2011.13456)",
            "",
        ]
    )
    response = member_client.post(
        reverse("study:talk-create", args=[6]),
        talk_data(presenter, member, paper_links=papers, slides_url="https://example.org/deck"),
    )
    talk = Presentation.objects.get()
    assert response["Location"] == f"/talks/{talk.pk}/"
    assert talk.session == study_session
    assert talk.created_by == member
    assert talk.ordered_presenters() == [member, presenter]
    assert talk.summary_html == "<p>노이즈를 <strong>조금씩</strong> 걷어낸다.</p>\n"
    assert talk.slides_url == "https://example.org/deck"
    assert sorted(p.title for p in talk.papers.all()) == ["Attention Is All You Need", "DDPM", "Score SDE"]
    assert Paper.objects.count() == 3
    assert known in talk.papers.all()
    page = member_client.get(response["Location"]).content.decode()
    assert "Your talk “확산 모델 입문” was posted." in page


def test_talk_create_new_paper_without_title_is_a_form_error(member_client, member, study_session):
    response = member_client.post(
        reverse("study:talk-create", args=[6]),
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
        reverse("study:talk-create", args=[6]),
        talk_data(member, paper_links="Good | https://example.org/a\nBad | javascript:alert(1)"),
    )
    assert response.context["form"].errors["paper_links"] == [
        "Line 2: “javascript:alert(1)” is not a link (http://…, https://… or an arXiv id)."
    ]
    assert Paper.objects.count() == 0


def test_talk_create_needs_a_presenter(member_client, study_session):
    response = member_client.post(reverse("study:talk-create", args=[6]), talk_data())
    assert response.context["form"].errors == {"presenters": ["This field is required."]}


def test_talk_create_same_topic_twice_in_a_session_is_a_form_error(member_client, member, talk):
    response = member_client.post(reverse("study:talk-create", args=[6]), talk_data(member, topic="셀프 어텐션"))
    assert response.context["form"].errors == {"topic": ["This session already has a talk called “셀프 어텐션”."]}
    assert Presentation.objects.count() == 1


def test_talk_create_for_unknown_session_is_404(member_client, db):
    assert member_client.get(reverse("study:talk-create", args=[99])).status_code == 404


def test_talk_create_accepts_a_real_pdf_and_stores_it(member_client, member, study_session, settings):
    slides = SimpleUploadedFile("deck.pdf", TINY_PDF, content_type="application/pdf")
    response = member_client.post(reverse("study:talk-create", args=[6]), {**talk_data(member), "slides": slides})
    talk = Presentation.objects.get()
    assert response.status_code == 302
    assert re.fullmatch(r"slides/\d{4}/deck(_\w+)?\.pdf", talk.slides.name)
    with talk.slides.open("rb") as stored:
        assert stored.read() == TINY_PDF
    assert f'<a href="{talk.slides.url}">Download slides</a>' in member_client.get(talk.get_absolute_url()).content.decode()


def test_talk_create_accepts_a_pptx(member_client, member, study_session):
    slides = SimpleUploadedFile("deck.pptx", tiny_pptx())
    member_client.post(reverse("study:talk-create", args=[6]), {**talk_data(member), "slides": slides})
    assert Presentation.objects.get().slides.name.endswith(".pptx")


@pytest.mark.parametrize(
    "name,content",
    [
        ("deck.pdf", PNG),  # a PNG renamed .pdf
        ("deck.pptx", b"PK\x03\x04 not really a zip"),
        ("deck.pdf", None),  # a PPTX named .pdf: content and name disagree
    ],
)
def test_talk_create_refuses_files_that_are_not_slides(member_client, member, study_session, name, content):
    slides = SimpleUploadedFile(name, content if content is not None else tiny_pptx())
    response = member_client.post(reverse("study:talk-create", args=[6]), {**talk_data(member), "slides": slides})
    assert response.context["form"].errors == {"slides": [f"“{name}” is not a PDF or PowerPoint (.pptx) file."]}
    assert Presentation.objects.count() == 0


def test_talk_create_refuses_other_extensions(member_client, member, study_session):
    slides = SimpleUploadedFile("deck.png", PNG)
    response = member_client.post(reverse("study:talk-create", args=[6]), {**talk_data(member), "slides": slides})
    assert response.context["form"].errors == {"slides": ["“deck.png” is not a PDF or PowerPoint (.pptx) file."]}


def test_talk_create_refuses_slides_over_20_mb(member_client, member, study_session):
    slides = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024))
    response = member_client.post(reverse("study:talk-create", args=[6]), {**talk_data(member), "slides": slides})
    assert response.context["form"].errors == {"slides": ["“big.pdf” is 21.0\xa0MB; slides may be at most 20.0\xa0MB."]}
    assert Presentation.objects.count() == 0


def test_talk_summary_hostile_markdown_is_neutralised(member_client, member, study_session):
    member_client.post(reverse("study:talk-create", args=[6]), talk_data(member, summary=HOSTILE))
    talk = Presentation.objects.get()
    for url in [talk.get_absolute_url(), "/sessions/6/"]:
        content = member_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
        assert_no_script_from(content)


# Editing and deleting a talk


@pytest.mark.parametrize("client_name", ["presenter_client", "organizer_client"])
def test_talk_edit_by_presenter_or_organizer_updates_it(request, client_name, talk, presenter, member):
    client = request.getfixturevalue(client_name)
    form = client.get(reverse("study:talk-edit", args=[talk.pk])).context["form"]
    assert form["presenters"].value() == [presenter.pk]
    response = client.post(
        reverse("study:talk-edit", args=[talk.pk]),
        talk_data(member, presenter, topic="멀티헤드 어텐션", paper_links="MHA | https://example.org/mha"),
    )
    talk.refresh_from_db()
    assert response["Location"] == f"/talks/{talk.pk}/"
    assert talk.topic == "멀티헤드 어텐션"
    # The presenter already listed keeps the first place.
    assert talk.ordered_presenters() == [presenter, member]
    assert [p.title for p in talk.papers.all()] == ["MHA"]
    assert talk.summary_html == "<p>노이즈를 <strong>조금씩</strong> 걷어낸다.</p>\n"


def test_talk_edit_keeps_the_topic_check_for_its_own_topic(presenter_client, talk, presenter):
    response = presenter_client.post(reverse("study:talk-edit", args=[talk.pk]), talk_data(presenter, topic="셀프 어텐션"))
    assert response.status_code == 302


def test_talk_edit_by_other_member_is_403_and_changes_nothing(member_client, talk, member):
    response = member_client.post(reverse("study:talk-edit", args=[talk.pk]), talk_data(member, topic="탈취"))
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
    assert response["Location"] == "/sessions/6/"
    assert Presentation.objects.count() == 0
    assert Question.objects.count() == 0


def test_talk_delete_by_other_member_is_403_and_keeps_it(member_client, talk):
    assert member_client.post(reverse("study:talk-delete", args=[talk.pk])).status_code == 403
    assert Presentation.objects.count() == 1


# The papers box


def test_parse_paper_lines_reads_every_form():
    lines = parse_paper_lines("https://arxiv.org/abs/1706.03762\nA | B | https://x.org/p\n* [T](https://y.org)\n\n")
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
