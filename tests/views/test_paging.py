"""The page number a list was asked for, as cached parts are keyed by it."""

import pytest
from django.test import RequestFactory

from sessions.views.paging import page_number


@pytest.mark.parametrize(
    ("query", "number"),
    [("", 1), ("page=2", 2), ("page=02", 2), ("page=0", 0), ("page=two", 1), ("page=-1", 1)],
)
def test_page_number_is_one_number_per_page(query, number):
    assert page_number(RequestFactory().get(f"/?{query}")) == number


def test_page_number_of_an_absurd_page_is_the_first():
    assert page_number(RequestFactory().get("/?page=" + "9" * 40)) == 1
