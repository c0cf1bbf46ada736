"""Notifications end to end: a question and its answer each tell the other
person, in the header's bell, the inbox and an email in their language."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from sessions.models import Question
from tests.worker import run_worker

from .support import save_screenshot

pytestmark = pytest.mark.browser


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").last.click()


def test_question_and_answer_ring_each_others_bell_and_email_in_their_language(
    new_page, talk, member, presenter
):
    # A (the member) reads in English: the switcher saves it for their emails.
    asking, asking_watch = new_page(user=member)
    asking.goto(talk.get_absolute_url())
    with asking.expect_navigation():
        asking.locator(".language-switcher button[value=en]").click()
    member.refresh_from_db()
    assert member.language == "en"
    asking.fill("#ask textarea[name=body]", "잔차 연결이 없으면 어떻게 되나요?")
    submit(asking, "#ask form")
    question = Question.objects.get()
    expect(asking.locator(".bell-count")).to_have_count(0)

    # B (the presenter) sees 1 on the bell; the inbox links to the question.
    answering, answering_watch = new_page(user=presenter)
    answering.goto(reverse("study:home"))
    expect(answering.locator(".bell-count")).to_have_text("1")
    answering.locator("a.bell").click()
    answering.wait_for_url(re.compile(re.escape(reverse("study:notification-list"))))
    item = answering.locator("li.notification.unread a")
    expect(item).to_have_text("조회원 님이 “셀프 어텐션”에 대해 질문했습니다")
    save_screenshot(answering, "notifications-inbox")
    item.click()
    answering.wait_for_url(re.compile(re.escape(question.get_absolute_url())))
    assert urlsplit(answering.url).fragment == f"question-{question.pk}"
    expect(answering.locator(".bell-count")).to_have_count(0)

    # B answers; A's bell shows 1.
    answering.goto(reverse("study:answer-create", args=[question.pk]))
    answering.fill("#id_body", "기울기가 깊은 층까지 잘 전달되지 않습니다.")
    submit(answering, "main form.stacked-form")
    asking.goto(reverse("study:home"))
    expect(asking.locator(".bell-count")).to_have_text("1")
    expect(asking.locator("a.bell")).to_have_attribute("aria-label", "Notifications: 1 unread")

    # The worker sends both emails, each in its reader's language.
    run_worker()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == ["member@example.org", "presenter@example.org"]
    to_asker = by_recipient["member@example.org"]
    assert to_asker.subject == "강발표 answered your question about “셀프 어텐션”"
    assert "Hello 조회원," in to_asker.body
    assert "기울기가 깊은 층까지 잘 전달되지 않습니다." in to_asker.body
    assert (
        by_recipient["presenter@example.org"].subject
        == "조회원 님이 “셀프 어텐션”에 대해 질문했습니다"
    )
    assert to_asker.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert asking_watch.take() == []
    assert answering_watch.take() == []
