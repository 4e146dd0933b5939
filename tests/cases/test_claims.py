"""Claims in the window's queue (wrp.cases.claims): a clerk claims a free open case, a second clerk cannot claim it,
any clerk may assign it (the previous holder recorded), the holder releases it, bulk assignment takes many at once;
each change an audit event. On PostgreSQL two clerks claiming one case at the same instant: exactly one holds it."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import make_user
from tests.portal.list_queries import listed_cases
from tests.race import run_concurrently
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.cases.claims import (
    by_holder,
    case_assign,
    case_claim,
    case_release,
    cases_bulk_assign,
    held_by_other,
)
from wrp.cases.models import Case, CaseState
from wrp.core.errors import Forbidden, Invalid, InvalidState


def _events(case: Case, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk), action=action))


@pytest.fixture
def case(people, today):
    return listed_cases(1, today=today)[0]


def test_a_clerk_claims_a_free_open_case_and_the_claim_is_audited(clerk, case):
    claimed = case_claim(case=case, actor=clerk)
    case.refresh_from_db()
    assert case.claimed_by == clerk
    assert case.claimed_at is not None
    assert claimed.claimed_by_id == clerk.pk
    [event] = _events(case, "case.claim")
    assert event.actor == clerk
    assert event.changes == {"claimed_by": [None, clerk.pk]}


def test_a_second_clerk_cannot_claim_a_case_another_holds(clerk, second_clerk, case):
    case_claim(case=case, actor=clerk)
    with pytest.raises(InvalidState) as refused:
        case_claim(case=case, actor=second_clerk)
    assert refused.value.code == "claimed_by_other"
    case.refresh_from_db()
    assert case.claimed_by == clerk
    assert held_by_other(case, second_clerk)
    assert not held_by_other(case, clerk)


def test_claiming_a_case_one_holds_again_changes_nothing(clerk, case):
    case_claim(case=case, actor=clerk)
    case_claim(case=case, actor=clerk)
    assert len(_events(case, "case.claim")) == 1


def test_any_clerk_may_assign_a_held_case_and_the_previous_holder_is_recorded(clerk, second_clerk, case):
    case_claim(case=case, actor=clerk)
    case_assign(case=case, actor=second_clerk, to=second_clerk)
    case.refresh_from_db()
    assert case.claimed_by == second_clerk
    [event] = _events(case, "case.assign")
    assert event.actor == second_clerk
    assert event.changes == {"claimed_by": [clerk.pk, second_clerk.pk]}


@pytest.mark.parametrize("to_role", [Role.UNIT_HANDLER, Role.BUREAU_APPROVER, Role.APPLICANT])
def test_a_case_is_assigned_only_to_a_window_clerk(clerk, case, to_role):
    with pytest.raises(Invalid) as refused:
        case_assign(case=case, actor=clerk, to=make_user(to_role))
    assert refused.value.codes == {"to": "not_a_clerk"}
    case.refresh_from_db()
    assert case.claimed_by is None


def test_an_inactive_clerk_cannot_be_given_a_case(clerk, case):
    gone = make_user(Role.WINDOW_CLERK, is_active=False)
    with pytest.raises(Invalid):
        case_assign(case=case, actor=clerk, to=gone)


@pytest.mark.parametrize("persona", ["handler", "approver", "applicant", "admin"])
def test_only_window_clerks_claim_assign_or_release(people, case, persona):
    actor = getattr(people, persona)
    with pytest.raises(Forbidden):
        case_claim(case=case, actor=actor)
    with pytest.raises(Forbidden):
        case_assign(case=case, actor=actor, to=people.clerk)
    with pytest.raises(Forbidden):
        case_release(case=case, actor=actor)
    case.refresh_from_db()
    assert case.claimed_by is None


@pytest.mark.parametrize("state", [CaseState.APPROVED, CaseState.DRAFT, CaseState.WITHDRAWN])
def test_a_case_outside_the_queue_cannot_be_claimed_or_assigned(people, clerk, today, state):
    closed = listed_cases(1, state=state, today=today)[0]
    with pytest.raises(InvalidState) as refused:
        case_claim(case=closed, actor=clerk)
    assert refused.value.code == "not_in_queue"
    with pytest.raises(InvalidState):
        case_assign(case=closed, actor=clerk, to=clerk)


def test_the_holder_releases_a_case_and_another_clerk_cannot(clerk, second_clerk, case):
    case_claim(case=case, actor=clerk)
    with pytest.raises(InvalidState):
        case_release(case=case, actor=second_clerk)
    case_release(case=case, actor=clerk)
    case.refresh_from_db()
    assert case.claimed_by is None
    assert case.claimed_at is None
    [event] = _events(case, "case.release")
    assert event.changes == {"claimed_by": [clerk.pk, None]}
    case_claim(case=case, actor=second_clerk)  # free again: anyone may claim it
    case.refresh_from_db()
    assert case.claimed_by == second_clerk


def test_bulk_assignment_gives_every_open_case_to_one_clerk_and_skips_the_closed(people, clerk, second_clerk, today):
    open_cases = listed_cases(3, today=today)
    closed = listed_cases(1, state=CaseState.APPROVED, today=today)[0]
    case_claim(case=open_cases[0], actor=clerk)
    assigned = cases_bulk_assign(public_ids=[c.public_id for c in [*open_cases, closed]], actor=clerk, to=second_clerk)
    assert sorted(c.public_id for c in assigned) == sorted(c.public_id for c in open_cases)
    assert set(Case.objects.filter(pk__in=[c.pk for c in open_cases]).values_list("claimed_by", flat=True)) == {
        second_clerk.pk
    }
    closed.refresh_from_db()
    assert closed.claimed_by is None
    assert _events(open_cases[0], "case.assign")[0].changes == {"claimed_by": [clerk.pk, second_clerk.pk]}
    assert AuditEvent.objects.filter(action="case.assign").count() == 3


def test_bulk_assignment_without_cases_or_with_too_many_is_refused(clerk, case):
    with pytest.raises(Invalid):
        cases_bulk_assign(public_ids=[], actor=clerk, to=clerk)
    with pytest.raises(Invalid):
        cases_bulk_assign(public_ids=[f"C{n}" for n in range(201)], actor=clerk, to=clerk)


def test_the_queue_narrows_to_mine_and_to_the_free(clerk, second_clerk, today, people):
    mine, theirs, free = listed_cases(3, today=today)
    case_claim(case=mine, actor=clerk)
    case_claim(case=theirs, actor=second_clerk)
    cases = Case.objects.filter(pk__in=[mine.pk, theirs.pk, free.pk])
    assert list(by_holder(cases, clerk, "mine")) == [mine]
    assert list(by_holder(cases, clerk, "free")) == [free]
    assert by_holder(cases, clerk, "all").count() == 3


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_claiming_one_case_at_once_one_holds_it(frozen_clock):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from tests.factories import make_personas

    people = make_personas()
    clerks = [people.clerk, make_user(Role.WINDOW_CLERK)]
    for _round in range(10):
        case = listed_cases(1)[0]
        results = run_concurrently([lambda c=c, case=case: case_claim(case=case, actor=c) for c in clerks])
        refused = [r for r in results if isinstance(r, InvalidState)]
        held = [r for r in results if isinstance(r, Case)]
        assert len(held) == 1, results
        assert len(refused) == 1, results
        case.refresh_from_db()
        assert case.claimed_by_id == held[0].claimed_by_id
        assert len(_events(case, "case.claim")) == 1
