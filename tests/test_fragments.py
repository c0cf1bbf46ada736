"""Table versions and the cached page parts built on them (sessions/fragments.py)."""

import os
import re
import threading
import uuid

import pytest
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from sessions import fragments
from sessions.fragments import cached, cached_with_own_links
from sessions.models import (
    Answer,
    ContentVersion,
    Notification,
    NotificationPreference,
    Paper,
    Presentation,
    Question,
    Reflection,
    StudySession,
)
from sessions.models.content import bucket_key, session_bucket
from sessions.models.reflections import Visibility
from sessions.notifications import notify
from tests import factories
from tests.editing import opened_form

pytestmark = pytest.mark.django_db

SESSIONS = StudySession._meta.db_table
PAPERS = Paper._meta.db_table
TALKS = Presentation._meta.db_table


def writes():
    """{table: number of versions it had} of every table written."""
    return dict(ContentVersion.objects.values_list("table", "writes"))


def token(table):
    return ContentVersion.objects.tokens().get(table, "")


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """The tests run on the default local memory cache and on Redis (the
    production option); Redis is skipped when none answers, except under
    STUDYGROUP_REQUIRE_SERVERS=1 (as in CI)."""
    if request.param == "redis":
        import redis

        url = "redis://127.0.0.1:6379/9"
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.RedisError:
            if os.environ.get("STUDYGROUP_REQUIRE_SERVERS"):
                raise
            pytest.skip("no Redis at 127.0.0.1:6379")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            }
        }
    yield request.param
    cache.clear()


# --- Versions ------------------------------------------------------------------


def test_version_changes_with_a_save(study_session):
    before = token(SESSIONS)
    study_session.title = "새 제목"
    study_session.save(update_fields=["title"])
    assert token(SESSIONS) not in ("", before)


def test_version_changes_with_a_queryset_update(study_session):
    before = token(SESSIONS)
    StudySession.objects.filter(pk=study_session.pk).update(title="바뀐 제목")
    assert token(SESSIONS) != before


def test_version_changes_with_an_update_through_the_base_manager(talk):
    before = token(TALKS)
    Presentation._base_manager.filter(pk=talk.pk).update(topic="바뀐 주제")
    assert token(TALKS) != before


def test_version_changes_with_a_bulk_create(talk):
    table = Question._meta.db_table
    before = token(table)
    Question.objects.bulk_create([Question(presentation=talk, body="질문", position=9)])
    assert token(table) != before


def test_version_changes_with_a_many_to_many_change(talk):
    table = Presentation.papers.through._meta.db_table
    before = token(table)
    talk.papers.add(factories.PaperFactory())
    assert token(table) != before


def test_version_changes_with_a_delete(talk):
    before = token(TALKS)
    talk.delete()
    assert token(TALKS) != before


def test_version_changes_with_raw_sql(study_session):
    before = token(SESSIONS)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE study_studysession SET place = %s", ["서울"])
    assert token(SESSIONS) != before


def test_version_changes_only_for_the_table_written(study_session, talk):
    before = ContentVersion.objects.tokens()
    Paper.objects.create(title="새 논문", url="https://example.com/p")
    after = ContentVersion.objects.tokens()
    changed = {table for table in after if after[table] != before.get(table, "")}
    assert changed == {PAPERS}


def test_version_never_comes_back_after_the_table_is_emptied(study_session):
    """A flush empties the versions; the next write draws a new token, not
    one that fragments cached before may still be stored under."""
    StudySession.objects.filter(pk=study_session.pk).update(title="하나")
    earlier = token(SESSIONS)
    ContentVersion.objects.all().delete()
    assert token(SESSIONS) == ""
    StudySession.objects.filter(pk=study_session.pk).update(title="둘")
    assert token(SESSIONS) not in ("", earlier)


def test_version_ignores_reads(talk):
    before = ContentVersion.objects.tokens()
    list(Presentation.objects.with_people())
    Paper.objects.count()
    assert ContentVersion.objects.tokens() == before


def test_version_ignores_the_login_stamp(member):
    before = ContentVersion.objects.tokens()
    update_last_login(None, member)
    member.refresh_from_db()
    assert member.last_login is not None
    assert ContentVersion.objects.tokens() == before


def test_version_ignores_notifications_no_fragment_shows(talk, member, presenter):
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    before = ContentVersion.objects.tokens()
    [notification] = notify("question", [presenter], actor=member, target=question)
    Notification.objects.filter(pk=notification.pk).mark_read()
    NotificationPreference.choose(presenter, "answer", "never")
    assert ContentVersion.objects.tokens() == before


def test_version_rolls_back_with_the_write(study_session):
    before = token(SESSIONS)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        StudySession.objects.filter(pk=study_session.pk).update(title="취소될 제목")
        raise ZeroDivisionError
    assert token(SESSIONS) == before


def test_versions_pause_while_migrating_and_retire_everything_after(study_session):
    fragments.pause_versions()
    try:
        StudySession.objects.filter(pk=study_session.pk).update(title="이전 중")
        paused = ContentVersion.objects.tokens()
    finally:
        fragments.resume_versions()
    assert ContentVersion.objects.tokens()[PAPERS] != paused.get(PAPERS, "")


@pytest.mark.django_db(transaction=True)
def test_transaction_changes_each_version_once_when_it_commits():
    """A transaction's writes change no version until it commits, then
    each table's once, however many rows it wrote (an import's file)."""
    session = factories.StudySessionFactory()
    before = writes()
    with transaction.atomic():
        for number in range(5):
            factories.PresentationFactory(session=session, topic=f"발표 {number}")
        assert writes() == before
    after = writes()
    assert (after[TALKS] - before.get(TALKS, 0), after[SESSIONS] - before[SESSIONS]) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_changes_no_version():
    session = factories.StudySessionFactory()
    before = ContentVersion.objects.tokens()
    with transaction.atomic():
        StudySession.objects.filter(pk=session.pk).update(title="되돌린 제목")
        transaction.set_rollback(True)
    assert ContentVersion.objects.tokens() == before
    StudySession.objects.filter(pk=session.pk).update(title="다음 제목")
    assert token(SESSIONS) != before[SESSIONS]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_rendered_in_its_transaction_is_never_served():
    """Write, render, roll back, commit something unrelated, request again:
    the page shows only committed data."""
    session = factories.StudySessionFactory()
    client = Client()
    client.force_login(factories.MemberFactory())
    url = session.get_absolute_url()
    client.get(url)
    with transaction.atomic():
        factories.PresentationFactory(session=session, topic="되돌린 발표")
        assert "되돌린 발표" in client.get(url).content.decode()
        transaction.set_rollback(True)
    factories.PaperFactory(title="상관없는 논문")
    assert "되돌린 발표" not in client.get(url).content.decode()
    cache.clear()


def test_rolled_back_savepoint_rendered_under_a_test_case_is_never_served(
    member_client, study_session
):
    """The same under a test case, whose transaction never commits."""
    url = study_session.get_absolute_url()
    with transaction.atomic():
        factories.PresentationFactory(session=study_session, topic="되돌린 발표")
        assert "되돌린 발표" in member_client.get(url).content.decode()
        transaction.set_rollback(True)
    factories.PaperFactory(title="상관없는 논문")
    assert "되돌린 발표" not in member_client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_the_same_tables_cross_without_deadlock():
    """Writers that commit writes to the same tables in opposite orders
    take the version rows in one order, after their own rows: every write
    counts and none fails."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")
    sessions = factories.StudySessionFactory.create_batch(6)
    talks = [factories.PresentationFactory(session=session) for session in sessions]
    errors, rounds = [], 15
    before = writes()

    def write(seed):
        try:
            for round_ in range(rounds):
                with transaction.atomic():
                    steps = [
                        lambda round_=round_: StudySession.objects.filter(
                            pk=sessions[seed].pk
                        ).update(place=f"{seed}-{round_}"),
                        lambda round_=round_: Presentation.objects.filter(pk=talks[seed].pk).update(
                            order=round_
                        ),
                    ]
                    for step in steps if seed % 2 else reversed(steps):
                        step()
        except Exception as error:  # reported below, with the others
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = writes()
    assert (errors, after[SESSIONS] - before[SESSIONS], after[TALKS] - before[TALKS]) == (
        [],
        6 * rounds,
        6 * rounds,
    )


# --- Cached functions ----------------------------------------------------------

calls = []


@cached
def session_title(session_pk):
    calls.append(session_pk)
    return StudySession.objects.get(pk=session_pk).title


@cached
def talk_topics(session):
    calls.append(session.pk)
    return [talk.topic for talk in session.presentations.order_by("pk")]


@cached
def translated_word():
    calls.append("word")
    return str(translation.gettext("Sessions"))


@cached
def titles_and_paper_count(session_pk):
    calls.append("outer")
    return session_title(session_pk), Paper.objects.count()


@cached
def unread_count(member):
    calls.append("unread")
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


@pytest.fixture
def counted(any_cache):
    calls.clear()
    cache.clear()
    return calls


def test_cached_function_runs_once_until_a_write(counted, study_session):
    assert [session_title(study_session.pk) for _ in range(3)] == [study_session.title] * 3
    assert counted == [study_session.pk]


def test_cached_function_runs_again_after_a_write_to_a_table_it_read(counted, study_session):
    session_title(study_session.pk)
    StudySession.objects.filter(pk=study_session.pk).update(title="바뀐 제목")
    assert session_title(study_session.pk) == "바뀐 제목"
    assert len(counted) == 2


def test_cached_function_survives_a_write_to_a_table_it_did_not_read(counted, study_session):
    session_title(study_session.pk)
    factories.PaperFactory()
    session_title(study_session.pk)
    assert len(counted) == 1


def test_cached_function_depends_on_the_tables_of_the_instances_passed(counted, talk):
    """The instance was loaded outside, yet the result may show its fields."""
    session = talk.session
    talk_topics(session)
    StudySession.objects.filter(pk=session.pk).update(title="바뀐 제목")
    talk_topics(session)
    assert len(counted) == 2


def test_cached_function_inherits_what_an_inner_cached_function_read(counted, study_session):
    """A hit on the inner function still makes the outer depend on its tables."""
    session_title(study_session.pk)
    titles_and_paper_count(study_session.pk)
    StudySession.objects.filter(pk=study_session.pk).update(title="바뀐 제목")
    assert titles_and_paper_count(study_session.pk) == ("바뀐 제목", 0)
    assert counted == [study_session.pk, "outer", "outer", study_session.pk]


def test_cached_function_is_kept_per_language(counted, db):
    english = translated_word()
    with translation.override("ko"):
        korean = translated_word()
    assert (english, korean, len(counted)) == ("Sessions", "모임", 2)


def test_cached_function_is_kept_per_argument(counted, study_session):
    other = factories.StudySessionFactory(title="다른 모임")
    assert (session_title(study_session.pk), session_title(other.pk)) == (
        study_session.title,
        "다른 모임",
    )
    assert len(counted) == 2


def test_cached_function_reading_a_table_no_version_follows_is_not_kept(counted, member):
    """Notifications change no version: a result read from them could go
    stale unseen, so it is computed every time."""
    assert [unread_count(member), unread_count(member)] == [0, 0]
    assert counted == ["unread", "unread"]


def test_cached_function_refuses_a_queryset(counted, db):
    with pytest.raises(TypeError, match="not StudySessionQuerySet"):
        talk_topics(StudySession.objects.all())


def test_cached_function_runs_uncached_over_uncommitted_writes(counted, study_session):
    """Inside a transaction that wrote (outside a test case: commit-time
    versions), results are neither served from nor stored in the cache."""
    session_title(study_session.pk)
    connection.atomic_blocks[0]._from_testcase = False
    try:
        with transaction.atomic():
            StudySession.objects.filter(pk=study_session.pk).update(title="아직 커밋 전")
            assert session_title(study_session.pk) == "아직 커밋 전"
            transaction.set_rollback(True)
    finally:
        connection.atomic_blocks[0]._from_testcase = True
    assert session_title(study_session.pk) == study_session.title
    assert len(counted) == 2


@cached_with_own_links
def links(session, viewer):
    calls.append(viewer)
    owner = session.created_by_id if hasattr(session, "created_by_id") else None
    return (f"links of {viewer.username}" if viewer else "no links"), {owner}


def test_cached_with_own_links_renders_a_copy_only_for_owners(counted, member, presenter):
    session = factories.StudySessionFactory()
    session.created_by_id = presenter.pk
    seen = [links(session, viewer=viewer) for viewer in (member, presenter, member, presenter)]
    assert seen == ["no links", "links of presenter", "no links", "links of presenter"]
    assert counted == [None, presenter]


def test_cache_hits_and_misses_are_counted(counted, study_session):
    before = dict(fragments.STATS)
    session_title(study_session.pk)
    session_title(study_session.pk)
    assert (fragments.STATS["hits"] - before["hits"], fragments.STATS["misses"]) == (
        1,
        before["misses"] + 1,
    )


# --- Versions per session --------------------------------------------------------


def renders_parts_afresh(client, url):
    """Whether requesting `url` renders any cached part afresh; the page is
    checked to be what a render with an empty cache shows."""
    misses = fragments.STATS["misses"]
    page = _without_tokens(client.get(url).content.decode())
    rendered = fragments.STATS["misses"] > misses
    cache.clear()
    assert page == _without_tokens(client.get(url).content.decode())
    return rendered


@cached
def questions_and_answers(session):
    """What one session's page reads of its questions and answers."""
    calls.append(session.pk)
    with fragments.reading_session(session.pk, Question, Answer):
        return sorted(
            Question.objects.filter(presentation__session=session).values_list(
                "body", "answers__body"
            ),
            key=str,
        )


@cached
def session_reflections(session):
    calls.append(("reflections", session.pk))
    with fragments.reading_session(session.pk, Reflection):
        return sorted(session.reflections.values_list("body", flat=True))


@pytest.fixture
def two_sessions(counted, presenter, member):
    """Two sessions, each with a talk, a question and its answer; the
    first session's questions and answers cached."""
    talks = [factories.PresentationFactory(presenters=[presenter]) for _ in range(2)]
    questions = [
        factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
        for talk in talks
    ]
    for question in questions:
        factories.AnswerFactory(question=question, author=presenter)
    here = talks[0].session
    questions_and_answers(here)
    counted.clear()
    # Loaded afresh, as a view loads them.
    return here, Question.objects.get(pk=questions[0].pk), Question.objects.get(pk=questions[1].pk)


@pytest.mark.parametrize("kind", ["question", "answer"])
def test_session_part_survives_a_row_saved_on_another_session(two_sessions, kind):
    here, _mine, elsewhere = two_sessions
    row = elsewhere if kind == "question" else Answer.objects.get(question=elsewhere)
    row.body = "다른 세션에서 고친 글"
    row.save(update_fields=["body"])
    questions_and_answers(here)
    assert calls == []


def test_session_part_follows_a_question_saved_on_its_session(two_sessions):
    here, mine, _elsewhere = two_sessions
    mine.body = "고친 질문"
    mine.save(update_fields=["body"])
    assert "고친 질문" in [body for body, _answer in questions_and_answers(here)]
    assert calls == [here.pk]


def test_session_part_follows_an_answer_saved_on_its_session(two_sessions):
    here, mine, _elsewhere = two_sessions
    answer = Answer.objects.get(question=mine)
    answer.body = "고친 답변"
    answer.save()
    assert "고친 답변" in [answer for _body, answer in questions_and_answers(here)]


def test_session_part_follows_a_question_asked_on_its_session(two_sessions):
    here, mine, _elsewhere = two_sessions
    factories.QuestionFactory(presentation=mine.presentation, body="새 질문")
    assert "새 질문" in [body for body, _answer in questions_and_answers(here)]


def test_session_part_follows_a_question_deleted_with_its_answers(two_sessions):
    here, mine, _elsewhere = two_sessions
    mine.delete()
    assert questions_and_answers(here) == []


def test_session_part_follows_a_queryset_update_on_another_session(two_sessions):
    """An update names no session: it may have touched any."""
    here, _mine, elsewhere = two_sessions
    Question.objects.filter(pk=elsewhere.pk).update(body="다른 세션")
    questions_and_answers(here)
    assert calls == [here.pk]


def test_session_part_follows_a_bulk_create_on_another_session(two_sessions):
    here, _mine, elsewhere = two_sessions
    Answer.objects.bulk_create([Answer(question=elsewhere, body="일괄 답변")])
    questions_and_answers(here)
    assert calls == [here.pk]


def test_session_part_follows_a_question_moved_away_from_its_session(two_sessions):
    here, mine, elsewhere = two_sessions
    mine.presentation = elsewhere.presentation
    mine.position = 99
    mine.save()
    assert questions_and_answers(here) == []


def test_session_part_follows_a_question_saved_without_being_loaded(two_sessions):
    """Saved over a row it did not load, the question's old place is unknown."""
    here, mine, elsewhere = two_sessions
    Question(
        pk=mine.pk,
        presentation=elsewhere.presentation,
        position=99,
        body="덮어쓴 질문",
        created_at=mine.created_at,
    ).save()
    assert questions_and_answers(here) == []


def test_session_part_follows_a_session_deleted_with_its_rows(two_sessions):
    here, _mine, _elsewhere = two_sessions
    StudySession.objects.filter(pk=here.pk).delete()
    assert questions_and_answers(here) == []


def test_session_reflections_survive_journal_entries_and_other_sessions(counted, member):
    here, elsewhere = factories.StudySessionFactory(), factories.StudySessionFactory()
    factories.ReflectionFactory(session=here, author=member, body="여기 소감")
    session_reflections(here)
    factories.JournalEntryFactory(author=member)
    factories.ReflectionFactory(session=elsewhere, author=member)
    assert (session_reflections(here), calls) == (["여기 소감"], [("reflections", here.pk)])
    factories.ReflectionFactory(session=here, body="새 소감")
    assert session_reflections(here) == ["새 소감", "여기 소감"]


def test_talk_page_is_served_from_the_cache_after_an_answer_saved_on_another_session(
    member_client, member, presenter, talk
):
    answered = [
        factories.AnswerFactory(question=factories.QuestionFactory(presentation=on), body="답변")
        for on in (factories.PresentationFactory(), talk)
    ]
    url = talk.get_absolute_url()
    member_client.get(url)
    rendered = []
    for answer in answered:
        answer.body = f"{answer.pk}번 답변 수정"
        answer.save()
        rendered.append(renders_parts_afresh(member_client, url))
    assert rendered == [False, True]


def test_carried_over_questions_follow_the_earlier_sessions_of_their_season_only(
    counted, member, presenter
):
    """The session page's open questions of earlier sessions of its season:
    a question edited in another season, or on the session itself, cools
    them not; one on an earlier session of the season does."""
    from sessions.views.retros import session_carry_over

    season = factories.SeasonFactory()
    earlier, later = (
        factories.StudySessionFactory(season=season, number=number) for number in (1, 2)
    )
    question = factories.QuestionFactory(
        presentation=factories.PresentationFactory(session=earlier), body="열린 질문"
    )
    elsewhere = factories.QuestionFactory(body="다른 시즌 질문")
    own = factories.QuestionFactory(
        presentation=factories.PresentationFactory(session=later), body="이번 세션 질문"
    )
    session_carry_over(later)
    misses = fragments.STATS["misses"]
    elsewhere.body = "다른 시즌 질문 수정"
    elsewhere.save()
    factories.AnswerFactory(question=own)
    session_carry_over(later)
    kept = fragments.STATS["misses"] == misses
    Question.objects.get(pk=question.pk).close(member)
    carried, _items = session_carry_over(later)
    assert (kept, carried) == (True, [])


def test_session_page_keeps_its_carried_over_questions_after_an_answer_on_its_own_talk(
    member_client, presenter, talk
):
    """An answer logged during the meeting re-renders the session's talks,
    not the questions still open from its earlier sessions."""
    from sessions.views.retros import session_carry_over

    earlier = factories.StudySessionFactory(season=talk.session.season, number=0)
    factories.QuestionFactory(
        presentation=factories.PresentationFactory(session=earlier), body="지난번 열린 질문"
    )
    question = factories.QuestionFactory(presentation=talk, addressed_to=presenter)
    url = talk.session.get_absolute_url()
    assert "지난번 열린 질문" in member_client.get(url).content.decode()
    misses = fragments.STATS["misses"]
    factories.AnswerFactory(question=question, author=presenter, body="답변 드립니다")
    content = member_client.get(url).content.decode()
    rendered = fragments.STATS["misses"] - misses
    carried, _items = session_carry_over(talk.session)
    assert ("지난번 열린 질문" in content, "답변 드립니다" in content) == (True, True)
    assert [row.text for row in carried] == ["지난번 열린 질문"]
    assert rendered == 2


def test_reading_session_refuses_a_model_without_versions_per_session(db):
    with pytest.raises(TypeError), fragments.reading_session(1, Paper):
        pass


def test_versions_per_session_retire_after_migrating(two_sessions):
    here, _mine, _elsewhere = two_sessions
    fragments.pause_versions()
    fragments.resume_versions()
    questions_and_answers(here)
    assert calls == [here.pk]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_question_save_changes_no_version_per_session(counted):
    question = factories.QuestionFactory()
    key = bucket_key(Question._meta.db_table, session_bucket(question.presentation.session_id))
    before = ContentVersion.objects.tokens()
    with transaction.atomic():
        question.body = "되돌린 질문"
        question.save()
        transaction.set_rollback(True)
    assert ContentVersion.objects.tokens() == before
    question.save()
    after = ContentVersion.objects.tokens()
    assert (after[key] != before.get(key, ""), after.get(bucket_key("study_question", "*"))) == (
        True,
        before.get(bucket_key("study_question", "*")),
    )


def test_question_edited_through_its_form_changes_only_its_session_bucket(
    member_client, member, presenter, talk
):
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    table = Question._meta.db_table
    keys = [
        bucket_key(table, session_bucket(talk.session_id)),
        bucket_key(table, session_bucket(talk.session_id + 1)),
        bucket_key(table, "*"),
        table,
    ]
    before = ContentVersion.objects.tokens()
    url = f"/questions/{question.pk}/edit/"
    data = opened_form(member_client, url)
    response = member_client.post(url, {**data, "body": "폼에서 고친 질문"})
    assert response.status_code == 302
    after = ContentVersion.objects.tokens()
    assert [after.get(key, "") != before.get(key, "") for key in keys] == [
        True,
        False,
        False,
        True,
    ]


def test_session_page_is_served_from_the_cache_after_a_question_edited_in_another_season(
    member_client, member, presenter, talk
):
    """A question edited on a session of another season cools no part of
    this session's page; one edited on this session does, and either way
    the page is what a fresh render shows."""
    other_talk = factories.PresentationFactory(
        session=factories.StudySessionFactory(season=factories.SeasonFactory()),
        presenters=[presenter],
    )
    elsewhere = factories.QuestionFactory(
        presentation=other_talk, asked_by=member, addressed_to=presenter
    )
    here = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    url = talk.session.get_absolute_url()
    member_client.get(url)
    rendered = []
    for question in (elsewhere, here):
        edit = f"/questions/{question.pk}/edit/"
        data = opened_form(member_client, edit)
        response = member_client.post(edit, {**data, "body": f"{question.pk}번 질문 수정"})
        assert response.status_code == 302
        member_client.get(edit)  # shows the "updated" message
        rendered.append(renders_parts_afresh(member_client, url))
    assert rendered == [False, True]


def test_talk_page_is_served_from_the_cache_after_a_question_on_another_session(
    member_client, member, presenter, talk
):
    """Its question count is of the talk's session's rows: a question asked
    on another session's talk re-renders no part of this talk's page; one
    asked on this talk does, and counts it."""
    factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    other_talk = factories.PresentationFactory(presenters=[presenter])
    url = talk.get_absolute_url()
    member_client.get(url)
    factories.QuestionFactory(presentation=other_talk, asked_by=member, addressed_to=presenter)
    elsewhere = renders_parts_afresh(member_client, url)
    factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    here = renders_parts_afresh(member_client, url)
    content = member_client.get(url).content.decode()
    assert (elsewhere, here, content.count('class="question"')) == (False, True, 2)


# --- Large parts put into their page ------------------------------------------


def _page(request, body):
    context = {"year": 2026, "years": [2025, 2026], "body_html": body}
    return fragments.render_page(request, "study/participation.html", context)


def test_render_page_puts_a_large_part_in_as_the_template_would(rf, member):
    from django.shortcuts import render
    from django.utils.safestring import mark_safe

    request = rf.get("/participation/")
    request.user = member
    body = mark_safe("<p>참여 기록 &amp; 히트맵</p>" * 1000)
    assert len(body) >= fragments.PUT_IN_AFTER
    context = {"year": 2026, "years": [2025, 2026], "body_html": body}
    expected = _without_tokens(
        render(request, "study/participation.html", context).content.decode()
    )
    content = _without_tokens(_page(request, body).content.decode())
    assert (content == expected, content.count("참여 기록"), "<!--body_html-" in content) == (
        True,
        1000,
        False,
    )


def test_render_page_fills_in_the_viewers_csrf_token_in_a_large_part(rf, member):
    from django.utils.safestring import mark_safe

    request = rf.get("/participation/")
    request.user = member
    form = f'<form class="part" method="post"><input name="csrfmiddlewaretoken" value="{fragments.CSRF_PLACEHOLDER}"></form>'
    content = _page(request, mark_safe(form * 200)).content.decode()
    tokens = re.findall(
        r'<form class="part" method="post"><input name="csrfmiddlewaretoken" value="([^"]*)">',
        content,
    )
    # A masked CSRF token: 64 letters and digits.
    real = [token for token in tokens if re.fullmatch(r"[A-Za-z0-9]{64}", token)]
    assert (len(real), fragments.CSRF_PLACEHOLDER in content) == (200, False)


# --- No viewer sees another's page ---------------------------------------------


def _without_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def owner_and_bystander(talk, member, presenter):
    """`member` owns items on every cached page (a question, a private
    journal entry, a reflection, a nomination, a place on the season's
    roster); the bystander owns nothing."""
    question = factories.QuestionFactory(
        presentation=talk, asked_by=member, addressed_to=presenter, body="어텐션 질문"
    )
    factories.AnswerFactory(question=question, author=presenter, body="어텐션 답변")
    factories.ReflectionFactory(session=talk.session, author=member, body="어텐션 소감")
    factories.JournalEntryFactory(
        author=member,
        title="어텐션 비공개 일지",
        visibility=Visibility.PRIVATE,
    )
    season = talk.session.season
    factories.SeasonMembershipFactory(season=season, member=member)
    factories.NominationFactory(season=season, author=member)
    bystander = factories.MemberFactory()
    return member, bystander


def cached_pages(talk, member):
    session = talk.session
    return [
        "/",
        "/sessions/",
        session.get_absolute_url(),
        talk.get_absolute_url(),
        member.get_absolute_url(),
        f"/journal/?author={member.pk}",
        "/search/?q=어텐션",
        "/papers/",
        "/participation/",
        session.season.get_absolute_url(),
        f"/seasons/{session.season.slug}/rotation/",
        f"/seasons/{session.season.slug}/backlog/",
    ]


def test_every_cached_page_shows_each_viewer_what_a_fresh_render_does(
    any_cache, owner_and_bystander, talk
):
    """Whoever filled the cache first, the owner of items and a bystander
    each see exactly the page rendered for them with an empty cache."""
    member, bystander = owner_and_bystander
    clients = {}
    for person in (member, bystander):
        clients[person.username] = Client()
        clients[person.username].force_login(person)
    for url in cached_pages(talk, member):
        fresh = {}
        for name, client in clients.items():
            cache.clear()
            response = client.get(url)
            assert response.status_code == 200, url
            fresh[name] = _without_tokens(response.content.decode())
        assert fresh[member.username] != fresh[bystander.username], url
        for order in (list(clients), list(reversed(clients))):
            cache.clear()
            seen = {
                name: _without_tokens(clients[name].get(url).content.decode()) for name in order
            }
            assert seen == fresh, url


def test_cached_library_page_follows_a_bulk_delete_in_the_admin(member_client, db):
    """The admin's "delete selected" deletes in bulk (QuerySet.delete): the
    library page cached before shows the paper no more."""
    factories.PaperFactory(title="남는 논문")
    deleted = factories.PaperFactory(title="지울 논문")
    assert "지울 논문" in member_client.get("/papers/").content.decode()
    admin = Client()
    admin.force_login(factories.MemberFactory(is_staff=True, is_superuser=True))
    response = admin.post(
        "/admin/study/paper/",
        {"action": "delete_selected", "_selected_action": [deleted.pk], "post": "yes"},
    )
    assert response.status_code == 302
    content = member_client.get("/papers/").content.decode()
    assert ("남는 논문" in content, "지울 논문" in content) == (True, False)
