"""The page number a list was asked for, as cached parts are keyed by it, and
pages read with their count in one query."""

import pytest
from django.core.paginator import Paginator
from django.test import RequestFactory

from sessions.models import Member
from sessions.views.paging import counted_page, page_number, page_of_known_length
from tests import factories


@pytest.mark.parametrize(
    ("query", "number"),
    [("", 1), ("page=2", 2), ("page=02", 2), ("page=0", 0), ("page=two", 1), ("page=-1", 1)],
)
def test_page_number_is_one_number_per_page(query, number):
    assert page_number(RequestFactory().get(f"/?{query}")) == number


def test_page_number_of_an_absurd_page_is_the_first():
    assert page_number(RequestFactory().get("/?page=" + "9" * 40)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("number", [0, 1, 2, 3, 4, 99])
def test_counted_page_is_the_page_the_paginator_gives(number):
    factories.MemberFactory.create_batch(7)
    members = Member.objects.order_by("pk")
    expected = Paginator(members, 3).get_page(number)
    page = counted_page(members, 3, number)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        7,
        3,
    )
    assert list(page.object_list) == list(expected.object_list)


@pytest.mark.django_db
def test_counted_page_reads_rows_and_count_in_one_query(django_assert_num_queries):
    factories.MemberFactory.create_batch(5)
    with django_assert_num_queries(1):
        page = counted_page(Member.objects.order_by("pk"), 2, 2)
        assert (len(page.object_list), page.paginator.num_pages, page.has_next()) == (2, 3, True)


@pytest.mark.django_db
def test_counted_page_of_an_empty_list_is_one_empty_page(django_assert_num_queries):
    with django_assert_num_queries(1):
        page = counted_page(Member.objects.order_by("pk"), 2, 1)
        assert (page.object_list, page.paginator.num_pages, page.has_other_pages()) == (
            [],
            1,
            False,
        )


@pytest.mark.parametrize(
    ("length", "number", "expected"),
    [(0, 1, (1, 1)), (7, 2, (2, 3)), (7, 9, (3, 3)), (6, 0, (2, 2))],
)
def test_page_of_known_length_numbers_pages_as_the_paginator(length, number, expected):
    page = page_of_known_length(length, 3, number)
    assert (page.number, page.paginator.num_pages) == expected
