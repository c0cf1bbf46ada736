"""Edit as a person does: open a form page, change some fields, save.

`opened_form` reads the page's form (`class="stacked-form"`) and returns
what a browser would send for it unchanged, hidden fields included, so that
tests post exactly what someone who opened the form at that moment posts.

`EDIT_KINDS` are the edit forms that save only over the version they were
opened on (sessions/forms/concurrency.py), each as a way to make an object
and two people (or one person in two windows) who may edit its text.
"""

from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse

from sessions.models import Answer, Card, Member, Presentation, Question, Reflection, StudySession
from tests import factories

# Inputs whose value a browser does not send as typed text.
_NOT_SENT = {"submit", "button", "reset", "file", "image"}


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._fields = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = [] if "stacked-form" in (attrs.get("class") or "").split() else None
        elif self._fields is None:
            return
        elif tag == "option" and self._select is not None:
            self._select[1].append((attrs.get("value", ""), "selected" in attrs))
        elif "name" not in attrs or "disabled" in attrs:
            return
        elif tag == "input" and (attrs.get("type") or "text").lower() not in _NOT_SENT:
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._fields.append((attrs["name"], attrs.get("value", "on")))
            else:
                self._fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = (attrs["name"], [])
        elif tag == "select":
            self._select = (attrs["name"], [], "multiple" in attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # A browser drops the newline that starts a textarea's content.
            self._fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options, multiple = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not multiple:
                # A single choice with none selected sends its first option.
                chosen = [options[0][0]]
            self._fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "form" and self._fields is not None:
            self.forms.append(self._fields)
            self._fields = None


def form_data(html):
    """What the page's one editing form sends unchanged: {name: value, or a
    list of values for a name sent more than once}."""
    reader = _FormReader()
    reader.feed(html)
    (fields,) = reader.forms
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def opened_form(client, url):
    """Open the form page `url` as `client` and return what its form sends
    unchanged (see `form_data`)."""
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode())


def window(user):
    """A browser window where `user` is logged in (a person may open two)."""
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Edit:
    """An object's edit form, two windows open on it, and its text."""

    url: str
    first: Client
    second: Client
    # The text field both windows change, its label, and its stored value.
    field: str
    label: str
    stored: Callable[[], str]


def talk_edit():
    presenter, organizer = factories.MemberFactory(), factories.OrganizerFactory()
    talk = factories.PresentationFactory(presenters=[presenter], summary="처음 요약")
    return Edit(
        reverse("study:talk-edit", args=[talk.pk]),
        window(presenter),
        window(organizer),
        "summary",
        "Summary",
        lambda: Presentation.objects.get(pk=talk.pk).summary,
    )


def question_edit():
    question = factories.QuestionFactory(body="처음 질문")
    return Edit(
        reverse("study:question-edit", args=[question.pk]),
        window(question.asked_by),
        window(question.asked_by),
        "body",
        "Question",
        lambda: Question.objects.get(pk=question.pk).body,
    )


def answer_edit():
    answer = factories.AnswerFactory(body="처음 답")
    return Edit(
        reverse("study:answer-edit", args=[answer.pk]),
        window(answer.author),
        window(answer.author),
        "body",
        "Answer",
        lambda: Answer.objects.get(pk=answer.pk).body,
    )


def reflection_edit():
    reflection = factories.ReflectionFactory(body="처음 소감")
    return Edit(
        reverse("study:reflection-edit", args=reflection.session.url_args),
        window(reflection.author),
        window(reflection.author),
        "body",
        "Your reflection",
        lambda: Reflection.objects.get(pk=reflection.pk).body,
    )


def journal_edit():
    entry = factories.JournalEntryFactory(
        body="처음 일지", tags=[factories.TagFactory(name="복습")]
    )
    return Edit(
        reverse("study:journal-edit", args=[entry.pk]),
        window(entry.author),
        window(entry.author),
        "body",
        "Text",
        lambda: Reflection.objects.get(pk=entry.pk).body,
    )


def session_edit():
    session = factories.StudySessionFactory(notes="처음 안내")
    return Edit(
        reverse("study:session-edit", args=session.url_args),
        window(factories.OrganizerFactory()),
        window(factories.OrganizerFactory()),
        "notes",
        "Notes",
        lambda: StudySession.objects.get(pk=session.pk).notes,
    )


def profile_edit():
    member = factories.MemberFactory(bio="처음 소개")
    return Edit(
        reverse("study:profile-edit"),
        window(member),
        window(member),
        "bio",
        "Bio",
        lambda: Member.objects.get(pk=member.pk).bio,
    )


def card_edit():
    card = factories.CardFactory(body="처음 카드")
    return Edit(
        reverse("study:card-edit", args=[card.pk]),
        window(card.author),
        window(card.author),
        "body",
        "Card",
        lambda: Card.objects.get(pk=card.pk).body,
    )


EDIT_KINDS = {
    "talk": talk_edit,
    "question": question_edit,
    "answer": answer_edit,
    "reflection": reflection_edit,
    "journal entry": journal_edit,
    "profile": profile_edit,
    "session": session_edit,
    "card": card_edit,
}
