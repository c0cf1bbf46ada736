"""The content version and the fragment cache built on it."""

import threading

import pytest
from django.contrib.auth.models import update_last_login
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import translation

from sessions.fragments import cached_fragment, cached_with_own_links
from sessions.models import (
    ContentVersion,
    Notification,
    NotificationPreference,
    Paper,
    Presentation,
    Question,
    StudySession,
)
from sessions.notifications import notify
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    """The number of the current content version."""
    return lambda: ContentVersion.objects.current()[1]


def test_content_version_counts_a_save(version):
    before = version()
    factories.StudySessionFactory()
    assert version() > before


def test_content_version_counts_a_queryset_update(version, study_session):
    before = version()
    StudySession.objects.filter(pk=study_session.pk).update(title="새 제목")
    assert version() == before + 1


def test_content_version_counts_an_update_through_the_base_manager(version, talk):
    before = version()
    Question._base_manager.filter(presentation=talk).update(position=3)
    assert version() == before + 1


def test_content_version_counts_a_bulk_create(version, talk):
    before = version()
    Question.objects.bulk_create([Question(presentation=talk, body="왜?", body_html="<p>왜?</p>")])
    assert version() == before + 1


def test_content_version_counts_a_many_to_many_change(version, talk):
    paper = factories.PaperFactory()
    before = version()
    talk.papers.add(paper)
    assert version() > before


def test_content_version_counts_a_delete(version, talk):
    before = version()
    Presentation.objects.filter(pk=talk.pk).delete()
    assert version() > before


def test_content_version_counts_raw_sql(version, study_session):
    before = version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE study_studysession SET place = %s", ["온라인"])
    assert version() == before + 1


def test_content_version_never_comes_back_after_the_counter_is_emptied(study_session):
    """`flush` (or TRUNCATE) empties the counter's table; counting restarts
    from 1 under a new epoch, so fragments cached under the old numbers
    stay unreachable."""
    StudySession.objects.filter(pk=study_session.pk).update(title="a")
    earlier = ContentVersion.objects.current()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM study_contentversion")
    assert ContentVersion.objects.current() == ("", 0)
    while ContentVersion.objects.current()[1] < earlier[1]:
        StudySession.objects.filter(pk=study_session.pk).update(title="b")
    again = ContentVersion.objects.current()
    assert (again[1], again != earlier) == (earlier[1], True)


def test_rolled_back_write_cached_in_its_transaction_is_never_served(member_client, study_session):
    """A transaction writes, a page is cached under its uncommitted
    version, and it rolls back. The next commit counts to the same number,
    but not to the same version: the page shows only committed data."""
    url = study_session.get_absolute_url()
    with transaction.atomic():
        factories.PresentationFactory(session=study_session, topic="되돌린 발표")
        assert "되돌린 발표" in member_client.get(url).content.decode()
        uncommitted = ContentVersion.objects.current()[1]
        transaction.set_rollback(True)
    paper = factories.PaperFactory(title="상관없는 논문")
    while ContentVersion.objects.current()[1] < uncommitted:
        Paper.objects.filter(pk=paper.pk).update(year=2020)
    assert ContentVersion.objects.current()[1] == uncommitted
    content = member_client.get(url).content.decode()
    assert "되돌린 발표" not in content


def test_content_version_ignores_reads(version, talk):
    before = version()
    list(Presentation.objects.with_people())
    Paper.objects.count()
    assert version() == before


def test_content_version_ignores_the_login_stamp(version, member):
    before = version()
    update_last_login(None, member)
    member.refresh_from_db()
    assert member.last_login is not None
    assert version() == before


def test_content_version_ignores_notifications_no_fragment_shows(version, talk, member, presenter):
    question = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    before = version()
    [notification] = notify("question", [presenter], actor=member, target=question)
    Notification.objects.filter(pk=notification.pk).mark_read()
    NotificationPreference.choose(presenter, "answer", "never")
    assert version() == before


def test_content_version_rolls_back_with_the_write(version, study_session):
    before = version()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        StudySession.objects.filter(pk=study_session.pk).update(title="취소될 제목")
        raise ZeroDivisionError
    assert version() == before


def _render_count():
    calls = []

    def context():
        calls.append(1)
        return {"value": len(calls)}

    return calls, context


def _fragment(name="test", parts=()):
    request = RequestFactory().get("/")
    return request, name, list(parts), "study/tests/fragment.html"


@pytest.fixture
def fragment_template(settings, tmp_path):
    (tmp_path / "study" / "tests").mkdir(parents=True)
    (tmp_path / "study" / "tests" / "fragment.html").write_text(
        "{% load i18n %}{% translate 'Sessions' %} {{ value }}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]


def test_cached_fragment_renders_once_per_version(fragment_template, study_session):
    calls, context = _render_count()
    first = cached_fragment(*_fragment(), context)
    again = cached_fragment(*_fragment(), context)
    assert (first, again, len(calls)) == ("Sessions 1", "Sessions 1", 1)


def test_cached_fragment_renders_again_after_any_write(fragment_template, study_session):
    calls, context = _render_count()
    cached_fragment(*_fragment(), context)
    StudySession.objects.filter(pk=study_session.pk).update(title="바뀐 제목")
    assert cached_fragment(*_fragment(), context) == "Sessions 2"


def test_cached_fragment_is_kept_per_language(fragment_template, study_session):
    calls, context = _render_count()
    english = cached_fragment(*_fragment(), context)
    with translation.override("ko"):
        korean = cached_fragment(*_fragment(), context)
    assert (english, korean) == ("Sessions 1", "모임 2")


def test_cached_fragment_is_kept_per_key_part(fragment_template, study_session):
    calls, context = _render_count()
    one = cached_fragment(*_fragment(parts=[1]), context)
    two = cached_fragment(*_fragment(parts=[2]), context)
    assert (one, two, len(calls)) == ("Sessions 1", "Sessions 2", 2)


def test_cached_with_own_links_renders_a_copy_only_for_owners(study_session, member, presenter):
    rendered = []

    def render(viewer):
        rendered.append(viewer)
        return (f"links of {viewer.username}" if viewer else "no links"), {presenter.pk}

    def page_for(user):
        request = RequestFactory().get("/")
        request.user = user
        return cached_with_own_links(request, "test-links", [study_session.pk], render)

    seen = [page_for(member), page_for(presenter), page_for(member), page_for(presenter)]
    assert seen == ["no links", "links of presenter", "no links", "links of presenter"]
    assert rendered == [None, presenter]


@pytest.mark.django_db(transaction=True)
def test_content_version_lets_concurrent_writers_cross_without_deadlock():
    """Writers that touch the same rows in opposite orders queue on the
    version row (taken first) instead of deadlocking; every write counts."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time anyway")
    sessions = factories.StudySessionFactory.create_batch(2)
    talk = factories.PresentationFactory(session=sessions[0])
    questions = factories.QuestionFactory.create_batch(2, presentation=talk)
    errors, rounds, workers = [], 15, 6

    def write(seed):
        try:
            for round_ in range(rounds):
                with transaction.atomic():
                    steps = [
                        lambda round_=round_: StudySession.objects.filter(
                            pk=sessions[round_ % 2].pk
                        ).update(place=f"{seed}-{round_}"),
                        lambda round_=round_: Question.objects.filter(
                            pk=questions[round_ % 2].pk
                        ).update(position=round_),
                    ]
                    for step in steps if seed % 2 else reversed(steps):
                        step()
        except Exception as error:  # reported below, with the others
            errors.append(repr(error))
        finally:
            connection.close()

    before = ContentVersion.objects.current()[1]
    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (errors, ContentVersion.objects.current()[1] - before) == ([], workers * rounds * 2)
