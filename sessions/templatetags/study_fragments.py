"""Showing a cached part of a page."""

from django import template
from django.utils.safestring import mark_safe

from sessions.fragments import CSRF_PLACEHOLDER

register = template.Library()


@register.filter
def with_csrf_token(html, token):
    """A part rendered by `fragments.render_with_forms` (safe HTML) with the
    viewer's CSRF token (letters and digits) in its forms."""
    return mark_safe(html.replace(CSRF_PLACEHOLDER, str(token)))
