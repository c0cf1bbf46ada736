"""The home page: next session, my open items, recent activity."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Reflection
from sessions.views.home import recent_activity, waiting_for
from tests import factories


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_home_anonymous_redirects_to_login(outsider_client, db):
    response = outsider_client.get(reverse("study:home"))
    assert response["Location"] == "/accounts/login/?next=/"


def test_home_shows_the_next_session_and_its_talks(member_client, presenter):
    factories.StudySessionFactory(number=1, date=days_from_today(-7))
    upcoming = factories.StudySessionFactory(number=2, date=days_from_today(3), title="다음 모임")
    factories.StudySessionFactory(number=3, date=days_from_today(10))
    talk = factories.PresentationFactory(
        session=upcoming, topic="비전 트랜스포머", presenters=[presenter]
    )

    response = member_client.get(reverse("study:home"))
    content = response.content.decode()
    assert '<a href="/seasons/2025/2/">2025 논문 스터디, session 2 · 다음 모임</a>' in content
    assert "/seasons/2025/3/" not in content
    assert f'<a href="/talks/{talk.pk}/">비전 트랜스포머</a>' in content
    assert '<span class="person">🐼 강발표</span>' in content
    assert 'href="/seasons/2025/2/talks/new/"' in content


def test_home_without_upcoming_session_says_so(member_client, db):
    factories.StudySessionFactory(date=days_from_today(-1))
    response = member_client.get(reverse("study:home"))
    assert "No session is scheduled yet." in response.content.decode()


def test_home_lists_unanswered_questions_addressed_to_me(presenter_client, presenter, talk, member):
    open_question = factories.QuestionFactory(
        presentation=talk, addressed_to=presenter, asked_by=member
    )
    answered = factories.QuestionFactory(presentation=talk, addressed_to=presenter)
    factories.AnswerFactory(question=answered)
    other_talk = factories.PresentationFactory(session=talk.session)
    factories.QuestionFactory(presentation=other_talk)  # to someone else

    assert [q.pk for q in waiting_for(presenter)["questions_for_me"]] == [open_question.pk]
    response = presenter_client.get(reverse("study:home"))
    content = response.content.decode()
    assert content.count("asked you about") == 1
    assert "🐱 조회원 asked you about “셀프 어텐션”" in content
    assert f'href="/questions/{open_question.pk}/answers/new/"' in content


def test_home_lists_past_sessions_i_took_part_in_without_my_reflection(member_client, member):
    presented = factories.StudySessionFactory(number=1, date=days_from_today(-21))
    factories.PresentationFactory(session=presented, presenters=[member])
    attended = factories.StudySessionFactory(number=2, date=days_from_today(-14))
    factories.AttendanceFactory(session=attended, member=member, attended=True)
    absent = factories.StudySessionFactory(number=3, date=days_from_today(-10))
    factories.AttendanceFactory(session=absent, member=member, attended=False)
    written = factories.StudySessionFactory(number=4, date=days_from_today(-7))
    factories.AttendanceFactory(session=written, member=member, attended=True)
    factories.ReflectionFactory(session=written, author=member)
    others_reflection = factories.StudySessionFactory(number=5, date=days_from_today(-5))
    factories.AttendanceFactory(session=others_reflection, member=member, attended=True)
    factories.ReflectionFactory(session=others_reflection)
    future = factories.StudySessionFactory(number=6, date=days_from_today(7))
    factories.PresentationFactory(session=future, presenters=[member])

    assert [s.number for s in waiting_for(member)["reflections_due"]] == [5, 2, 1]
    response = member_client.get(reverse("study:home"))
    content = response.content.decode()
    assert re.findall(r"your reflection on 2025 논문 스터디, session (\d+)", content) == [
        "5",
        "2",
        "1",
    ]
    assert "You have not written your reflection on 2025 논문 스터디, session 2 yet." in content


def test_home_with_nothing_open_says_so(member_client, db):
    response = member_client.get(reverse("study:home"))
    assert "Nothing is waiting for you." in response.content.decode()


def test_home_recent_activity_is_newest_first_and_bounded(member_client, talk, presenter, member):
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    answer = factories.AnswerFactory(question=question)
    reflection = factories.ReflectionFactory(session=talk.session, author=presenter)
    factories.JournalEntryFactory(author=presenter)  # personal: not group activity
    kinds = [(item.kind, item.url) for item in recent_activity()]
    assert kinds == [
        ("reflection", reflection.get_absolute_url()),
        ("answer", answer.get_absolute_url()),
        ("question", question.get_absolute_url()),
        ("talk", talk.get_absolute_url()),
    ]
    response = member_client.get(reverse("study:home"))
    content = response.content.decode()
    assert "🐼 강발표 wrote a reflection on" in content
    assert "🐱 조회원 asked a question on" in content

    for _ in range(12):
        factories.ReflectionFactory(session=factories.StudySessionFactory())
    content = member_client.get(reverse("study:home")).content.decode()
    assert content.count("wrote a reflection on") == 10
    assert "asked a question on" not in content
    assert Reflection.objects.count() == 14


@pytest.mark.parametrize("count", [1, 20])
def test_home_query_count_does_not_grow(member_client, member, count, django_assert_num_queries):
    upcoming = factories.StudySessionFactory(date=days_from_today(2))
    other = factories.MemberFactory()
    for talk in factories.PresentationFactory.create_batch(
        count, session=upcoming, presenters=[member, other]
    ):
        factories.QuestionFactory(presentation=talk, addressed_to=member, asked_by=other)
        answered = factories.QuestionFactory(presentation=talk, addressed_to=member, asked_by=other)
        factories.AnswerFactory(question=answered)
    for session in factories.StudySessionFactory.create_batch(count, date=days_from_today(-3)):
        factories.AttendanceFactory(session=session, member=member, attended=True)
        factories.ReflectionFactory(session=session, author=other)
    # versions, session + user, next session, its talks, their
    # presenters, questions for me, reflections due, my action items, recent
    # talks, questions, answers, reflections, the coming talk slots; plus the
    # bell's unread count
    with django_assert_num_queries(10):
        response = member_client.get(reverse("study:home"))
    content = response.content.decode()
    assert (content.count("asked you about"), content.count("You have not written")) == (
        count,
        count,
    )
    # Again: all three parts come from the fragment cache.
    with django_assert_num_queries(2):
        again = member_client.get(reverse("study:home"))
    assert again.content.decode().count("asked you about") == count


def test_home_shows_what_changed_after_it_was_cached(presenter_client, presenter, talk, member):
    presenter_client.get(reverse("study:home"))
    question = factories.QuestionFactory(presentation=talk, addressed_to=presenter, asked_by=member)
    content = presenter_client.get(reverse("study:home")).content.decode()
    assert f'href="/questions/{question.pk}/answers/new/"' in content
    assert "🐱 조회원 asked a question on" in content
    factories.AnswerFactory(question=question)
    content = presenter_client.get(reverse("study:home")).content.decode()
    assert f'href="/questions/{question.pk}/answers/new/"' not in content


def test_home_keeps_what_waits_for_each_member_to_that_member(
    presenter_client, member_client, presenter, talk, member
):
    factories.QuestionFactory(presentation=talk, addressed_to=presenter, asked_by=member)
    presenter_page = presenter_client.get(reverse("study:home")).content.decode()
    member_page = member_client.get(reverse("study:home")).content.decode()
    assert (presenter_page.count("asked you about"), member_page.count("asked you about")) == (1, 0)
    assert "Nothing is waiting for you." in member_page


def test_home_waiting_question_shows_rendered_text_not_markdown(presenter_client, presenter, talk):
    factories.QuestionFactory(
        presentation=talk, addressed_to=presenter, body="$\\epsilon$ 는 **얼마**인가요?"
    )
    content = presenter_client.get(reverse("study:home")).content.decode()
    assert '<div class="excerpt">ϵ 는 얼마인가요?</div>' in content
    assert "$\\epsilon$" not in content and "**" not in content


def test_home_recent_activity_names_someone_for_rows_without_an_author(member_client, db):
    talk = factories.PresentationFactory(created_by=None, topic="옛 노트의 발표")
    question = factories.QuestionFactory(presentation=talk, asked_by=None)
    content = member_client.get(reverse("study:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Someone posted a talk for {talk.session.full_name}:" in content
    assert "Someone asked a question on" in content
    assert content.count(f'href="{question.get_absolute_url()}"') == 1
