"""Simultaneous submits, in threads on PostgreSQL: one wins, the others get
a form message; never a 500, a duplicate row or a lost edit.

Every submit waits, once its form is validated, until all of them are: then
they save at the same moment, the race a double click or two editors make.
tests/views/test_edit_conflicts.py covers the same races in one thread, on
SQLite too.
"""

import threading

import pytest
from django.db import connection
from django.forms import BaseForm
from django.urls import reverse

from sessions.models import Presentation, Reflection
from tests import factories
from tests.editing import EDIT_KINDS, form_data, opened_form, window

pytestmark = pytest.mark.django_db(transaction=True)

SUBMITS = 6
CONFLICT = (
    "Someone changed this after you opened the form (maybe you, in another window). "
    "Your text is still in the form, and what is saved now is shown below it. "
    "Compare the two; saving again replaces the saved version with yours."
)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the SQLite test database lives in memory, shared between "
            "threads under table locks that fail at once instead of making writers queue"
        )


@pytest.fixture
def validated_together(monkeypatch):
    """`validated_together(n)`: each of the next `n` submits, once its form
    is validated, waits for the others before it saves."""

    def arrange(parties):
        barrier = threading.Barrier(parties, timeout=30)
        validate = BaseForm.is_valid

        def is_valid(form):
            valid = validate(form)
            if form.is_bound:
                barrier.wait()
            return valid

        monkeypatch.setattr(BaseForm, "is_valid", is_valid)

    return arrange


def at_once(posts):
    """Send each of `posts` (client, url, data) from its own thread and
    return their (status, page) in order."""
    results = [None] * len(posts)

    def run(index, client, url, data):
        # A server error is a 500 page: the test client's re-raising of a
        # request's exception is shared between the threads' clients.
        client.raise_request_exception = False
        try:
            response = client.post(url, data)
            results[index] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, *post)) for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_topic_posted_at_once_makes_one_talk_and_topic_errors(validated_together):
    session = factories.StudySessionFactory()
    url = reverse("study:talk-create", args=session.url_args)
    posters = factories.MemberFactory.create_batch(SUBMITS)
    windows = [window(poster) for poster in posters]
    validated_together(SUBMITS)
    results = at_once(
        [
            (w, url, {"topic": "확산 모델 입문", "presenters": [poster.pk]})
            for w, poster in zip(windows, posters)
        ]
    )
    assert sorted(status for status, page in results) == [200] * (SUBMITS - 1) + [302]
    refused = [page for status, page in results if status == 200]
    assert all(
        "This session already has a talk called “확산 모델 입문”." in page for page in refused
    )
    assert Presentation.objects.filter(session=session).count() == 1


def test_first_reflection_posted_at_once_makes_one_and_edit_conflicts(validated_together):
    reflection_session, author = factories.StudySessionFactory(), factories.MemberFactory()
    url = reverse("study:reflection-edit", args=reflection_session.url_args)
    windows = [window(author) for _ in range(SUBMITS)]
    forms = [opened_form(w, url) for w in windows]
    validated_together(SUBMITS)
    results = at_once(
        [(w, url, {**data, "body": f"소감 {n}"}) for n, (w, data) in enumerate(zip(windows, forms))]
    )
    statuses = [status for status, page in results]
    assert sorted(statuses) == [200] * (SUBMITS - 1) + [302]
    assert Reflection.objects.get().body == f"소감 {statuses.index(302)}"
    for n, (status, page) in enumerate(results):
        if status == 200:
            assert CONFLICT in page
            # Each keeps its own text in the input.
            assert form_data(page)["body"] == f"소감 {n}"


@pytest.mark.parametrize("kind", EDIT_KINDS)
def test_two_edits_at_once_one_wins_and_the_other_gets_the_conflict(kind, validated_together):
    edit = EDIT_KINDS[kind]()
    first, second = opened_form(edit.first, edit.url), opened_form(edit.second, edit.url)
    texts = ["첫 번째 사람의 글", "두 번째 사람의 글"]
    validated_together(2)
    results = at_once(
        [
            (edit.first, edit.url, {**first, edit.field: texts[0]}),
            (edit.second, edit.url, {**second, edit.field: texts[1]}),
        ]
    )
    statuses = [status for status, page in results]
    assert sorted(statuses) == [200, 302]
    winner, loser = statuses.index(302), statuses.index(200)
    assert edit.stored() == texts[winner]
    page = results[loser][1]
    assert CONFLICT in page
    assert form_data(page)[edit.field] == texts[loser]
    assert f'<dd class="edit-conflict-text">{texts[winner]}</dd>' in page
