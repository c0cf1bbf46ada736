"""Page addresses without resolving the URL configuration for each link.

A page that lists a hundred questions links each to its answer form, its
history, its edit and delete forms: `reverse()` for each costs more than the
rest of the line. `page_url(name, *args)` reverses each URL name once (per
script prefix and URL configuration) with markers for its arguments and
afterwards only puts the arguments in their places. Arguments are
non-negative integers (primary keys, numbers) or ASCII slugs, which need no
quoting; anything else goes through `reverse()` as before.
"""

import re

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse

_SAFE_TEXT = re.compile(r"[-A-Za-z0-9_]+")
# Digits match every converter the app's URLs use (int, season slugs).
_MARKER = 987_654_320
_forms = {}


def _form(name, count):
    """The URL of `name` cut at its `count` arguments (a list of count + 1
    strings), or None when the markers cannot be found once each."""
    key = (name, count, get_script_prefix(), get_urlconf())
    try:
        return _forms[key]
    except KeyError:
        pass
    markers = [str(_MARKER + index) for index in range(count)]
    url = reverse(name, args=markers)
    parts, rest = [], url
    for marker in markers:
        if rest.count(marker) != 1:
            parts = None
            break
        before, rest = rest.split(marker)
        parts.append(before)
    if parts is not None:
        parts.append(rest)
    _forms[key] = parts
    return parts


def _plain(value):
    if type(value) is int:
        return value >= 0
    return type(value) is str and _SAFE_TEXT.fullmatch(value) is not None


def page_url(name, *args):
    """`reverse(name, args=args)`, without resolving again for every call."""
    parts = _form(name, len(args))
    if parts is None or not all(_plain(arg) for arg in args):
        return reverse(name, args=args)
    if not args:
        return parts[0]
    pieces = [parts[0]]
    for arg, part in zip(args, parts[1:]):
        pieces.append(str(arg))
        pieces.append(part)
    return "".join(pieces)


def _forget(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _forms.clear()


setting_changed.connect(_forget)
