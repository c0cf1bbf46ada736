"""Notifications: who is told of what, the inbox, preferences, digests,
unsubscribing, and the member's language."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sessions import notifications
from sessions.models import Delivery, Notification, NotificationKind, NotificationPreference
from sessions.notifications import notify
from sessions.tasks import send_digests
from tests import factories


@pytest.fixture
def question(talk, member, presenter):
    return factories.QuestionFactory(
        presentation=talk, asked_by=member, addressed_to=presenter, body="왜 √d 로 나누나요?"
    )


def ask(client, talk, to, body="왜 √d 로 나누나요?"):
    return client.post(
        reverse("study:question-create", args=[talk.pk]), {"addressed_to": to.pk, "body": body}
    )


def bell(html):
    """The unread count the bell shows, 0 when it shows none."""
    match = re.search(r'<span class="bell-count" data-unread="(\d+)">', html)
    return int(match.group(1)) if match else 0


# Who is told ----------------------------------------------------------------


def test_question_notifies_the_presenter_it_is_addressed_to(
    member_client, member, presenter, talk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(member_client, talk, presenter)
    assert response.status_code == 302
    [notification] = Notification.objects.all()
    assert (notification.kind, notification.recipient, notification.actor) == (
        "question",
        presenter,
        member,
    )
    assert notification.target.body == "왜 √d 로 나누나요?"
    assert notification.email == Notification.Email.PENDING
    assert notification.sentence == "조회원 asked you a question about “셀프 어텐션”"
    # The email waits in the queue for the worker.
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.args_kwargs["args"]) == (
        "sessions.tasks.send_notification",
        [notification.pk],
    )


def test_own_question_to_oneself_notifies_nobody(presenter_client, presenter, talk):
    ask(presenter_client, talk, presenter)
    assert Notification.objects.count() == 0


def test_answer_notifies_the_asker_not_the_answerer(presenter_client, presenter, member, question):
    response = presenter_client.post(
        reverse("study:answer-create", args=[question.pk]), {"body": "스케일 때문입니다."}
    )
    assert response.status_code == 302
    [notification] = Notification.objects.all()
    assert (notification.kind, notification.recipient, notification.actor) == (
        "answer",
        member,
        presenter,
    )
    assert notification.target == question.answers.get()


def test_answer_to_an_anonymous_legacy_question_notifies_nobody(presenter_client, talk, presenter):
    legacy = factories.QuestionFactory(presentation=talk, asked_by=None, addressed_to=presenter)
    presenter_client.post(reverse("study:answer-create", args=[legacy.pk]), {"body": "답"})
    assert Notification.objects.count() == 0


def test_notify_skips_the_actor_inactive_members_and_events_told_before(
    member, presenter, organizer, question
):
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    created = notify("question", [presenter, member, organizer], actor=member, target=question)
    assert [n.recipient for n in created] == [presenter]
    assert notify("question", [presenter], actor=member, target=question) == []
    assert Notification.objects.count() == 1


def test_notify_rejects_an_unknown_kind(member, presenter, question):
    with pytest.raises(ValueError):
        notify("slot_eaten", [presenter], actor=member, target=question)


# Preferences ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivery", "state"),
    [
        (Delivery.AT_ONCE, Notification.Email.PENDING),
        (Delivery.DIGEST, Notification.Email.DIGEST),
        (Delivery.NEVER, Notification.Email.NONE),
    ],
)
def test_preference_decides_the_email(
    delivery, state, member, presenter, question, django_capture_on_commit_callbacks
):
    NotificationPreference.choose(presenter, NotificationKind.QUESTION, delivery)
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify("question", [presenter], actor=member, target=question)
    assert notification.email == state
    assert DBTaskResult.objects.count() == (1 if delivery == Delivery.AT_ONCE else 0)


def test_preference_of_one_kind_leaves_the_others_at_their_default(presenter):
    NotificationPreference.choose(presenter, NotificationKind.ANSWER, Delivery.NEVER)
    assert NotificationPreference.of_member(presenter) == {
        NotificationKind.QUESTION: Delivery.AT_ONCE,
        NotificationKind.ANSWER: Delivery.NEVER,
        NotificationKind.SESSION_REMINDER: Delivery.AT_ONCE,
        NotificationKind.SLOT_OPENED: Delivery.DIGEST,
        NotificationKind.SLOT_ASSIGNED: Delivery.AT_ONCE,
        NotificationKind.SLOT_GIVEN_BACK: Delivery.AT_ONCE,
        NotificationKind.NOMINATION_SCHEDULED: Delivery.DIGEST,
        NotificationKind.ACTION_ITEM: Delivery.AT_ONCE,
    }


def test_member_without_email_is_notified_in_the_app_only(member, presenter, question):
    presenter.email = ""
    presenter.save(update_fields=["email"])
    [notification] = notify("question", [presenter], actor=member, target=question)
    assert notification.email == Notification.Email.NONE


def test_preferences_page_saves_the_radio_choices(presenter_client, presenter):
    response = presenter_client.get(reverse("study:notification-preferences"))
    assert 'type="radio" name="question" value="at_once"' in response.content.decode()
    response = presenter_client.post(
        reverse("study:notification-preferences"),
        {
            "question": "digest",
            "answer": "never",
            "session_reminder": "at_once",
            "slot_opened": "digest",
            "slot_assigned": "at_once",
            "slot_given_back": "at_once",
            "nomination_scheduled": "digest",
            "action_item": "at_once",
        },
    )
    assert response.status_code == 302
    assert NotificationPreference.of_member(presenter) == {
        NotificationKind.QUESTION: Delivery.DIGEST,
        NotificationKind.ANSWER: Delivery.NEVER,
        NotificationKind.SESSION_REMINDER: Delivery.AT_ONCE,
        NotificationKind.SLOT_OPENED: Delivery.DIGEST,
        NotificationKind.SLOT_ASSIGNED: Delivery.AT_ONCE,
        NotificationKind.SLOT_GIVEN_BACK: Delivery.AT_ONCE,
        NotificationKind.NOMINATION_SCHEDULED: Delivery.DIGEST,
        NotificationKind.ACTION_ITEM: Delivery.AT_ONCE,
    }
    # A choice equal to the default stores no row.
    assert NotificationPreference.objects.filter(member=presenter).count() == 2


def test_preferences_page_refuses_an_unknown_choice(presenter_client, presenter):
    response = presenter_client.post(
        reverse("study:notification-preferences"),
        {"question": "hourly", "answer": "never", "session_reminder": "at_once"},
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert NotificationPreference.objects.count() == 0


# The inbox and the bell -----------------------------------------------------


def test_bell_counts_unread_and_inbox_links_to_the_question(
    presenter_client, member, presenter, question
):
    [notification] = notify(
        "question", [presenter], actor=member, target=question, label="셀프 어텐션"
    )
    inbox = presenter_client.get(reverse("study:notification-list")).content.decode()
    assert bell(inbox) == 1
    open_url = reverse("study:notification-open", args=[notification.pk])
    assert f'<a href="{open_url}">조회원 asked you a question about “셀프 어텐션”</a>' in inbox
    response = presenter_client.get(open_url)
    assert response.url == question.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert bell(presenter_client.get(reverse("study:home")).content.decode()) == 0


def test_bell_counts_only_the_members_own_unread_after_a_password_login(
    client, member, presenter, question
):
    other_question = factories.QuestionFactory(presentation=question.presentation)
    [read] = notify("question", [presenter], actor=member, target=question)
    notify("question", [presenter], actor=member, target=other_question)
    notify("question", [member], actor=presenter, target=question)
    Notification.objects.filter(pk=read.pk).mark_read()
    response = client.post(
        reverse("login"),
        {"username": presenter.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert bell(client.get(reverse("study:home")).content.decode()) == 1


def test_notification_of_someone_else_is_404(member_client, member, presenter, question):
    [notification] = notify("question", [presenter], actor=member, target=question)
    response = member_client.get(reverse("study:notification-open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_a_notification_of_a_deleted_question_returns_to_the_inbox(
    presenter_client, member, presenter, question
):
    [notification] = notify("question", [presenter], actor=member, target=question)
    question.delete()
    response = presenter_client.get(
        reverse("study:notification-open", args=[notification.pk]), follow=True
    )
    assert response.redirect_chain == [(reverse("study:notification-list"), 302)]
    assert "What this notification was about has been deleted." in response.content.decode()


def test_inbox_is_newest_first_grouped_by_day_and_paginated(
    presenter_client, presenter, member, talk
):
    now = timezone.now()
    for days_ago in range(35):
        question = factories.QuestionFactory(
            presentation=talk, asked_by=member, addressed_to=presenter
        )
        [n] = notify(
            "question", [presenter], actor=member, target=question, label=f"topic {days_ago}"
        )
        Notification.objects.filter(pk=n.pk).update(
            created_at=now - datetime.timedelta(days=days_ago)
        )
    first = presenter_client.get(reverse("study:notification-list"))
    assert [day for day, items in first.context["days"]][:2] == [
        timezone.localdate(now),
        timezone.localdate(now - datetime.timedelta(days=1)),
    ]
    assert [len(items) for day, items in first.context["days"]] == [1] * 30
    assert "topic 0" in first.content.decode() and "topic 30" not in first.content.decode()
    second = presenter_client.get(reverse("study:notification-list") + "?page=2")
    assert sum(len(items) for day, items in second.context["days"]) == 5


@pytest.mark.parametrize("count", [3, 40])
def test_inbox_query_count_does_not_grow(
    count, presenter_client, presenter, member, talk, django_assert_num_queries
):
    for _ in range(count):
        question = factories.QuestionFactory(
            presentation=talk, asked_by=member, addressed_to=presenter
        )
        notify("question", [presenter], actor=member, target=question, label=talk.topic)
    # session, user, the inbox's count, its page with the actors
    with django_assert_num_queries(4):
        response = presenter_client.get(reverse("study:notification-list"))
    assert response.content.decode().count('class="notification unread"') == min(count, 30)


def test_mark_all_read_is_a_post_for_ones_own_notifications(
    presenter_client, member_client, member, presenter, question
):
    notify("question", [presenter], actor=member, target=question)
    answer = factories.AnswerFactory(question=question, author=presenter)
    notify("answer", [member], actor=presenter, target=answer)
    assert presenter_client.get(reverse("study:notification-read-all")).status_code == 405
    response = presenter_client.post(reverse("study:notification-read-all"))
    assert response.status_code == 302
    assert Notification.objects.get(recipient=presenter).read_at is not None
    assert Notification.objects.get(recipient=member).read_at is None


# Emails -----------------------------------------------------------------------


def test_email_is_in_the_recipients_language_with_unsubscribe_headers(member, presenter, question):
    presenter.language = "en"
    presenter.save(update_fields=["language"])
    member.language = "ko"
    member.save(update_fields=["language"])
    [to_presenter] = notify(
        "question", [presenter], actor=member, target=question, label="셀프 어텐션"
    )
    answer = factories.AnswerFactory(question=question, author=presenter, body="스케일 때문입니다.")
    [to_member] = notify("answer", [member], actor=presenter, target=answer, label="셀프 어텐션")
    assert notifications.send_notification_email(to_presenter.pk) == notifications.Outcome.SENT
    assert notifications.send_notification_email(to_member.pk) == notifications.Outcome.SENT
    english, korean = mail.outbox
    assert english.to == ["presenter@example.org"]
    assert english.subject == "조회원 asked you a question about “셀프 어텐션”"
    assert "Hello 강발표," in english.body and "왜 √d 로 나누나요?" in english.body
    assert f"http://127.0.0.1:8000/notifications/{to_presenter.pk}/open/" in english.body
    assert korean.subject == "강발표 님이 “셀프 어텐션”에 대한 내 질문에 답했습니다"
    assert "스케일 때문입니다." in korean.body
    for message in (english, korean):
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        assert re.fullmatch(r"<http://127\.0\.0\.1:8000/unsubscribe/[^/>]+/>", unsubscribe)
        assert unsubscribe[1:-1] in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Sent means sent: a second task for the same row sends nothing.
    assert (
        notifications.send_notification_email(to_presenter.pk)
        == notifications.Outcome.NOTHING_TO_DO
    )
    assert len(mail.outbox) == 2


def test_digest_groups_a_days_items_into_one_email(member, presenter, organizer, talk):
    NotificationPreference.choose(presenter, NotificationKind.QUESTION, Delivery.DIGEST)
    NotificationPreference.choose(presenter, NotificationKind.ANSWER, Delivery.DIGEST)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for asker in (member, organizer):
        question = factories.QuestionFactory(
            presentation=talk, asked_by=asker, addressed_to=presenter
        )
        notify("question", [presenter], actor=asker, target=question, label="셀프 어텐션")
    mine = factories.QuestionFactory(presentation=talk, asked_by=presenter, addressed_to=organizer)
    answer = factories.AnswerFactory(question=mine, author=organizer)
    notify("answer", [presenter], actor=organizer, target=answer, label="셀프 어텐션")
    Notification.objects.filter(recipient=presenter).update(created_at=yesterday)
    # Today's item waits for tomorrow's digest.
    today = factories.QuestionFactory(presentation=talk, asked_by=member, addressed_to=presenter)
    [later] = notify("question", [presenter], actor=member, target=today, label="오늘")

    assert notifications.send_digests() == 1
    [digest] = mail.outbox
    assert digest.to == ["presenter@example.org"]
    assert digest.subject == "스터디 알림 3건"
    day = timezone.localdate(yesterday)
    assert f"{day.year}. {day.month:02d}. {day.day:02d}." in digest.body
    assert digest.body.count("- 조회원 님이 “셀프 어텐션”에 대해 질문했습니다") == 1
    assert digest.body.count("- 정운영 님이 “셀프 어텐션”에 대해 질문했습니다") == 1
    assert digest.body.count("- 정운영 님이 “셀프 어텐션”에 대한 내 질문에 답했습니다") == 1
    assert "오늘" not in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert set(
        Notification.objects.filter(recipient=presenter).values_list("email", flat=True)
    ) == {
        Notification.Email.SENT,
        Notification.Email.DIGEST,
    }
    later.refresh_from_db()
    assert later.email == Notification.Email.DIGEST
    # A second run the same day sends nothing again.
    assert notifications.send_digests() == 0
    assert len(mail.outbox) == 1


def test_digest_task_requeues_lost_emails_and_sends_digests(member, presenter, question):
    [pending] = notify("question", [presenter], actor=member, target=question)
    Notification.objects.filter(pk=pending.pk).update(
        email_queued_at=timezone.now() - notifications.LOST_AFTER - datetime.timedelta(minutes=1)
    )
    assert send_digests.call() == {"digests": 0, "requeued": 1}
    assert DBTaskResult.objects.filter(task_path="sessions.tasks.send_notification").count() == 1


# Unsubscribing --------------------------------------------------------------


def unsubscribe_path(member, kind):
    return urlsplit(notifications.unsubscribe_url(member, kind)).path


def test_unsubscribe_link_works_logged_out(presenter, member, question):
    client = Client()
    path = unsubscribe_path(presenter, NotificationKind.QUESTION)
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop the emails to 강발표 about:" in page.content.decode()
    assert NotificationPreference.objects.count() == 0
    done = client.post(path)
    assert done.status_code == 200
    assert "Done: 강발표 gets no more emails about:" in done.content.decode()
    assert NotificationPreference.of_member(presenter)[NotificationKind.QUESTION] == Delivery.NEVER
    assert NotificationPreference.of_member(presenter)[NotificationKind.ANSWER] == Delivery.AT_ONCE
    [notification] = notify("question", [presenter], actor=member, target=question)
    assert notification.email == Notification.Email.NONE


def test_one_click_unsubscribe_post_from_a_mail_program(presenter):
    """RFC 8058: the mail program POSTs this body, with no cookie and no CSRF token."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_path(presenter, notifications.ALL_KINDS),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert set(NotificationPreference.of_member(presenter).values()) == {Delivery.NEVER}


def test_unsubscribe_link_changes_only_its_owner(presenter, member, member_client):
    """Whoever opens it (here another member, logged in), the link stops its owner's emails."""
    member_client.post(unsubscribe_path(presenter, NotificationKind.ANSWER))
    assert NotificationPreference.of_member(member)[NotificationKind.ANSWER] == Delivery.AT_ONCE
    assert NotificationPreference.of_member(presenter)[NotificationKind.ANSWER] == Delivery.NEVER


def test_unsubscribe_also_drops_what_waits_for_the_digest(presenter, member, question):
    NotificationPreference.choose(presenter, NotificationKind.QUESTION, Delivery.DIGEST)
    [waiting] = notify("question", [presenter], actor=member, target=question)
    Client().post(unsubscribe_path(presenter, NotificationKind.QUESTION))
    waiting.refresh_from_db()
    assert waiting.email == Notification.Email.NONE


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("nonsense", id="garbage"),
        pytest.param(
            lambda p: unsubscribe_path(p, "question").split("/")[2][:-3] + "abc", id="damaged"
        ),
        pytest.param(
            lambda p: signing.dumps({"m": p.pk, "k": "question"}, salt="another purpose"),
            id="other-salt",
        ),
        pytest.param(
            lambda p: signing.dumps(
                {"m": p.pk, "k": "question"},
                key="not-our-secret",
                salt=notifications.UNSUBSCRIBE_SALT,
            ),
            id="forged",
        ),
        pytest.param(
            lambda p: notifications.unsubscribe_token(p, "no_such_kind"), id="unknown-kind"
        ),
    ],
)
def test_bad_or_forged_unsubscribe_token_is_404(token, presenter):
    token = token(presenter) if callable(token) else token
    client = Client()
    assert client.get(reverse("study:unsubscribe", args=[token])).status_code == 404
    assert client.post(reverse("study:unsubscribe", args=[token])).status_code == 404
    assert NotificationPreference.objects.count() == 0


def test_unsubscribe_token_of_a_deleted_member_is_404(presenter):
    path = unsubscribe_path(presenter, "question")
    presenter.delete()
    assert Client().post(path).status_code == 404


# The member's language --------------------------------------------------------


def test_language_switcher_saves_a_logged_in_members_language(presenter_client, presenter):
    presenter_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    presenter.refresh_from_db()
    assert presenter.language == "en"
    presenter_client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    presenter.refresh_from_db()
    assert presenter.language == "en"


def test_session_reminder_email_lists_the_talks_in_the_members_language(
    member, presenter, study_session, talk
):
    member.language = "en"
    member.save(update_fields=["language"])
    [notification] = notify(
        "session_reminder", [member], actor=None, target=study_session, label="6주차"
    )
    notifications.send_notification_email(notification.pk)
    [message] = mail.outbox
    assert message.subject == "Tomorrow: 6주차"
    assert "- 셀프 어텐션 (강발표)" in message.body
    assert "You have not said whether you are coming." in message.body
