"""`{{ pk|page_url:"study:answer-create" }}`: a page's address from its URL
name and one argument, without resolving the URLs for every link of a list
(sessions/paths.py)."""

from django import template

from sessions.paths import page_url as _page_url

register = template.Library()


@register.filter
def page_url(value, name):
    return _page_url(name, value)
