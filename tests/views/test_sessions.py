"""Sessions: the list by year, the session page, and the organizers' forms."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sessions.models import Presentation, StudySession
from tests import factories
from tests.editing import opened_form
from tests.factories import SEASON

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"


def assert_no_script_from(content):
    """No element from the hostile payload: it may only show up as escaped text."""
    assert "<script>alert(1)" not in content
    assert re.search(r"<[^>]*\bonerror", content) is None
    assert re.search(r"<[^>]*javascript:", content) is None


def session_data(**overrides):
    data = {
        "season": str(factories.default_season().pk),
        "number": "7",
        "date": "2025-08-01",
        "start_time": "19:30",
        "title": "확산 모델",
        "place": "강남 스터디룸 3",
        "video_url": "",
        "notes": "**DDPM** 을 읽습니다.",
    }
    data.update(overrides)
    return data


# List


def test_session_list_anonymous_redirects_to_login(outsider_client):
    response = outsider_client.get(reverse("study:session-list"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/sessions/"


def test_session_list_shows_sessions_talks_and_presenters_with_emoji(member_client, talk):
    co_presenter = factories.MemberFactory(display_name="김공동", emoji="🦝")
    factories.PresentationFactory(
        session=talk.session,
        topic="위치 인코딩",
        presenters=[co_presenter, talk.ordered_presenters()[0]],
    )
    response = member_client.get(reverse("study:session-list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a class="session-number" href="/seasons/2025/6/">Session 6</a>' in content
    assert "트랜스포머 다시 읽기" in content
    assert f'<a href="/talks/{talk.pk}/">셀프 어텐션</a>' in content
    assert '<span class="person">🐼 강발표</span>' in content
    assert '<span class="person">🦝 김공동</span>, <span class="person">🐼 강발표</span>' in content


def test_session_list_groups_by_season_current_first_and_filters_with_season(member_client):
    old = factories.SeasonFactory(
        slug="old",
        name="지난 시즌",
        starts_on=datetime.date(2024, 1, 1),
        ends_on=datetime.date(2024, 12, 31),
    )
    factories.StudySessionFactory(
        season=old, number=1, date=datetime.date(2024, 11, 1), title="작년 모임"
    )
    factories.StudySessionFactory(number=1, date=datetime.date(2025, 1, 10), title="올해 모임")
    response = member_client.get(reverse("study:session-list"))
    content = response.content.decode()
    assert re.findall(r'<a href="\?season=([\w-]+)"', content) == ["2025", "old"]
    assert re.findall(r'<h2 id="season-\d+"><a href="/seasons/([\w-]+)/">', content) == [
        "2025",
        "old",
    ]
    assert re.findall(r'class="session-number" href="/seasons/([\w-]+/\d+)/"', content) == [
        "2025/1",
        "old/1",
    ]

    response = member_client.get(reverse("study:session-list"), {"season": "old"})
    content = response.content.decode()
    assert re.findall(r'class="session-number" href="/seasons/([\w-]+/\d+)/"', content) == ["old/1"]
    assert "작년 모임" in content and "올해 모임" not in content
    assert '<a href="?season=old" aria-current="page">지난 시즌</a>' in content


def test_session_list_current_season_is_the_one_holding_today_not_the_newest(member_client):
    today = datetime.date.today()
    running = factories.SeasonFactory(
        slug="running", name="진행 중", starts_on=today - datetime.timedelta(days=30)
    )
    factories.SeasonFactory(
        slug="next", name="다음 시즌", starts_on=today + datetime.timedelta(days=30)
    )
    factories.StudySessionFactory(season=running, number=1, date=today)
    content = member_client.get(reverse("study:session-list")).content.decode()
    assert re.findall(r'<a href="\?season=([\w-]+)"', content)[0] == "running"


def test_session_list_season_without_sessions_says_so(member_client, study_session):
    factories.SeasonFactory(slug="empty", name="빈 시즌")
    response = member_client.get(reverse("study:session-list"), {"season": "empty"})
    content = response.content.decode()
    assert 'class="session-number"' not in content
    assert "No sessions in 빈 시즌 yet." in content


def test_session_list_unknown_season_is_404(member_client, study_session):
    response = member_client.get(reverse("study:session-list"), {"season": "nope\x00"})
    assert response.status_code == 404


def test_session_list_paginates_twenty_a_page(member_client):
    for number in range(1, 26):
        factories.StudySessionFactory(
            number=number, date=datetime.date(2025, 1, 1) + datetime.timedelta(weeks=number)
        )
    first = member_client.get(reverse("study:session-list"))
    second = member_client.get(reverse("study:session-list"), {"page": "2"})
    numbers = r'class="session-number" href="/seasons/2025/(\d+)/"'
    assert len(re.findall(numbers, first.content.decode())) == 20
    assert re.findall(numbers, second.content.decode()) == ["5", "4", "3", "2", "1"]
    assert '<a href="?page=1" rel="prev">' in second.content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_session_list_query_count_does_not_grow(member_client, count, django_assert_num_queries):
    for session in factories.StudySessionFactory.create_batch(count):
        factories.PresentationFactory.create_batch(
            2, session=session, presenters=[factories.MemberFactory(), factories.MemberFactory()]
        )
    # versions, user, current season, seasons, count, sessions with their
    # seasons, talks, presenters
    with django_assert_num_queries(8):
        response = member_client.get(reverse("study:session-list"))
    assert response.content.decode().count('class="session-number"') == count
    # Again: the season links and the page of sessions come from the fragment cache.
    with django_assert_num_queries(2):
        again = member_client.get(reverse("study:session-list"))
    assert again.content.decode().count('class="session-number"') == count


def test_session_list_shows_a_session_scheduled_after_it_was_cached(member_client, study_session):
    member_client.get(reverse("study:session-list"))
    factories.StudySessionFactory(number=7, date=datetime.date(2025, 3, 1), title="새 모임")
    content = member_client.get(reverse("study:session-list")).content.decode()
    assert "새 모임" in content


def test_session_list_offers_scheduling_to_organizers_only(
    member_client, organizer_client, study_session
):
    member_page = member_client.get(reverse("study:session-list")).content.decode()
    organizer_page = organizer_client.get(reverse("study:session-list")).content.decode()
    new = 'href="/sessions/new/"'
    assert (new in member_page, new in organizer_page) == (False, True)


# Detail


def test_session_detail_shows_talks_papers_summary_qa_and_reflections(
    member_client, talk, presenter
):
    paper = factories.PaperFactory(
        title="Attention Is All You Need", url="https://arxiv.org/abs/1706.03762"
    )
    talk.papers.add(paper)
    talk.slides_url = "https://example.org/slides"
    talk.save()
    question = factories.QuestionFactory(presentation=talk, body="멀티헤드는 **왜** 필요한가요?")
    answer = factories.AnswerFactory(question=question, body="여러 관점을 보려고요.")
    unanswered = factories.QuestionFactory(presentation=talk, body="스케일링은요?")
    reflection = factories.ReflectionFactory(
        session=talk.session, author=presenter, body="*즐거웠다*"
    )

    response = member_client.get(reverse("study:session-detail", args=[SEASON, 6]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Session 6 · 트랜스포머 다시 읽기</h1>" in content
    assert f'<h3><a href="/talks/{talk.pk}/">셀프 어텐션</a></h3>' in content
    assert f'<a href="/papers/{paper.pk}/">Attention Is All You Need</a>' in content
    assert (
        '<a href="https://example.org/slides" rel="noopener noreferrer">Slides link</a>' in content
    )
    assert talk.summary_html in content
    assert "<strong>왜</strong>" in content
    assert f'id="question-{question.pk}"' in content and f'id="answer-{answer.pk}"' in content
    assert '<span class="badge badge-success">Presenter\'s answer</span>' in content
    assert content.count('<span class="badge badge-warning">Unanswered</span>') == 1
    assert f'id="question-{unanswered.pk}"' in content
    assert f'<article class="card reflection" id="reflection-{reflection.pk}">' in content
    assert "<em>즐거웠다</em>" in content
    assert "2 questions" in content


def test_session_detail_unknown_number_is_404(member_client):
    response = member_client.get(reverse("study:session-detail", args=[SEASON, 99]))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_session_detail_shows_organizer_actions_to_organizers_only(
    member_client, organizer_client, study_session
):
    edit = 'href="/seasons/2025/6/edit/"'
    assert edit not in member_client.get("/seasons/2025/6/").content.decode()
    assert edit in organizer_client.get("/seasons/2025/6/").content.decode()


def test_session_detail_offers_talk_edit_to_its_presenters(presenter_client, member_client, talk):
    edit = f'href="/talks/{talk.pk}/edit/"'
    assert edit in presenter_client.get("/seasons/2025/6/").content.decode()
    assert edit not in member_client.get("/seasons/2025/6/").content.decode()


@pytest.mark.parametrize("talks,questions_each", [(1, 1), (20, 5)])
def test_session_detail_query_count_does_not_grow(
    member_client, study_session, talks, questions_each, django_assert_num_queries
):
    for talk in factories.PresentationFactory.create_batch(
        talks,
        session=study_session,
        presenters=[factories.MemberFactory(), factories.MemberFactory()],
    ):
        talk.papers.add(factories.PaperFactory(), factories.PaperFactory())
        for question in factories.QuestionFactory.create_batch(questions_each, presentation=talk):
            factories.AnswerFactory(question=question)
    factories.ReflectionFactory.create_batch(3, session=study_session)
    url = reverse("study:session-detail", args=[SEASON, 6])
    # versions, session + user, session with its season, its season's
    # organizers and whether it has talk slots (none: no slot, roster or
    # backlog query), talks, presenters, papers, questions with their
    # answers, attendance, reflections, questions carried over with the
    # action items due
    with django_assert_num_queries(10):
        response = member_client.get(url)
    assert response.content.decode().count('class="card talk"') == talks
    # Again: the session, talks, attendance and reflections come from the
    # fragment cache.
    with django_assert_num_queries(2):
        cached = member_client.get(url)
    assert cached.content.decode().count('class="card talk"') == talks
    assert response.content.decode().count('class="question"') == talks * questions_each


# Create, edit, delete


def test_session_create_by_organizer_schedules_it(organizer_client):
    response = organizer_client.post(reverse("study:session-create"), session_data())
    session = StudySession.objects.get(number=7)
    assert response.status_code == 302
    assert response["Location"] == "/seasons/2025/7/"
    assert (session.date, session.title, session.place) == (
        datetime.date(2025, 8, 1),
        "확산 모델",
        "강남 스터디룸 3",
    )
    assert session.start_time == datetime.time(19, 30)
    assert session.notes_html == "<p><strong>DDPM</strong> 을 읽습니다.</p>\n"
    page = organizer_client.get(response["Location"]).content.decode()
    assert "2025 논문 스터디, session 7 was scheduled." in page


def test_session_create_form_suggests_the_next_number(organizer_client, study_session):
    response = organizer_client.get(reverse("study:session-create"))
    assert response.context["form"]["number"].value() == 7
    assert '<script src="/static/markdownx/js/markdownx' in response.content.decode()


def test_session_create_with_taken_number_is_a_form_error(organizer_client, study_session):
    response = organizer_client.post(reverse("study:session-create"), session_data(number="6"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "number": ["“2025 논문 스터디” already has session 6. Choose another number."]
    }
    assert StudySession.objects.count() == 1


def test_session_create_same_number_in_another_season_works(organizer_client, study_session):
    other = factories.SeasonFactory(slug="next", name="시즌 2")
    response = organizer_client.post(
        reverse("study:session-create"), session_data(number="6", season=str(other.pk))
    )
    assert response["Location"] == "/seasons/next/6/"
    assert sorted(StudySession.objects.values_list("season__slug", "number")) == [
        ("2025", 6),
        ("next", 6),
    ]


def test_session_create_race_on_the_number_is_the_same_form_error(organizer, study_session):
    """The check in `clean` passed, then another organizer's row won: the
    database's constraint answers with the same message, not a 500."""
    from sessions.forms import StudySessionForm
    from sessions.forms.concurrency import save_or_form_error

    form = StudySessionForm(session_data(number="8"), user=organizer)
    assert form.is_valid()
    factories.StudySessionFactory(number=8)
    form.is_valid = lambda: True  # validated before the other organizer's row
    assert save_or_form_error(form) is None
    assert form.errors == {
        "number": ["“2025 논문 스터디” already has session 8. Choose another number."]
    }
    assert StudySession.objects.filter(number=8).count() == 1


def test_session_create_offers_the_chosen_seasons_next_number(organizer_client, study_session):
    other = factories.SeasonFactory(slug="next", name="시즌 2")
    response = organizer_client.get(reverse("study:session-create"), {"season": "next"})
    form = response.context["form"]
    assert (form["season"].value(), form["number"].value()) == (other.pk, 1)


def test_session_create_without_any_season_asks_for_one_first(organizer_client):
    response = organizer_client.get(reverse("study:session-create"))
    assert (response.status_code, response["Location"]) == (302, "/seasons/new/")


@pytest.mark.parametrize("client_name", ["member_client", "presenter_client"])
def test_session_create_by_non_organizer_is_403(request, client_name):
    client = request.getfixturevalue(client_name)
    response = client.post(reverse("study:session-create"), session_data())
    assert response.status_code == 403
    assert "You cannot do that" in response.content.decode()
    assert StudySession.objects.count() == 0


def test_session_create_anonymous_redirects_to_login(outsider_client, db):
    response = outsider_client.post(reverse("study:session-create"), session_data())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/sessions/new/"
    assert StudySession.objects.count() == 0


def test_session_edit_by_organizer_updates_it(organizer_client, study_session):
    response = organizer_client.post(
        reverse("study:session-edit", args=[SEASON, 6]),
        {
            **opened_form(organizer_client, reverse("study:session-edit", args=[SEASON, 6])),
            **session_data(number="6", title="바뀐 제목"),
        },
    )
    study_session.refresh_from_db()
    assert response["Location"] == "/seasons/2025/6/"
    assert study_session.title == "바뀐 제목"
    assert study_session.notes_html == "<p><strong>DDPM</strong> 을 읽습니다.</p>\n"


def test_session_edit_by_member_is_403_and_changes_nothing(member_client, study_session):
    response = member_client.post(
        reverse("study:session-edit", args=[SEASON, 6]), session_data(number="6", title="바뀐 제목")
    )
    study_session.refresh_from_db()
    assert response.status_code == 403
    assert study_session.title == "트랜스포머 다시 읽기"


def test_session_edit_unknown_is_404(organizer_client):
    assert organizer_client.get(reverse("study:session-edit", args=[SEASON, 99])).status_code == 404


def test_session_notes_hostile_markdown_is_neutralised(organizer_client):
    organizer_client.post(reverse("study:session-create"), session_data(notes=HOSTILE))
    content = organizer_client.get("/seasons/2025/7/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert_no_script_from(content)


def test_session_delete_get_asks_for_confirmation_and_keeps_it(organizer_client, study_session):
    response = organizer_client.get(reverse("study:session-delete", args=[SEASON, 6]))
    content = response.content.decode()
    assert "<h1>Delete 2025 논문 스터디, session 6?</h1>" in content
    assert '<button type="submit" class="button danger">Delete</button>' in content
    assert StudySession.objects.filter(number=6).exists()


def test_session_delete_post_by_organizer_deletes_it_and_its_talks(organizer_client, talk):
    response = organizer_client.post(reverse("study:session-delete", args=[SEASON, 6]))
    assert response["Location"] == "/seasons/2025/"
    assert StudySession.objects.count() == 0
    assert Presentation.objects.count() == 0


@pytest.mark.parametrize("client_name", ["member_client", "presenter_client"])
def test_session_delete_by_non_organizer_is_403_and_keeps_it(request, client_name, talk):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("study:session-delete", args=[SEASON, 6])).status_code == 403
    assert client.post(reverse("study:session-delete", args=[SEASON, 6])).status_code == 403
    assert StudySession.objects.count() == 1
    assert Presentation.objects.count() == 1


# The session page caches its talks and reflections (sessions/fragments.py).


def _session_page(client):
    return client.get(reverse("study:session-detail", args=[SEASON, 6])).content.decode()


def _without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def discussed_talk(talk, member, organizer):
    """The talk with a question from `member`, answered by its presenter."""
    question = factories.QuestionFactory(
        presentation=talk, asked_by=member, body="왜 스케일링하나요?"
    )
    factories.AnswerFactory(question=question, body="기울기가 사라지지 않게요.")
    return talk


def test_session_page_from_the_cache_matches_a_fresh_one_for_every_persona(
    discussed_talk, organizer_client, presenter_client, member_client
):
    """Whoever filled the cache first, each persona sees exactly the page a
    fresh render gives them: no edit link leaks from one viewer to another."""
    clients = {
        "organizer": organizer_client,
        "presenter": presenter_client,
        "member": member_client,
    }
    fresh = {}
    for name, client in clients.items():
        cache.clear()
        fresh[name] = _without_csrf(_session_page(client))
    for order in (["organizer", "presenter", "member"], ["member", "presenter", "organizer"]):
        cache.clear()
        seen = {name: _without_csrf(_session_page(clients[name])) for name in order}
        assert seen == fresh


def test_session_page_shows_edit_links_only_to_their_owners(
    discussed_talk, presenter_client, member_client, organizer
):
    question = discussed_talk.questions.get()
    answer = question.answers.get()
    outsider_client = Client()
    outsider_client.force_login(factories.MemberFactory())
    edit_question = f'href="/questions/{question.pk}/edit/"'
    edit_answer = f'href="/answers/{answer.pk}/edit/"'
    edit_talk = f'href="/talks/{discussed_talk.pk}/edit/"'
    bystander = _session_page(outsider_client)
    asker = _session_page(member_client)
    answerer = _session_page(presenter_client)
    assert [link in bystander for link in (edit_question, edit_answer, edit_talk)] == [False] * 3
    assert [link in asker for link in (edit_question, edit_answer, edit_talk)] == [
        True,
        False,
        False,
    ]
    assert [link in answerer for link in (edit_question, edit_answer, edit_talk)] == [
        False,
        True,
        True,
    ]


def test_session_page_shows_a_question_asked_after_it_was_cached(talk, member_client):
    _session_page(member_client)
    factories.QuestionFactory(presentation=talk, body="새로 들어온 질문")
    assert "새로 들어온 질문" in _session_page(member_client)


def test_session_page_shows_a_member_renamed_after_it_was_cached(talk, presenter, member_client):
    _session_page(member_client)
    presenter.display_name = "새이름"
    presenter.save(update_fields=["display_name"])
    assert "새이름" in _session_page(member_client)


def test_session_page_shows_a_reflection_written_after_it_was_cached(study_session, member_client):
    _session_page(member_client)
    factories.ReflectionFactory(session=study_session, body="오늘 많이 배웠다")
    assert "오늘 많이 배웠다" in _session_page(member_client)


def test_session_page_offers_to_edit_my_reflection_once_written(
    study_session, member, member_client
):
    assert "Write my reflection" in _session_page(member_client)
    factories.ReflectionFactory(session=study_session, author=member)
    assert "Edit my reflection" in _session_page(member_client)


def test_session_page_shows_a_session_edited_after_it_was_cached(organizer_client, study_session):
    _session_page(organizer_client)
    response = organizer_client.post(
        reverse("study:session-edit", args=[SEASON, 6]),
        {
            **opened_form(organizer_client, reverse("study:session-edit", args=[SEASON, 6])),
            **session_data(number="6", title="바뀐 제목"),
        },
    )
    assert response.status_code == 302
    assert "바뀐 제목" in _session_page(organizer_client)


def test_session_page_shows_my_answer_given_after_it_was_cached(member_client, member):
    upcoming = factories.StudySessionFactory(
        number=6, date=datetime.date.today() + datetime.timedelta(days=3)
    )
    assert 'value="going" required id="id_response_0">' in _session_page(member_client)
    factories.AttendanceFactory(session=upcoming, member=member, response="going")
    content = _session_page(member_client)
    assert 'value="going" required id="id_response_0" checked>' in content
    assert f'id="attendance-coming"><li><a href="/members/{member.pk}/">' in content
