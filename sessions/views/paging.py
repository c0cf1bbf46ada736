"""The page number a list was asked for."""


def page_number(request, parameter="page"):
    """`?page=` as a number from 1 (anything else: 1). A cached page part
    is keyed by it: "2", "02" and "2x" must not make three copies. A page
    past the last one is the paginator's to handle (`get_page`)."""
    value = request.GET.get(parameter, "")
    return int(value) if value.isdigit() and 0 < int(value) < 10**6 else 1
