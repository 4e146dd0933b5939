"""`wrp.core.lookups`: `unique_or_none`, the row found by a unique key, or None, asked without an ORDER BY; `ids_in`,
the first rows of several ordered lists read in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wrp.accounts.models import User
from wrp.cases.models import Case
from wrp.core.lookups import ids_in, unique_or_none

pytestmark = pytest.mark.django_db


def test_it_finds_the_row_with_the_key_and_none_without_one():
    alice = User.objects.create_user(username="alice", password="x")
    User.objects.create_user(username="bob", password="x")
    assert unique_or_none(User.objects.filter(username="alice")) == alice
    assert unique_or_none(User.objects.filter(username="carol")) is None


def test_it_asks_for_one_row_and_no_order_even_of_a_model_with_an_ordering():
    assert Case._meta.ordering  # what first() would have sorted by
    with CaptureQueriesContext(connection) as queries:
        unique_or_none(Case.objects.filter(public_id="C0000000000000"))
    (sql,) = [query["sql"] for query in queries]
    assert "ORDER BY" not in sql
    assert "LIMIT 1" in sql


def test_the_first_rows_of_two_ordered_lists_come_in_one_query():
    for n in range(10):
        User.objects.create_user(username=f"user{n:02d}", password="x", is_active=n % 2 == 0)
    active = User.objects.filter(is_active=True).order_by("-username")
    inactive = User.objects.filter(is_active=False).order_by("username")
    with CaptureQueriesContext(connection) as queries:
        found = set(User.objects.filter(pk__in=ids_in(active, 2).union(ids_in(inactive, 3), all=True))
                    .values_list("username", flat=True))
    assert len(queries) == 1
    assert found == {"user08", "user06", "user01", "user03", "user05"}
    assert set(User.objects.filter(pk__in=ids_in(active[:1])).values_list("username", flat=True)) == {"user08"}
