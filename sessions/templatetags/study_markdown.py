"""Template filter for markdown previews.

Pages show the stored `*_html` fields, rendered once when saved; this filter
is for the few places that render markdown on the fly (previews).
"""

from django import template
from django.utils.safestring import mark_safe

from sessions.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """Render markdown through the sanitizing renderer: `{{ text|markdown }}`."""
    if value is None:
        return ""
    # render_markdown sanitizes its output, so it is safe to mark as such.
    return mark_safe(render_markdown(str(value)))
