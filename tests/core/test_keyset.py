"""wrp.core.keyset: pages in any mixed order return every row exactly once, NULLs last, and a cursor nobody made
for this order is refused."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core import signing

from tests.factories import make_permit
from wrp.core.errors import Invalid
from wrp.core.keyset import capped_count, counted_with, decode_cursor, encode_cursor, keyset_page, listed_total
from wrp.permits.models import Permit, PermitEvent, PermitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def permits(people, today):
    """17 permits with repeated issue dates, statuses and suspension dates (some NULL), so ties are the rule."""
    made = []
    for index in range(17):
        made.append(make_permit(
            people.applicant, people.unit,
            issued_on=today - dt.timedelta(days=index % 4),
            valid_until=today + dt.timedelta(days=index % 3),
            status=[PermitStatus.VALID, PermitStatus.SUSPENDED, PermitStatus.EXPIRED][index % 3],
            suspended_on=None if index % 2 else today - dt.timedelta(days=index % 5),
        ))
    return made


def walk(queryset, order, size):
    """Every page of the list in `order`, as lists of ids, following the cursors to the end."""
    pages, after = [], None
    while True:
        page = keyset_page(queryset, order=order, after=after, size=size)
        pages.append([row.pk for row in page.items])
        assert page.has_more == (page.next_cursor is not None)
        if not page.has_more:
            return pages
        after = page.next_cursor


def ids_in_python_order(queryset, order):
    """The ids sorted in Python by `order`, NULLs last in both directions (what keyset_page promises)."""
    rows = list(queryset)
    for item in reversed(order):
        name = item.lstrip("-")
        descending = item.startswith("-")
        present = [row for row in rows if getattr(row, name) is not None]
        missing = [row for row in rows if getattr(row, name) is None]
        rows = sorted(present, key=lambda row: getattr(row, name), reverse=descending) + missing
    return [row.pk for row in rows]


@pytest.mark.parametrize("order", [
    ("-issued_on", "id"),
    ("issued_on", "-id"),
    ("status", "-valid_until", "-id"),
    ("-status", "valid_until", "issued_on", "id"),
    ("suspended_on", "id"),
    ("-suspended_on", "-id"),
    ("-id",),
], ids=["desc-asc", "asc-desc", "three-mixed", "four-mixed", "nullable-asc", "nullable-desc", "id-only"])
@pytest.mark.parametrize("size", [1, 4, 5, 17, 30])
def test_pages_return_every_row_once_in_order(permits, order, size):
    pages = walk(Permit.objects.all(), order, size)
    flat = [pk for page in pages for pk in page]
    assert flat == ids_in_python_order(Permit.objects.all(), order)
    assert all(len(page) == size for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= size


def test_nulls_come_last_in_both_directions(permits):
    for order in (("suspended_on", "id"), ("-suspended_on", "id")):
        flat = [pk for page in walk(Permit.objects.all(), order, 3) for pk in page]
        suspended = dict(Permit.objects.values_list("pk", "suspended_on"))
        values = [suspended[pk] for pk in flat]
        first_null = values.index(None)
        assert all(value is None for value in values[first_null:])
        assert all(value is not None for value in values[:first_null])


def test_filters_of_the_queryset_are_kept(permits):
    valid = Permit.objects.filter(status=PermitStatus.VALID)
    flat = [pk for page in walk(valid, ("-issued_on", "-id"), 2) for pk in page]
    assert flat == ids_in_python_order(valid, ("-issued_on", "-id"))
    assert set(flat) == set(valid.values_list("pk", flat=True))


def test_datetime_ties_page_through_by_id(people, today):
    permit = make_permit(people.applicant, people.unit)
    moment = dt.datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=dt.UTC)
    for index in range(9):
        PermitEvent.objects.create(permit=permit, at=moment + dt.timedelta(microseconds=index % 2), action="note")
    flat = [pk for page in walk(PermitEvent.objects.all(), ("-at", "-id"), 2) for pk in page]
    assert flat == ids_in_python_order(PermitEvent.objects.all(), ("-at", "-id"))
    assert len(flat) == len(set(flat)) == 9


def test_last_page_has_no_next_cursor(permits):
    page = keyset_page(Permit.objects.all(), order=("-id",), after=None, size=17)
    assert len(page.items) == 17
    assert page.next_cursor is None
    assert page.has_more is False


def test_empty_list_is_one_empty_page(db):
    page = keyset_page(Permit.objects.all(), order=("-id",), after=None, size=5)
    assert page.items == []
    assert page.next_cursor is None
    assert page.has_more is False


def test_values_rows_page_too(permits):
    queryset = Permit.objects.values("id", "issued_on")
    first = keyset_page(queryset, order=("-issued_on", "-id"), after=None, size=10)
    second = keyset_page(queryset, order=("-issued_on", "-id"), after=first.next_cursor, size=10)
    ids = [row["id"] for row in first.items + second.items]
    assert ids == ids_in_python_order(Permit.objects.all(), ("-issued_on", "-id"))


def test_cursor_is_url_safe(permits):
    page = keyset_page(Permit.objects.all(), order=("-issued_on", "-id"), after=None, size=3)
    assert page.next_cursor is not None
    assert set(page.next_cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _tampered(cursor: str) -> str:
    body, signature = cursor.rsplit(".", 1)
    flipped = "A" if body[5] != "A" else "B"
    return body[:5] + flipped + body[6:] + "." + signature


@pytest.mark.parametrize("make_bad", [
    lambda good: _tampered(good),
    lambda good: good[:-3],
    lambda good: good.split(".")[0],
    lambda good: "garbage",
    lambda good: "....",
    lambda good: "%%%not-base64%%%",
    lambda good: "eyJvIjoiMDAwMDAwMDAiLCJ2IjpbXX0.c2lnbmF0dXJl",  # unsigned JSON with a made-up signature
], ids=["tampered", "truncated", "no-signature", "garbage", "dots", "not-base64", "forged"])
def test_bad_cursor_is_invalid(permits, make_bad):
    good = keyset_page(Permit.objects.all(), order=("-issued_on", "-id"), after=None, size=3).next_cursor
    with pytest.raises(Invalid) as refused:
        keyset_page(Permit.objects.all(), order=("-issued_on", "-id"), after=make_bad(good), size=3)
    assert set(refused.value.fields) == {"after"}
    assert refused.value.codes == {"after": "invalid_cursor"}


def test_cursor_of_another_order_is_invalid(permits):
    cursor = keyset_page(Permit.objects.all(), order=("-issued_on", "-id"), after=None, size=3).next_cursor
    with pytest.raises(Invalid):
        keyset_page(Permit.objects.all(), order=("issued_on", "id"), after=cursor, size=3)


def test_signed_cursor_with_wrong_value_types_is_invalid():
    order = ("-issued_on", "-id")
    for values in (["i", 3], [["d", 5], ["i", 3]], [["d", "2026-13-40"], ["i", 3]], [["i", True], ["i", 3]],
                   [["x", 1], ["i", 3]], [["m", "NaN"], ["i", 1]]):
        forged = signing.Signer(salt="wrp.keyset", sep=".").sign_object(
            {"o": decode_order_key(order), "v": values}, compress=False)
        with pytest.raises(Invalid):
            decode_cursor(forged, order=order)


def decode_order_key(order):
    from wrp.core.keyset import _order_key

    return _order_key(order)


def test_values_keep_their_types():
    values = [dt.datetime(2026, 11, 26, 2, 0, 0, 7, tzinfo=dt.UTC), dt.date(2026, 11, 26), 42, "草稿", None, True,
              Decimal("12.50"), uuid.UUID(int=5)]
    order = tuple(f"f{index}" for index in range(len(values)))
    assert decode_cursor(encode_cursor(values, order=order), order=order) == values
    decoded = decode_cursor(encode_cursor(values, order=order), order=order)
    assert [type(value) for value in decoded] == [type(value) for value in values]


def test_capped_count_says_when_there_are_more(permits):
    assert capped_count(Permit.objects.all(), cap=100) == (17, False)
    assert capped_count(Permit.objects.all(), cap=17) == (17, False)
    assert capped_count(Permit.objects.all(), cap=16) == (16, True)
    assert capped_count(Permit.objects.filter(status=PermitStatus.VALID), cap=3) == (3, True)


@pytest.mark.parametrize("cap", [100, 17, 16, 3])
def test_a_page_read_counted_with_its_list_carries_the_capped_count_in_the_same_query(permits, cap,
                                                                                       django_assert_num_queries):
    listed = Permit.objects.filter(status__in=[PermitStatus.VALID, PermitStatus.SUSPENDED])
    order = ("-issued_on", "-id")
    expected = capped_count(listed, cap)
    for rows in (counted_with(listed, listed, cap), counted_with(listed.values("id", "issued_on"), listed, cap)):
        with django_assert_num_queries(1):  # the rows and their list's count
            page = keyset_page(rows, order=order, after=None, size=5)
            assert listed_total(page.items, listed, cap) == expected
        deep = keyset_page(rows, order=order, after=page.next_cursor, size=5)
        assert listed_total(deep.items, listed, cap) == expected


def test_an_empty_page_or_rows_read_without_the_count_are_counted_on_their_own(permits, django_assert_num_queries):
    listed = Permit.objects.filter(status=PermitStatus.VALID)
    with django_assert_num_queries(1):
        assert listed_total([], listed, 3) == (3, True)
    rows = list(listed[:2])
    with django_assert_num_queries(1):
        assert listed_total(rows, listed, 100) == (6, False)
