"""What members do, end to end in Chromium, each from a clean database.

Fields are found by the ids Django gives them (`id_<name>`), so the tests
read the same in Korean and English; what a page says is checked against
the database or the exact text the app renders.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from sessions.forms.reflections import reflection_templates
from sessions.invitations import invitation_path
from sessions.models import Member, Paper, Question, Reflection, Season, StudySession
from tests import factories
from tests.factories import SEASON

from .support import page_problems, save_screenshot

pytestmark = pytest.mark.browser

# A one-page PDF, small enough to compare byte for byte.
SLIDES_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def path_of(page):
    """The page's path and query, as the app wrote them (no host)."""
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def submit(page, form_selector="main form.stacked-form"):
    """Press the form's submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_invited_member_sets_password_then_logs_in_with_it(new_page):
    newcomer = factories.MemberFactory(username="newbie", display_name="신입생", emoji="🐣")
    newcomer.set_unusable_password()
    newcomer.save(update_fields=["password"])
    page, watch = new_page()

    page.goto(invitation_path(newcomer))
    page.fill("#id_new_password1", "tensor-보리차-4821")
    page.fill("#id_new_password2", "tensor-보리차-4821")
    submit(page)

    assert path_of(page) == "/"
    expect(page.locator(".messages")).to_contain_text("신입생")
    newcomer.refresh_from_db()
    assert newcomer.check_password("tensor-보리차-4821") is True

    # Log out, then in again through the login form with the new password.
    submit(page, ".site-nav form")
    assert path_of(page) == reverse("login")
    page.fill("#id_username", "newbie")
    page.fill("#id_password", "tensor-보리차-4821")
    submit(page)

    assert path_of(page) == "/"
    expect(page.locator(".site-nav")).to_be_visible()
    assert watch.take() == []


def test_organizer_starts_a_season_and_schedules_its_first_session(new_page):
    organizer = factories.OrganizerFactory(username="organizer", display_name="정운영")
    page, watch = new_page(user=organizer)

    # With no season yet, scheduling asks for one first.
    page.goto(reverse("study:session-create"))
    assert path_of(page) == reverse("study:season-create")
    page.fill("#id_name", "부캠 3기")
    page.fill("#id_starts_on", "2026-11-01")
    submit(page)
    season = Season.objects.get()
    assert (season.slug, path_of(page)) == ("부캠-3기", season.get_absolute_url())
    page.get_by_role("link", name="모임 일정 등록").click()
    expect(page.locator("#id_number")).to_have_value("1")
    page.fill("#id_date", "2026-12-04")
    page.fill("#id_start_time", "19:30")
    page.fill("#id_title", "확산 모델")
    page.fill("#id_place", "강남 스터디룸 3")
    page.fill("#id_notes", "DDPM 논문을 **미리** 읽어 오세요.")
    submit(page)

    session = StudySession.objects.get()
    assert (
        session.season,
        session.number,
        str(session.date),
        str(session.start_time),
        session.title,
    ) == (
        season,
        1,
        "2026-12-04",
        "19:30:00",
        "확산 모델",
    )
    assert path_of(page) == session.get_absolute_url()
    expect(page.locator("h1")).to_have_text("1주차 · 확산 모델")
    expect(page.locator(".prose strong")).to_have_text("미리")
    assert watch.take() == []


def test_presenter_posts_talk_with_two_papers_and_slides(new_page, study_session, presenter):
    known = factories.PaperFactory(
        title="Attention Is All You Need", url="https://arxiv.org/abs/1706.03762"
    )
    page, watch = new_page(user=presenter)

    page.goto(reverse("study:talk-create", args=[SEASON, study_session.number]))
    page.fill("#id_topic", "트랜스포머의 정규화")
    page.fill(
        "#id_paper_links",
        # The library has this paper already, as an abs/ link.
        "https://arxiv.org/pdf/1706.03762v7.pdf\n"
        "Layer Normalization | https://arxiv.org/abs/1607.06450",
    )
    page.set_input_files(
        "#id_slides",
        files=[{"name": "normalization.pdf", "mimeType": "application/pdf", "buffer": SLIDES_PDF}],
    )
    page.fill("#id_summary", "층 정규화는 $\\mu$ 와 $\\sigma$ 를 특징 차원에서 구한다.")
    submit(page)

    talk = study_session.presentations.get()
    assert path_of(page) == talk.get_absolute_url()
    assert Paper.objects.count() == 2
    assert sorted(talk.papers.values_list("title", flat=True)) == [
        "Attention Is All You Need",
        "Layer Normalization",
    ]
    assert talk.papers.filter(pk=known.pk).exists() is True
    expect(page.locator("h1")).to_have_text("트랜스포머의 정규화")
    expect(page.locator(".paper-links a.external")).to_have_text(
        ["arXiv:1706.03762", "arXiv:1607.06450"]
    )
    expect(page.locator(".prose math")).to_have_count(2)
    slides_url = page.locator(".facts a[href^='/media/']").get_attribute("href")
    assert slides_url == talk.slides.url
    download = page.request.get(slides_url)
    assert (download.status, download.body()) == (200, SLIDES_PDF)
    assert watch.take() == []


def test_presenter_finds_a_co_presenter_by_typing_a_name(new_page, study_session, presenter):
    factories.MemberFactory(display_name="김하늘")
    partner = factories.MemberFactory(display_name="박바다")
    factories.MemberFactory(display_name="이구름")
    page, watch = new_page(user=presenter)

    page.goto(reverse("study:talk-create", args=[SEASON, study_session.number]))
    names = page.locator("#id_presenters label:visible")
    expect(names).to_have_count(4)
    page.fill("input.choice-filter", "바다")
    # The match, and the poster, who is checked already.
    expect(names).to_have_text([re.compile("강발표"), re.compile("박바다")])
    page.get_by_label(re.compile("박바다")).check()
    page.fill("input.choice-filter", "")
    expect(names).to_have_count(4)
    page.fill("#id_topic", "함께 하는 발표")
    submit(page)

    talk = study_session.presentations.get()
    assert talk.ordered_presenters() == [presenter, partner]
    assert watch.take() == []


def test_member_asks_question_and_presenter_answers(new_page, talk, member, presenter):
    asking, asking_watch = new_page(user=member)
    asking.goto(talk.get_absolute_url())
    expect(asking.locator("#ask input[name=addressed_to]:checked")).to_have_count(1)
    asking.fill("#ask textarea[name=body]", "잔차 연결이 없으면 어떻게 되나요?")
    submit(asking, "#ask form")

    question = Question.objects.get()
    assert (question.asked_by, question.addressed_to, question.body) == (
        member,
        presenter,
        "잔차 연결이 없으면 어떻게 되나요?",
    )
    assert path_of(asking) == urlsplit(question.get_absolute_url()).path
    assert asking_watch.take() == []

    answering, answering_watch = new_page(user=presenter)
    answering.goto(talk.get_absolute_url())
    answering.locator(f"#question-{question.pk} .item-actions a").first.click()
    answering.wait_for_url(
        re.compile(re.escape(reverse("study:answer-create", args=[question.pk])))
    )
    answering.fill("#id_body", "기울기가 깊은 층까지 잘 전달되지 않습니다.")
    submit(answering)

    answer = question.answers.get()
    assert (answer.author, answer.body) == (presenter, "기울기가 깊은 층까지 잘 전달되지 않습니다.")
    answering.goto(talk.get_absolute_url())
    expect(answering.locator(f"#answer-{answer.pk} .prose")).to_have_text(
        "기울기가 깊은 층까지 잘 전달되지 않습니다."
    )
    expect(answering.locator(f"#question-{question.pk} .badge-warning")).to_have_count(0)
    assert answering_watch.take() == []


def test_member_writes_reflection_from_kpt_template_with_math_preview(
    new_page, study_session, member
):
    with translation.override("ko"):
        kpt = {key: text for key, _label, text in reflection_templates()}["kpt"]
    page, watch = new_page(user=member)

    page.goto(reverse("study:reflection-edit", args=[SEASON, study_session.number]))
    page.wait_for_load_state("networkidle")
    editor = page.locator("#id_body")
    # Typed first, then a template: the text stays, the template comes below it.
    editor.fill("먼저 쓴 글")
    page.locator(".template-choice button[value=kpt]").click()
    expect(editor).to_have_value("먼저 쓴 글\n\n" + kpt)
    assert path_of(page) == reverse("study:reflection-edit", args=[SEASON, study_session.number])
    editor.fill("")
    page.locator(".template-choice button[value=kpt]").click()
    expect(editor).to_have_value(kpt)

    body = kpt.replace("\n\n\n", "\n\n오일러 등식 $e^{i\\pi} + 1 = 0$ 을 다시 봤다.\n\n\n", 1)
    with page.expect_response("**/markdownx/markdownify/"):
        editor.fill(body)
    preview = page.locator(".markdownx-preview")
    # Rendered on the server: three headings and MathML, before saving.
    expect(preview.locator("h2")).to_have_count(3)
    expect(preview.locator("math")).to_have_count(1)
    assert Reflection.objects.count() == 0
    submit(page)

    reflection = Reflection.objects.get()
    # Browsers send a textarea's lines with CRLF; the form strips the ends.
    assert (reflection.author, reflection.session, reflection.body) == (
        member,
        study_session,
        body.strip().replace("\n", "\r\n"),
    )
    assert path_of(page) == study_session.get_absolute_url()
    expect(page.locator(f"#reflection-{reflection.pk} math")).to_have_count(1)
    assert watch.take() == []


# Builds a PNG in the page and hands it over as a drop's DataTransfer.
DROPPED_IMAGE_JS = """
async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 40;
  canvas.height = 30;
  const context = canvas.getContext("2d");
  context.fillStyle = "#2f5d8a";
  context.fillRect(0, 0, 40, 30);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const transfer = new DataTransfer();
  transfer.items.add(new File([blob], "diagram.png", { type: "image/png" }));
  return transfer;
}
"""


def test_two_people_edit_one_talk_and_the_second_sees_both_texts(new_page, talk, presenter):
    organizer = factories.OrganizerFactory(username="organizer", display_name="정운영")
    url = reverse("study:talk-edit", args=[talk.pk])
    first, first_watch = new_page(user=presenter)
    second, second_watch = new_page(user=organizer)
    first.goto(url)
    second.goto(url)
    first.fill("#id_topic", "멀티헤드 어텐션")
    submit(first)
    second.fill("#id_summary", "요약을 새로 썼다.")
    submit(second)

    talk.refresh_from_db()
    assert talk.topic == "멀티헤드 어텐션"
    # The message, the organizer's text still in the editor, the stored topic beside it.
    expect(second.locator("form.stacked-form .errorlist.nonfield")).to_contain_text(
        "다른 사람이 내용을 바꿨습니다"
    )
    expect(second.locator("#id_summary")).to_have_value("요약을 새로 썼다.")
    expect(second.locator(".edit-conflict dd").first).to_have_text("멀티헤드 어텐션")
    assert page_problems(second) == []
    save_screenshot(second, "talk-edit-conflict")

    # Saving again is deliberate: the organizer takes the new topic and keeps their summary.
    second.fill("#id_topic", "멀티헤드 어텐션")
    submit(second)
    talk.refresh_from_db()
    assert (talk.topic, talk.summary) == ("멀티헤드 어텐션", "요약을 새로 썼다.")
    assert path_of(second) == talk.get_absolute_url()
    assert first_watch.take() == [] and second_watch.take() == []


def test_member_drops_image_into_journal_editor(new_page, member):
    page, watch = new_page(user=member)

    page.goto(reverse("study:journal-create"))
    page.fill("#id_title", "어텐션 그림 정리")
    page.fill("#id_tags", "그림, 복습")
    editor = page.locator("#id_body")
    editor.fill("오늘 그린 그림:\n\n")
    transfer = page.evaluate_handle(DROPPED_IMAGE_JS)
    with page.expect_response("**/markdownx/upload/") as upload:
        editor.dispatch_event("drop", {"dataTransfer": transfer})
    assert upload.value.status == 200
    expect(editor).to_have_value(re.compile(r"!\[\]\(/media/editor/[0-9a-f-]+\.png\)"))
    submit(page)

    entry = Reflection.objects.journals().get()
    image_url = re.search(r"\((/media/editor/[^)]+)\)", entry.body).group(1)
    assert path_of(page) == entry.get_absolute_url()
    image = page.locator(".prose img")
    expect(image).to_have_attribute("src", image_url)
    expect(image).to_have_js_property("naturalWidth", 40)
    assert watch.take() == []


def test_member_writes_a_private_entry_that_another_member_cannot_open(new_page, member, presenter):
    member.default_journal_visibility = Reflection.Visibility.MEMBERS
    member.save(update_fields=["default_journal_visibility"])
    page, watch = new_page(user=member)

    page.goto(reverse("study:journal-create"))
    expect(page.locator("#id_visibility_1")).to_be_checked()
    page.fill("#id_title", "나만 보는 회고")
    page.fill("#id_body", "아직 정리 중인 생각")
    # The label chooses its radio button, as a click on the words would.
    page.locator("label[for=id_visibility_0]").click()
    expect(page.locator("#id_visibility_0")).to_be_checked()
    submit(page)

    entry = Reflection.objects.journals().get()
    assert (path_of(page), entry.visibility) == (entry.get_absolute_url(), "private")
    with translation.override("ko"):
        expect(page.locator("article .badge")).to_have_text(translation.gettext("Only me"))
    assert watch.take() == []

    other, _other_watch = new_page(user=presenter)
    response = other.goto(entry.get_absolute_url())
    assert response.status == 404
    other.goto(reverse("study:journal-list") + f"?author={member.pk}")
    expect(other.locator(".journal-title")).to_have_count(0)


def test_member_switches_language_to_english_and_back(new_page, study_session, member):
    page, watch = new_page(user=member)
    url = study_session.get_absolute_url()
    page.goto(url)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text("6주차 · 트랜스포머 다시 읽기")

    submit(page, ".language-switcher")
    assert path_of(page) == url
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Session 6 · 트랜스포머 다시 읽기")
    expect(page.locator(".site-nav a").nth(1)).to_have_text("Sessions")

    submit(page, ".language-switcher")
    assert path_of(page) == url
    expect(html).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text("6주차 · 트랜스포머 다시 읽기")
    assert watch.take() == []


def test_after_logout_pages_ask_for_login_again(new_page, study_session, member):
    page, watch = new_page(user=member)
    page.goto(reverse("study:session-list"))

    submit(page, ".site-nav form")

    assert path_of(page) == reverse("login")
    expect(page.locator(".site-nav")).to_have_count(0)
    for url in [
        reverse("study:home"),
        study_session.get_absolute_url(),
        reverse("study:journal-list"),
        reverse("study:member-list"),
    ]:
        page.goto(url)
        assert path_of(page) == f"{reverse('login')}?next={url}"
    expect(page.locator("#id_username")).to_be_visible()
    assert Member.objects.filter(pk=member.pk).exists() is True
    assert watch.take() == []


def click_and_wait(page, locator):
    """Click `locator` (a button of a small form) and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()


def test_organizer_opens_slots_member_claims_others_nominate_vote_and_presenter_takes_paper(
    new_page, live_server
):
    """The planning of 9주차 end to end: two slots opened, one claimed, a
    paper nominated and voted for, then taken into the claimed slot; the
    session page, home and the calendar feed show that agenda."""
    season = factories.default_season()
    organizer = factories.OrganizerFactory(username="organizer", display_name="정운영", emoji="🦉")
    presenter = factories.MemberFactory(username="presenter", display_name="강발표", emoji="🐼")
    nominator = factories.MemberFactory(username="nominator", display_name="이추천", emoji="🦊")
    voter = factories.MemberFactory(username="voter", display_name="박투표", emoji="🐰")
    for person in (presenter, nominator, voter):
        factories.SeasonMembershipFactory(season=season, member=person)
    session = factories.upcoming_session(number=9, season=season, title="확산 모델")
    with translation.override("ko"):
        full_name = str(session.full_name)

    # The organizer opens two slots on the coming session.
    page, watch = new_page(user=organizer)
    page.goto(session.get_absolute_url())
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('study:slot-open', args=session.url_args)}']").click()
    page.fill("#id_count", "2")
    page.fill("#id_theme", "확산 모델 입문")
    submit(page)
    assert path_of(page) == session.get_absolute_url()
    expect(page.locator("#slots .slot")).to_have_count(2)
    assert watch.take() == []

    # A member claims one.
    page, watch = new_page(user=presenter)
    page.goto(session.get_absolute_url())
    click_and_wait(page, page.locator("#slots form[action$='/claim/'] button").first)
    expect(page.locator(".messages")).to_contain_text(f"{full_name} 발표 자리를 맡았습니다.")
    slot = session.slots.get(holder=presenter)
    expect(page.locator(f"#slot-{slot.pk}")).to_contain_text(presenter.label)
    expect(page.locator(f"#slot-{slot.pk} .badge")).to_have_text("준비 중")
    assert watch.take() == []

    # Another member nominates a paper; a third votes for it.
    page, watch = new_page(user=nominator)
    page.goto(reverse("study:nomination-create", args=[season.slug]))
    page.fill("#id_link", "https://arxiv.org/pdf/2006.11239v2.pdf")
    page.fill("#id_title", "Denoising Diffusion Probabilistic Models")
    page.fill("#id_note", "확산 모델의 출발점입니다.")
    submit(page)
    nomination = season.nominations.get()
    assert (nomination.paper.arxiv_id, nomination.author) == ("2006.11239", nominator)
    expect(page.locator(f"#nomination-{nomination.pk}")).to_contain_text("0표")
    assert watch.take() == []

    page, watch = new_page(user=voter)
    page.goto(reverse("study:backlog", args=[season.slug]))
    click_and_wait(page, page.locator(f"#nomination-{nomination.pk} form[action$='/vote/'] button"))
    expect(page.locator(f"#nomination-{nomination.pk} .meta")).to_contain_text("1표")
    expect(page.locator(f"#nomination-{nomination.pk} button[aria-pressed=true]")).to_have_text(
        "투표 취소"
    )
    assert watch.take() == []

    # The presenter takes the nominated paper into their slot.
    page, watch = new_page(user=presenter)
    page.goto(reverse("study:backlog", args=[season.slug]))
    page.select_option(f"#take-{nomination.pk}", str(slot.pk))
    click_and_wait(page, page.locator(f"#nomination-{nomination.pk} form[action$='/take/'] button"))
    assert path_of(page) == session.get_absolute_url()
    expect(page.locator(f"#slot-{slot.pk}")).to_contain_text(
        "Denoising Diffusion Probabilistic Models"
    )
    page.goto(reverse("study:backlog", args=[season.slug]) + "?status=scheduled")
    expect(page.locator(f"#nomination-{nomination.pk} .badge")).to_have_text(
        f"{full_name}에 발표 예정"
    )

    # Home shows the presenter's next talk and the agenda; so does the calendar feed.
    page.goto(reverse("study:home"))
    expect(page.locator("#agenda")).to_contain_text(f"내 다음 발표: {full_name}")
    expect(page.locator("#agenda")).to_contain_text(f"{presenter.label} — 준비 중")
    expect(page.locator("#agenda .badge-success")).to_have_text("빈 자리")
    assert watch.take() == []
    feed = page.request.get(reverse("study:feed-calendar", args=[presenter.calendar_token]))
    description = feed.text().replace("\r\n ", "")
    # Calendar apps send no Accept-Language: the feed speaks the site's
    # default language, English in the tests.
    assert (
        f"- In preparation ({presenter.label})\\n  Denoising Diffusion Probabilistic Models https://arxiv.org/abs/2006.11239"
        in description
    )
