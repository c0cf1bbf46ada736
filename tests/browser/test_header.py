"""The site header: one short line on a phone, with the navigation behind a
menu button that opens without JavaScript, and one line on a desktop, in
Korean and in English, for a staff member (who has the extra "Admin" link)
with unread notifications (a wider bell)."""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from playwright.sync_api import expect

from sessions.models import Member, Notification, NotificationKind
from tests import factories

from .support import page_problems, save_screenshot

pytestmark = pytest.mark.browser

# Korean by the browser's Accept-Language (the fixture's ko-KR), English by
# the cookie the language switcher sets.
LANGUAGES = ["ko", "en"]
NAV = {
    "ko": ["홈", "모임", "논문", "멤버", "공부 일지", "참여 현황", "내 프로필", "관리", "로그아웃"],
    "en": [
        "Home",
        "Sessions",
        "Papers",
        "Members",
        "Journal",
        "Participation",
        "My profile",
        "Admin",
        "Log out",
    ],
}
MENU = {"ko": "메뉴", "en": "Menu"}
PAPERS = {"ko": "논문", "en": "Papers"}
# At most about 64 px tall on a phone (closed) and on a desktop.
MAX_HEADER_HEIGHT = 64
# Items on one line: their vertical middles this close to each other.
SAME_LINE_PX = 4


@pytest.fixture
def staff(db):
    """An organizer with the admin's link and a two-digit count on the bell."""
    person = factories.OrganizerFactory(
        username="staff", display_name="한관리", emoji="🦁", is_staff=True
    )
    target_type = ContentType.objects.get_for_model(Member)
    Notification.objects.bulk_create(
        Notification(
            kind=NotificationKind.values[0],
            recipient=person,
            target_type=target_type,
            target_id=number,
        )
        for number in range(1, 13)
    )
    return person


def open_home(new_page, live_server, user, language, width, javascript=True):
    page, watch = new_page(user=user, width=width, javascript=javascript)
    if language != "ko":
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        page.context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "domain": host,
                    "path": "/",
                }
            ]
        )
    page.goto(reverse("study:home"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page, watch


def nav_items(page):
    return page.locator(".site-nav a, .site-nav button")


def box(locator):
    return locator.bounding_box()


def middle(b):
    return b["y"] + b["height"] / 2


def header_height(page):
    return box(page.locator(".site-header"))["height"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_on_a_phone_is_one_short_line_with_a_menu_button(
    new_page, live_server, staff, language
):
    page, watch = open_home(new_page, live_server, staff, language, width=375)
    summary = page.locator(".site-menu > summary")
    bell = page.locator("a.bell")
    brand = page.locator(".brand")

    assert header_height(page) <= MAX_HEADER_HEIGHT
    expect(summary).to_be_visible()
    expect(summary).to_have_text(f"☰ {MENU[language]}")
    expect(bell).to_be_visible()
    expect(page.locator(".bell-count")).to_have_text("12")
    middles = [middle(box(el)) for el in (brand, summary, bell)]
    assert max(middles) - min(middles) <= SAME_LINE_PX
    for item in nav_items(page).all():
        expect(item).to_be_hidden()
    expect(page.locator(".header-search")).to_be_hidden()
    expect(page.locator(".language-switcher")).to_be_hidden()
    save_screenshot(page, f"header-375-{language}", full_page=False)
    assert page_problems(page) + watch.take() == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_on_a_desktop_is_one_line(new_page, live_server, staff, language):
    page, watch = open_home(new_page, live_server, staff, language, width=1280)

    expect(page.locator(".site-menu > summary")).to_be_hidden()
    expect(nav_items(page)).to_have_text(NAV[language])
    # Brand, links, search box, language switcher and bell, left to right
    # without overlapping, all on the same line and inside the window.
    items = [
        page.locator(".brand"),
        *nav_items(page).all(),
        page.locator(".header-search input"),
        page.locator(".header-search button"),
        page.locator(".language-switcher button"),
        page.locator("a.bell"),
    ]
    boxes = [box(item) for item in items]
    assert all(b is not None and b["width"] > 0 for b in boxes)
    middles = [middle(b) for b in boxes]
    assert max(middles) - min(middles) <= SAME_LINE_PX, middles
    for left, right in zip(boxes, boxes[1:]):
        assert left["x"] + left["width"] <= right["x"]
    assert boxes[-1]["x"] + boxes[-1]["width"] <= 1280
    assert header_height(page) <= MAX_HEADER_HEIGHT
    save_screenshot(page, f"header-1280-{language}", full_page=False)
    assert page_problems(page) + watch.take() == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_menu_opens_without_javascript_on_a_phone(new_page, live_server, staff, language):
    page, watch = open_home(new_page, live_server, staff, language, width=375, javascript=False)
    menu = page.locator(".site-menu")
    links = nav_items(page)
    expect(menu).not_to_have_attribute("open", "")
    for item in links.all():
        expect(item).to_be_hidden()

    page.locator(".site-menu > summary").click()
    expect(menu).to_have_attribute("open", "")
    for item in links.all():
        expect(item).to_be_visible()
    expect(page.locator(".header-search input")).to_be_visible()
    expect(page.locator(".language-switcher button")).to_be_visible()
    # The menu drops down over the page: the header keeps its height.
    assert header_height(page) <= MAX_HEADER_HEIGHT
    save_screenshot(page, f"header-375-{language}-menu-open", full_page=False)

    with page.expect_navigation():
        page.locator(".site-nav a", has_text=PAPERS[language]).click()
    assert page.url.endswith(reverse("study:paper-list"))
    expect(page.locator(".site-nav a[aria-current=page]")).to_have_text(PAPERS[language])
    # A new page starts with the menu closed again.
    expect(page.locator(".site-menu")).not_to_have_attribute("open", "")
    expect(links.first).to_be_hidden()
    assert watch.take() == []


def menu_button_in_accessibility_tree(page):
    """(name, expanded) of the menu's summary as Chromium exposes it to a
    screen reader: a disclosure button, named by its text."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    found = [
        (
            node["name"]["value"].strip(),
            next(p["value"]["value"] for p in node["properties"] if p["name"] == "expanded"),
        )
        for node in nodes
        if node.get("role", {}).get("value") == "DisclosureTriangle"
    ]
    assert len(found) == 1, found
    return found[0]


def test_menu_button_and_bell_keep_their_accessible_names(new_page, live_server, staff):
    page, watch = open_home(new_page, live_server, staff, "ko", width=375, javascript=False)
    assert menu_button_in_accessibility_tree(page) == ("메뉴", False)
    expect(page.locator("a.bell")).to_have_attribute("aria-label", "알림: 읽지 않음 12건")
    page.locator(".site-menu > summary").click()
    assert menu_button_in_accessibility_tree(page) == ("메뉴", True)
    expect(page.get_by_role("navigation", name="주 메뉴")).to_be_visible()
    expect(page.locator(".site-nav a[aria-current=page]")).to_have_text("홈")
    assert watch.take() == []
