"""What the session page reads of its talks' questions: plain rows with their
answers, the first few of each talk, in one query."""

import pytest

from sessions.models import Question
from tests import factories


def _shown(rows):
    return [
        (
            question.pk,
            question.presentation_id,
            question.asked_by and question.asked_by.label,
            [
                (answer.pk, answer.author and answer.author.label, answer.is_by_presenter)
                for answer in question.answers
            ],
        )
        for question in rows
    ]


@pytest.mark.django_db
def test_first_rows_of_each_talk_are_the_first_questions_with_all_their_answers(
    django_assert_num_queries,
):
    busy, quiet, other = factories.PresentationFactory.create_batch(3)
    presenter = factories.MemberFactory()
    for position in [5, 1, 12, 3, 8, 2, 11, 4, 7, 6, 10, 9]:
        question = factories.QuestionFactory(
            presentation=busy, position=position, addressed_to=presenter
        )
        for _ in range(position % 3):
            factories.AnswerFactory(question=question)
        if position == 4:
            factories.AnswerFactory(question=question, author=presenter)
    factories.QuestionFactory(presentation=quiet)
    factories.QuestionFactory(presentation=other)
    talks = Question.objects.filter(presentation__in=[busy, quiet])
    expected = [
        *Question.objects.filter(presentation=busy).order_by("position", "pk")[:10].display_rows(),
        *Question.objects.filter(presentation=quiet).display_rows(),
    ]
    with django_assert_num_queries(1):
        rows = talks.first_rows_of_each_talk(10)
    assert _shown(rows) == _shown(expected)
    # Positions 1 to 10 have position % 3 answers; position 4 one more, by the presenter.
    answers = [len(question.answers) for question in rows if question.presentation_id == busy.pk]
    assert answers == [1, 2, 0, 2, 2, 0, 1, 2, 0, 1]
