"""The participation charts as a browser draws them: server-side SVG,
coloured by app.css classes (the CSP allows no inline styles)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories

from .support import page_problems, save_screenshot

pytestmark = pytest.mark.browser


def _history():
    """Eight weekly sessions up to last week, with talks, questions and attendance."""
    members = [factories.MemberFactory() for _ in range(5)]
    today = timezone.localdate()
    for week in range(8):
        session = factories.StudySessionFactory(
            date=today - datetime.timedelta(days=7 * (8 - week))
        )
        talk = factories.PresentationFactory(session=session, presenters=[members[week % 5]])
        factories.QuestionFactory(presentation=talk, asked_by=members[(week + 1) % 5])
        for index, member in enumerate(members):
            factories.AttendanceFactory(
                session=session, member=member, response="going", attended=index <= week % 5
            )
    return members


def test_participation_charts_render_with_stylesheet_colours(new_page):
    members = _history()
    page, watch = new_page(user=members[0], width=1280)
    page.goto(reverse("study:participation"))
    save_screenshot(page, "participation-charts-1280")

    bars = page.locator("svg.attendance-chart rect.chart-bar")
    assert bars.count() == 8
    # Heights follow the numbers: 1 came to the first session, 5 to the fifth.
    heights = [bars.nth(i).bounding_box()["height"] for i in range(8)]
    assert heights[0] * 5 == pytest.approx(heights[4], abs=1)
    # Colours come from app.css: the accent colour, not SVG's default black.
    fills = page.eval_on_selector_all(
        "svg.attendance-chart rect.chart-bar", "els => els.map(e => getComputedStyle(e).fill)"
    )
    assert set(fills) == {"rgb(47, 93, 138)"}
    heat = page.eval_on_selector_all(
        f"#activity-{members[0].pk} rect.heat:not(.heat-0)",
        "els => els.map(e => getComputedStyle(e).fill)",
    )
    assert len(heat) >= 1 and "rgb(0, 0, 0)" not in heat
    assert page_problems(page) + watch.take() == []
