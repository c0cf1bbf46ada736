"""Pages of lists: the page number asked for, and a page read in one query."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

# The window count `counted_page` annotates each row of the page with.
TOTAL = "rows_in_list"


def page_number(request, parameter="page"):
    """`?page=` as a number (anything else: 1). A cached page part is
    keyed by it: "2" and "02" must not make two copies. Page 0 and a page
    past the last one are the paginator's to handle (`get_page`: the last
    page)."""
    value = request.GET.get(parameter, "")
    return int(value) if value.isdigit() and len(value) <= 6 else 1


def counted_page(queryset, per_page, number):
    """Page `number` of `queryset` (model instances, not DISTINCT), as
    `Paginator(queryset, per_page).get_page(number)` gives it, with its
    rows in a list; read in one query where the paginator runs two: each
    row carries the length of the whole list (a window count), so nothing
    is counted first. Only a page past the last one (or page 0) costs the
    count and a second read, of the last page."""
    start = (max(number, 1) - 1) * per_page
    rows = list(queryset.annotate(**{TOTAL: Window(Count("*"))})[start : start + per_page])
    if number < 1 or (not rows and number > 1):
        return Paginator(queryset, per_page).get_page(number)
    paginator = Paginator(queryset, per_page)
    # The paginator's count is a cached property: what the rows say is kept.
    paginator.count = getattr(rows[0], TOTAL) if rows else 0
    return Page(rows, number, paginator)


def page_of_known_length(length, per_page, number):
    """Page `number` of a list of `length` rows, as `Paginator.get_page`
    numbers it (past the last page, the last): what the page links need,
    for a page whose rows are a cached part and whose length is cached
    too, so that nothing is read."""
    return Paginator(range(length), per_page).get_page(number)
