"""The list selectors (wrp.cases.selectors §lists): the queue's order as before, paged by keyset through it exactly once;
the handler's units read first give the same cases; slim rows leave the wide columns; a listed case's permit and
relations read without a query of their own agree with the single case's."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from tests.factories import case_in_state, make_permit
from wrp.cases.models import QUEUE_STATES, Case, CaseState
from wrp.cases.selectors import (
    CASE_LIST_ORDER,
    LIST_DEFERRED,
    QUEUE_ORDER,
    by_due_date,
    case_permit,
    cases_for_api_list,
    cases_listed,
    cases_slim,
    cases_visible_to,
    clerk_queue,
    listed_permit_number,
    listed_relations,
    queue_ordered,
)
from wrp.cases.workflow import OPEN_STATES, relations
from wrp.core.keyset import keyset_page

pytestmark = pytest.mark.django_db

_numbers = itertools.count()


def bare_case(people, **fields) -> Case:
    """A case row as the queue sees it (no services: the order is what is tested)."""
    values = {"kind": "unit_transfer", "unit": people.unit, "created_by": people.handler, "state": CaseState.SUBMITTED}
    return Case.objects.create(public_id=f"WRPQ{next(_numbers):08d}", **{**values, **fields})


@pytest.fixture
def queue(people, today) -> list[Case]:
    """Open cases with every combination the queue orders by: paused or not, due dates repeated or missing,
    acceptance days repeated or missing; and closed cases the queue leaves out."""
    made = []
    for index in range(40):
        paused = index % 4 == 0
        made.append(bare_case(
            people,
            state=CaseState.RETURNED if paused else [CaseState.SUBMITTED, CaseState.IN_REVIEW,
                                                     CaseState.PENDING_APPROVAL][index % 3],
            paused_on=today if paused else None,
            due_on=None if index % 7 == 0 else today + timedelta(days=index % 5),
            accepted_on=None if index % 6 == 0 else today - timedelta(days=index % 3),
        ))
    bare_case(people, state=CaseState.APPROVED, due_on=today)
    bare_case(people, state=CaseState.DRAFT)
    return made


def old_queue_order(cases: list[Case]) -> list[int]:
    """The order by_due_date always had: running clocks first, due date (missing last), acceptance day (missing
    last), id."""
    far = date.max
    return [case.pk for case in sorted(cases, key=lambda c: (
        c.paused_on is not None, c.due_on or far, c.accepted_on or far, c.pk))]


def test_queue_states_are_the_workflows_open_states():
    assert set(QUEUE_STATES) == {state.value for state in OPEN_STATES}


def test_by_due_date_keeps_its_order(people, queue):
    assert list(by_due_date(clerk_queue(people.clerk)).values_list("pk", flat=True)) == old_queue_order(queue)


@pytest.mark.parametrize("size", [1, 3, 7, 40])
def test_the_queue_pages_by_keyset_once_in_order(people, queue, size):
    cases, after, seen = queue_ordered(clerk_queue(people.clerk)), None, []
    while True:
        page = keyset_page(cases, order=QUEUE_ORDER, after=after, size=size)
        seen += [case.pk for case in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == old_queue_order(queue)


def test_the_queue_narrowed_to_a_state_pages_in_order(people, queue):
    returned = queue_ordered(clerk_queue(people.clerk, state=CaseState.RETURNED))
    first = keyset_page(returned, order=QUEUE_ORDER, after=None, size=4)
    rest = keyset_page(returned, order=QUEUE_ORDER, after=first.next_cursor, size=40)
    expected = old_queue_order([case for case in queue if case.state == CaseState.RETURNED])
    assert [case.pk for case in first.items + rest.items] == expected


def test_handlers_units_read_first_give_the_same_cases(people, queue, other_handler):
    for user in (people.handler, other_handler, people.clerk, people.applicant):
        assert set(cases_visible_to(user, units_read_first=True)) == set(cases_visible_to(user))


def test_cases_listed_is_newest_first_by_id_on_ties(people, queue):
    listed = list(cases_listed(people.handler).values_list("created_at", "id"))
    assert listed == sorted(listed, reverse=True)
    assert CASE_LIST_ORDER == ("-created_at", "-id")


def test_slim_rows_leave_the_wide_columns_unread(people, queue):
    case = cases_slim(cases_listed(people.clerk)).first()
    deferred = case.get_deferred_fields()
    assert {"answers", "frozen_facts", "assessment", "review_reasons"} <= deferred
    assert "annual_tax" in case.unit.get_deferred_fields()
    assert all("__" in name or name in deferred for name in LIST_DEFERRED)


@pytest.mark.parametrize("persona", ["clerk", "handler", "applicant"])
def test_a_listed_cases_permit_and_relations_agree_with_the_single_case(people, persona):
    approved = case_in_state(people, "approved")
    renewal = Case.objects.create(public_id="WRPRENEW0001", kind="renewal", unit=people.unit,
                                  applicant=people.applicant, created_by=people.handler)
    make_permit(people.applicant, people.unit, issued_on=date(2026, 1, 5))
    user = getattr(people, persona)
    listed = {case.pk: case for case in cases_for_api_list(cases_listed(user), user)}
    assert {approved.pk, renewal.pk} <= set(listed)
    for pk, case in listed.items():
        single = Case.objects.get(pk=pk)
        permit = case_permit(single)
        assert listed_permit_number(case) == (permit.number if permit else None)
        assert listed_relations(case, user) == relations(single, user)
