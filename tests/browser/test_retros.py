"""The retrospective board end to end in Chromium: cards, anonymity, votes,
an action item that follows its owner to the next session until it is done."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import ActionItem, Card, CardVote
from tests import factories

from .support import page_problems, save_screenshot
from .test_scenarios import path_of, submit

pytestmark = pytest.mark.browser


def add_card(page, board_url, column, text, anonymous=False):
    page.goto(board_url)
    page.select_option("#id_column", column)
    page.fill("#id_body", text)
    if anonymous:
        page.check("#id_anonymous")
    submit(page)


def test_members_fill_the_board_and_an_action_item_follows_its_owner_until_done(new_page):
    today = timezone.localdate()
    session = factories.StudySessionFactory(number=6, date=today - datetime.timedelta(days=1))
    following = factories.StudySessionFactory(
        season=session.season, number=7, date=today + datetime.timedelta(days=6)
    )
    kim = factories.MemberFactory(username="kim", display_name="김민지", emoji="🐱")
    lee = factories.MemberFactory(username="lee", display_name="이서준", emoji="🐼")
    for person in (kim, lee):
        factories.SeasonMembershipFactory(season=session.season, member=person)
    organizer = factories.OrganizerFactory(username="organizer", display_name="정운영")
    board_url = reverse("study:retro-board", args=session.url_args)

    # Two members add cards, one of them anonymously, and vote.
    kim_page, kim_watch = new_page(user=kim)
    add_card(kim_page, board_url, "keep", "질문을 미리 모은 것")
    add_card(kim_page, board_url, "try", "다음 모임 전에 **자료를 미리** 올리자")
    lee_page, lee_watch = new_page(user=lee, width=375)
    add_card(lee_page, board_url, "problem", "시간이 부족했다", anonymous=True)
    secret = Card.objects.get(body="시간이 부족했다")
    try_card = Card.objects.get(column="try")
    assert (secret.author, secret.anonymous) == (lee, True)

    with lee_page.expect_navigation():
        lee_page.locator(f"#card-{try_card.pk} .vote-button").click()
    expect(lee_page.locator(f"#card-{try_card.pk} .vote-count")).to_have_text("1")
    expect(lee_page.locator(f"#card-{try_card.pk} .vote-button")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The author sees their anonymous card as theirs, with its edit link.
    expect(lee_page.locator(f"#card-{secret.pk} .card-author")).to_contain_text("이서준")
    expect(lee_page.locator(f"#card-{secret.pk}")).to_contain_text("수정")
    save_screenshot(lee_page, "retro-board-member-375")

    kim_page.goto(board_url)
    with kim_page.expect_navigation():
        kim_page.locator(f"#card-{secret.pk} .vote-button").click()
    # Others see the anonymous card without its author.
    expect(kim_page.locator(f"#card-{secret.pk} .card-author")).to_have_text("익명")
    expect(kim_page.locator(f"#card-{secret.pk}")).not_to_contain_text("이서준")
    assert sorted(CardVote.objects.values_list("card__body", "member__username")) == [
        ("다음 모임 전에 **자료를 미리** 올리자", "lee"),
        ("시간이 부족했다", "kim"),
    ]

    # The organizer makes the Try card an action item for the next session.
    org_page, org_watch = new_page(user=organizer)
    org_page.goto(board_url)
    expect(org_page.locator(f"#card-{secret.pk}")).not_to_contain_text("이서준")
    with org_page.expect_navigation():
        org_page.locator(f"#card-{try_card.pk} a", has_text="실천 항목으로 만들기").click()
    expect(org_page.locator("#id_title")).to_have_value("다음 모임 전에 **자료를 미리** 올리자")
    org_page.fill("#id_title", "자료 미리 올리기")
    org_page.select_option("#id_owner", str(kim.pk))
    expect(org_page.locator("#id_due_session")).to_have_value(str(following.pk))
    submit(org_page)
    item = ActionItem.objects.get()
    assert (item.card, item.owner, item.due_session, item.status) == (
        try_card,
        kim,
        following,
        "open",
    )

    # The next session's page and the owner's home show it.
    org_page.goto(following.get_absolute_url())
    expect(org_page.locator("#retrospective .action-item")).to_contain_text("자료 미리 올리기")
    kim_page.goto(reverse("study:home"))
    expect(kim_page.locator("#open-items .action-item")).to_contain_text("자료 미리 올리기")
    save_screenshot(kim_page, "home-action-item-1280")

    # The owner marks it done: it leaves both.
    with kim_page.expect_navigation():
        kim_page.locator("#open-items .action-item a").click()
    submit(kim_page, "main form")
    assert path_of(kim_page) == following.get_absolute_url()
    expect(kim_page.locator("#retrospective .action-item")).to_have_count(0)
    item.refresh_from_db()
    assert (item.status, item.resolved_by) == ("done", kim)
    kim_page.goto(reverse("study:home"))
    expect(kim_page.locator("#open-items .action-item")).to_have_count(0)
    org_page.goto(following.get_absolute_url())
    expect(org_page.locator("#retrospective .action-item")).to_have_count(0)

    assert page_problems(kim_page) == []
    assert kim_watch.take() + lee_watch.take() + org_watch.take() == []
