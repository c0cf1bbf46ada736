"""The page number a list was asked for."""


def page_number(request, parameter="page"):
    """`?page=` as a number (anything else: 1). A cached page part is
    keyed by it: "2" and "02" must not make two copies. Page 0 and a page
    past the last one are the paginator's to handle (`get_page`: the last
    page)."""
    value = request.GET.get(parameter, "")
    return int(value) if value.isdigit() and len(value) <= 6 else 1
