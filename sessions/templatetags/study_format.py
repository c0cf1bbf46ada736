"""How the app writes dates and lists of people: the one place for both.

Dates use the formats of studygroup/formats/<language>/formats.py:
`{{ d|day }}` a date, `{{ t|moment }}` a date with its time (in the site's
time zone), `{{ t|ago }}` a time relative to today ("어제 19:30", "3일 전")
where that reads better (recent activity), and `{{ d|iso }}` the machine value of
`<time datetime>`: an ISO date, or an ISO date and time to the second
(valid HTML, no microseconds).
"""

import datetime
import functools

from django import template
from django.core.signals import setting_changed
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

register = template.Library()


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def day(value):
    """A date (a moment's local date): "2025. 03. 07." / "07 Mar 2025"."""
    if not value:
        return ""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return _day(value, get_language())


@functools.lru_cache(maxsize=4096)
def _day(value, language):
    """A date in the words of `language` (the active one): lists repeat the
    same few days (sessions' dates) on every row."""
    return formats.date_format(value, "DATE_FORMAT")


# Formats are settings: a test that changes one gets fresh words.
setting_changed.connect(lambda **kwargs: _day.cache_clear(), weak=False)


@register.filter
def moment(value):
    """A date and time, in the site's time zone: "2025. 03. 07. 19:30"."""
    if not value:
        return ""
    return formats.date_format(_local(value), "DATETIME_FORMAT")


@register.filter
def ago(value):
    """When, relative to today, where that reads better (recent activity): "오늘 19:30" /
    "today, 19:30", "어제 19:30", "3일 전" / "3 days ago" within a week, else the date.
    By the day, so a page cached for the day (sessions/fragments.py) stays right."""
    if not value:
        return ""
    local = _local(value)
    days = (timezone.localdate() - local.date()).days
    time = formats.date_format(local, "TIME_FORMAT")
    if days == 0:
        return gettext("today, %(time)s") % {"time": time}
    if days == 1:
        return gettext("yesterday, %(time)s") % {"time": time}
    if 1 < days < 7:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    return day(local)


@register.filter
def iso(value):
    """The `datetime` attribute of a `<time>`: "2025-03-07" or "2025-03-07T19:30:00+09:00"."""
    if not value:
        return ""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


@register.filter
def without(people, person):
    """`people` except `person`: `{% for other in presenters|without:member %}`, so
    that `forloop.last` is the last one shown (no trailing comma)."""
    return [other for other in people if other.pk != getattr(person, "pk", None)]


@register.filter
def presenters(talk):
    """A talk's presenters, in order ("🐻 최하은, 김민준"), from its
    `presenter_links` (prefetched by `with_presenters()`): a filter rather
    than an included template, since lists of sessions show one per talk."""
    people = [
        format_html('<span class="person">{}</span>', link.member.label)
        for link in talk.presenter_links.all()
    ]
    if not people:
        people = [format_html('<span class="muted">{}</span>', gettext("No presenter yet"))]
    return format_html('<span class="presenters">{}</span>', mark_safe(", ".join(people)))
