"""A talk's questions have distinct positions, however they are posted."""

import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from sessions.legacy.loader import import_data
from sessions.models import Question
from tests import factories

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "legacy"

BEFORE = ("study", "0009_journal_visibility")
AFTER = ("study", "0010_question_position_unique")


@pytest.mark.django_db
def test_question_posted_after_a_deletion_takes_a_new_position(member_client, talk, presenter):
    first, second = factories.QuestionFactory.create_batch(2, presentation=talk)
    first.delete()
    response = member_client.post(
        reverse("study:question-create", args=[talk.pk]),
        {"addressed_to": presenter.pk, "body": "새 질문"},
    )
    assert response.status_code == 302
    assert list(talk.questions.order_by("position").values_list("body", "position")) == [
        (second.body, 1),
        ("새 질문", 2),
    ]


@pytest.mark.django_db
def test_question_position_is_unique_per_talk(talk):
    factories.QuestionFactory(presentation=talk, position=0)
    other_talk = factories.PresentationFactory(session=talk.session)
    factories.QuestionFactory(presentation=other_talk, position=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.QuestionFactory(presentation=talk, position=0)


@pytest.mark.django_db(transaction=True)
def test_questions_posted_at_once_get_distinct_positions():
    """Members posting on the same talk at the same moment (PostgreSQL, one
    connection each) all succeed, with positions 0…N-1."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")
    presenter = factories.MemberFactory()
    talk = factories.PresentationFactory(presenters=[presenter])
    members = factories.MemberFactory.create_batch(8)
    clients = []
    for member in members:
        client = Client()
        client.force_login(member)
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses, errors = [], []

    def post(client, number):
        try:
            start.wait()
            response = client.post(
                reverse("study:question-create", args=[talk.pk]),
                {"addressed_to": presenter.pk, "body": f"동시에 올린 질문 {number}"},
            )
            statuses.append(response.status_code)
        except Exception as error:  # reported below, with the others
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    positions = sorted(
        Question.objects.filter(presentation=talk).values_list("position", flat=True)
    )
    assert (errors, statuses, positions) == ([], [302] * 8, list(range(8)))


@pytest.mark.django_db(transaction=True)
def test_migration_renumbers_repeated_positions_before_adding_the_constraint(versions_paused):
    # The talks are made with today's models, before going back in time:
    # the factories write every field the models have now.
    talk = factories.PresentationFactory()
    other = factories.PresentationFactory(session=talk.session)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    season = old.get_model("study", "Season").objects.create(name="시즌", slug="s")
    session = old.get_model("study", "StudySession").objects.create(
        season=season, number=1, date="2025-01-03"
    )
    OldPresentation = old.get_model("study", "Presentation")
    talk = OldPresentation.objects.create(session=session, topic="하나")
    other = OldPresentation.objects.create(session=session, topic="둘")
    OldQuestion = old.get_model("study", "Question")
    for body, position in [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 5)]:
        OldQuestion.objects.create(presentation_id=talk.pk, body=body, position=position)
    OldQuestion.objects.create(presentation_id=other.pk, body="x", position=3)

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    renumbered = list(
        OldQuestion.objects.order_by("presentation", "position").values_list("body", "position")
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert renumbered == [("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4), ("x", 3)]


@pytest.mark.django_db
def test_reimport_with_a_new_question_moves_questions_posted_in_the_app_after_it():
    text = (FIXTURES / "session_by_topic.md").read_text(encoding="utf-8")
    assert import_data("3주차.md", text.encode()).ok
    talk = Question.objects.get(body__startswith="추론할 때는").presentation
    talk.add_question(Question(body="앱에서 올린 질문", addressed_to=talk.ordered_presenters()[0]))
    edited = text.replace(
        "- A1: 학습 중에 모은 이동 평균을 씁니다.\n",
        "- A1: 학습 중에 모은 이동 평균을 씁니다.\n- Q2: 배치가 작으면요?\n- A2: 그룹 정규화를 씁니다.\n",
    )
    result = import_data("3주차.md", edited.encode())
    assert (result.error, result.counts["question", "created"]) == ("", 1)
    assert list(talk.questions.order_by("position").values_list("body", "position")) == [
        ("추론할 때는 배치 통계를 어떻게 쓰나요?", 0),
        ("배치가 작으면요?", 1),
        ("앱에서 올린 질문", 2),
    ]
