"""`{{ pk|page_url:"study:answer-create" }}`: a page's address from its URL
name and one argument, without resolving the URLs for every link of a list
(sessions/paths.py)."""

from django import template

from sessions.paths import page_url as _page_url

register = template.Library()


@register.filter
def page_url(value, name):
    return _page_url(name, value)


@register.simple_tag(takes_context=True)
def page_link(context, number):
    """`?…&page=N`: the query string of the request (or, in a part cached
    without the request, of the `links` its view gave it) with page `number`."""
    links = context.get("links")
    if links is None:
        links = context.request.GET
    links = links.copy()
    links["page"] = number
    return f"?{links.urlencode()}"
