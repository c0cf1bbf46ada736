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
    """`?…&page=N`: the request's GET parameters (or, in a part cached
    without the request, the `parameters` it was given) with page `number`."""
    parameters = context.get("parameters")
    if parameters is None:
        parameters = context.request.GET
    parameters = parameters.copy()
    parameters["page"] = number
    return f"?{parameters.urlencode()}"
