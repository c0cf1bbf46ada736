"""Pages show a bounded number of rows however much a list grows."""

from django.urls import reverse

from sessions.views.meetings import QUESTIONS_PER_TALK
from sessions.views.talks import QUESTIONS_PER_PAGE
from tests import factories
from tests.factories import SEASON


def test_session_page_shows_the_first_questions_of_a_busy_talk_and_links_to_all(
    member_client, talk, django_assert_num_queries
):
    questions = factories.QuestionFactory.create_batch(QUESTIONS_PER_TALK + 2, presentation=talk)
    # 10: the login session from the cache; no talk slots (the session says so),
    # the questions carried over with the action items due (one union).
    with django_assert_num_queries(10):
        response = member_client.get(
            reverse("study:session-detail", args=[SEASON, talk.session.number]),
            headers={"accept-language": "en"},
        )
    content = response.content.decode()
    assert content.count('class="question"') == QUESTIONS_PER_TALK
    assert f'id="question-{questions[QUESTIONS_PER_TALK - 1].pk}"' in content
    assert f'id="question-{questions[QUESTIONS_PER_TALK].pk}"' not in content
    assert "<h4>12 questions</h4>" in content
    assert f'href="{reverse("study:talk-detail", args=[talk.pk])}#questions"' in content


def test_session_page_has_no_link_to_all_questions_when_all_are_shown(member_client, talk):
    factories.QuestionFactory.create_batch(QUESTIONS_PER_TALK, presentation=talk)
    response = member_client.get(
        reverse("study:session-detail", args=[SEASON, talk.session.number])
    )
    content = response.content.decode()
    assert content.count('class="question"') == QUESTIONS_PER_TALK
    assert "#questions" not in content


def test_talk_page_shows_questions_page_by_page(member_client, talk, django_assert_num_queries):
    questions = factories.QuestionFactory.create_batch(QUESTIONS_PER_PAGE + 5, presentation=talk)
    with django_assert_num_queries(8):
        first = member_client.get(talk.get_absolute_url())
    second = member_client.get(talk.get_absolute_url() + "?page=2")
    first, second = first.content.decode(), second.content.decode()
    assert first.count('class="question"') == QUESTIONS_PER_PAGE
    assert second.count('class="question"') == 5
    assert f'id="question-{questions[0].pk}"' in first
    assert f'id="question-{questions[-1].pk}"' in second
    assert 'href="?page=2" rel="next"' in first
