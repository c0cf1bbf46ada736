"""Charts drawn as SVG on the server: no JavaScript, no inline styles.

Colours come from classes styled in app.css (the CSP forbids `style`
attributes); sizes and positions are SVG presentation attributes. Every
shape carries a <title>, so a pointer or a screen reader gets the number.
"""

import datetime
import functools
from html import escape

from django.core.signals import setting_changed
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

CELL = 11
GAP = 2
STEP = CELL + GAP
HEAT_LEVELS = 4
# The heatmap labels every other row (Monday on top). Django's abbreviated
# day names are whole words in Korean ("월요일"); these are one character.
WEEKDAY_LABELS = {
    0: pgettext_lazy("heatmap row", "Mon"),
    2: pgettext_lazy("heatmap row", "Wed"),
    4: pgettext_lazy("heatmap row", "Fri"),
}


def heat_level(count, highest):
    """0 for nothing, else 1..HEAT_LEVELS relative to the busiest day."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, -(-count * HEAT_LEVELS // highest)))


@functools.lru_cache(maxsize=32)
def _heatmap_layout(first_day, last_day, language):
    """What every member's heatmap of the same days shares, worked out once
    per language: the size, each day's place, date and empty square, and
    the month and weekday labels as HTML."""
    start = first_day - datetime.timedelta(days=first_day.weekday())
    weeks = (last_day - start).days // 7 + 1
    left, top = 28, 16
    days, months = [], []
    day = first_day
    while day <= last_day:
        column = (day - start).days // 7
        x, y = left + column * STEP, top + day.weekday() * STEP
        days.append(
            (
                day,
                x,
                y,
                day.isoformat(),
                date_format(day, "DATE_FORMAT"),
                f"M{x} {y}h{CELL}v{CELL}h-{CELL}z",
            )
        )
        if day.day == 1 or day == first_day:
            months.append((x, top - 5, date_format(day, "M")))
        day += datetime.timedelta(days=1)
    weekday_labels = [
        (left - 4, top + row * STEP + CELL - 1, label) for row, label in WEEKDAY_LABELS.items()
    ]
    labels = format_html_join(
        "", '<text class="chart-label" x="{}" y="{}">{}</text>', months
    ) + format_html_join(
        "", '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>', weekday_labels
    )
    return left + weeks * STEP, top + 7 * STEP, tuple(days), labels


# Formats are settings: a test that changes one gets fresh labels.
setting_changed.connect(lambda **kwargs: _heatmap_layout.cache_clear(), weak=False)


def heatmap(counts, first_day, last_day, *, label):
    """A contribution calendar: one square per day from `first_day` to
    `last_day`, weeks as columns (Monday on top), shaded by `counts[date]`.

    Days with something done are squares with a title (the date and the
    count); the empty days, most of a year, are drawn together as one path,
    which keeps a page of many members' years small. A page draws one per
    member: what they share is worked out once (`_heatmap_layout`), and the
    squares are written as plain text (numbers and ISO dates need no
    escaping; the title is escaped).
    """
    width, height, days, labels = _heatmap_layout(first_day, last_day, get_language())
    highest = max(counts.values(), default=0)
    tip_text = _("%(date)s: %(count)d")
    cells, empty = [], []
    for day, x, y, iso, date_text, square in days:
        count = counts.get(day, 0)
        if count > 0:
            # html.escape: what Django's escape does, without its lazy-string check.
            tip = escape(tip_text % {"date": date_text, "count": count})
            cells.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
                f'class="heat heat-{heat_level(count, highest)}" data-date="{iso}" '
                f'data-count="{count}"><title>{tip}</title></rect>'
            )
        else:
            empty.append(square)
    return format_html(
        '<svg class="chart heatmap" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">{labels}'
        '<path class="heat heat-0" d="{empty}"></path>{cells}</svg>',
        w=width,
        h=height,
        label=label,
        labels=labels,
        empty="".join(empty),
        cells=mark_safe("".join(cells)),
    )


def attendance_chart(rows, *, label, bar_width=18, plot_height=140, min_width=360, widest_step=48):
    """Bars of how many came to each session, in date order, with an outline
    for how many said they were coming. `rows` is a list of
    (session number, date, attended, going). The chart is at least
    `min_width` pixels wide: a few sessions spread out (at most `widest_step`
    apart) and stand in its middle instead of making a sliver."""
    if not rows:
        return mark_safe("")
    left, top, bottom, right = 30, 10, 34, 10
    step = max(bar_width + 6, min(widest_step, (min_width - left - right) // len(rows)))
    highest = max(max(attended, going) for _n, _d, attended, going in rows) or 1
    natural = left + len(rows) * step + right
    width = max(min_width, natural)
    first = left + (width - natural) // 2  # A few bars stand in the middle.
    height = top + plot_height + bottom
    base = top + plot_height

    def y(value):
        return base - round(value * plot_height / highest)

    ticks = sorted({0, highest // 2, highest})
    grid = [(left, y(t), width - right, y(t)) for t in ticks]
    tick_labels = [(left - 5, y(t) + 4, t) for t in ticks]
    every = max(1, len(rows) // 20)
    bars, going_marks, numbers = [], [], []
    for index, (number, day, attended, going) in enumerate(rows):
        x = first + index * step + (step - bar_width) // 2
        title = _("Session %(number)s (%(date)s): %(attended)d came, %(going)d said they would") % {
            "number": number,
            "date": date_format(day, "DATE_FORMAT"),
            "attended": attended,
            "going": going,
        }
        bars.append((x, y(attended), bar_width, base - y(attended), number, attended, title))
        if going:
            going_marks.append((x, y(going), bar_width, base - y(going)))
        if index % every == 0:
            numbers.append((x + bar_width / 2, base + 14, number))
    return format_html(
        '<svg class="chart attendance-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
        "{grid}{ticks}{going}{bars}{numbers}"
        '<text class="chart-label" x="{mid}" y="{axis_y}" text-anchor="middle">{axis}</text></svg>',
        w=width,
        h=height,
        label=label,
        grid=format_html_join(
            "", '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"></line>', grid
        ),
        ticks=format_html_join(
            "", '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>', tick_labels
        ),
        going=format_html_join(
            "",
            '<rect class="chart-bar-going" x="{}" y="{}" width="{}" height="{}"></rect>',
            going_marks,
        ),
        bars=format_html_join(
            "",
            '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" data-session="{}" '
            'data-attended="{}"><title>{}</title></rect>',
            bars,
        ),
        numbers=format_html_join(
            "", '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>', numbers
        ),
        mid=width / 2,
        axis_y=height - 4,
        axis=_("Session"),
    )
