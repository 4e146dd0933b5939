"""Every transition, allowed and refused, per role and relation to the case (a table, not test by test)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cases.conftest import free_slot
from tests.factories import case_in_state
from wrp.cases.models import Case, CaseState
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_open,
    case_reject,
    case_resubmit,
    case_return_for_correction,
    case_start_review,
    case_submit,
    case_withdraw,
)
from wrp.core.errors import Forbidden, InvalidState

pytestmark = pytest.mark.django_db

PERSONAS = ("applicant", "other_applicant", "handler", "other_handler", "clerk", "approver", "admin")


def draft(people) -> Case:
    return case_in_state(people, "draft")


def submitted(people) -> Case:
    return case_in_state(people, "submitted")


def in_review(people) -> Case:
    return case_in_state(people, "in_review")


def returned(people) -> Case:
    return case_in_state(people, "returned")


def pending(people) -> Case:
    return case_in_state(people, "pending_approval")


ACTIONS: dict[str, tuple[Callable[[Any], Case], Callable[[Case, Any], Case], str]] = {
    # action: (how to reach the starting state, the call, the state it leads to)
    "submit_draft": (draft, lambda case, actor: case_submit(case=case, actor=actor, slot=free_slot()), "*"),
    "start_review": (submitted, lambda case, actor: case_start_review(case=case, actor=actor), CaseState.IN_REVIEW),
    "return": (
        in_review,
        lambda case, actor: case_return_for_correction(case=case, actor=actor, problems=[{"material": None, "text": "x"}]),
        CaseState.RETURNED,
    ),
    "resubmit": (returned, lambda case, actor: case_resubmit(case=case, actor=actor), CaseState.IN_REVIEW),
    "forward": (in_review, lambda case, actor: case_forward(case=case, actor=actor), CaseState.PENDING_APPROVAL),
    "approve_pending": (pending, lambda case, actor: case_approve(case=case, actor=actor), CaseState.APPROVED),
    "approve_in_review": (in_review, lambda case, actor: case_approve(case=case, actor=actor), CaseState.APPROVED),
    "reject_in_review": (
        in_review, lambda case, actor: case_reject(case=case, actor=actor, reason="不符合"), CaseState.REJECTED,
    ),
    "reject_pending": (
        pending, lambda case, actor: case_reject(case=case, actor=actor, reason="不符合"), CaseState.REJECTED,
    ),
    "withdraw_draft": (draft, lambda case, actor: case_withdraw(case=case, actor=actor), CaseState.WITHDRAWN),
    "withdraw_returned": (returned, lambda case, actor: case_withdraw(case=case, actor=actor), CaseState.WITHDRAWN),
}

OK, NO, STATE = "ok", Forbidden, InvalidState
# Rows: action → outcome for each persona in PERSONAS order.
EXPECTED: dict[str, tuple[Any, ...]] = {
    "submit_draft":      (OK, NO, OK, NO, NO, NO, NO),
    "start_review":      (NO, NO, NO, NO, OK, NO, NO),
    "return":            (NO, NO, NO, NO, OK, NO, NO),
    "resubmit":          (NO, NO, OK, NO, NO, NO, NO),
    "forward":           (NO, NO, NO, NO, OK, NO, NO),
    "approve_pending":   (NO, NO, NO, NO, NO, OK, NO),
    "approve_in_review": (NO, NO, NO, NO, NO, STATE, NO),  # an initial case: the clerk may not approve (bureau item)
    "reject_in_review":  (NO, NO, NO, NO, OK, STATE, NO),
    "reject_pending":    (NO, NO, NO, NO, STATE, OK, NO),
    "withdraw_draft":    (OK, NO, OK, NO, NO, NO, NO),
    "withdraw_returned": (OK, NO, OK, NO, NO, NO, NO),
}  # fmt: skip

CASES = [
    pytest.param(action, persona, EXPECTED[action][index], id=f"{action}-{persona}")
    for action in ACTIONS
    for index, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("action", "persona", "expected"), CASES)
def test_each_transition_is_allowed_only_to_the_roles_the_state_machine_names(people, action, persona, expected):
    reach, call, target = ACTIONS[action]
    case = reach(people)
    before = case.state
    actor = getattr(people, persona)
    if expected == OK:
        after = call(case, actor)
        assert after.state == (target if target != "*" else after.state)
        assert after.state != before
        return
    with pytest.raises(expected):
        call(case, actor)
    case.refresh_from_db()
    assert case.state == before  # a refused call changes nothing


def test_the_clerk_cannot_approve_an_initial_case_at_the_window(people):
    with pytest.raises(Forbidden):
        case_approve(case=in_review(people), actor=people.clerk)


def test_a_handler_cannot_open_a_case_for_an_applicant_who_is_not_associated(people):
    from wrp.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.other_applicant)
    assert list(refused.value.fields) == ["applicant"]


def test_an_applicant_cannot_open_a_unit_item(people):
    with pytest.raises(Forbidden):
        case_open(actor=people.applicant, kind="unit_opening", unit=people.unit)


def test_a_handler_cannot_open_a_case_for_another_unit(people):
    from wrp.core.errors import Invalid

    with pytest.raises(Invalid) as refused:
        case_open(actor=people.other_handler, kind="unit_transfer", unit=people.unit)
    assert "unit" in refused.value.fields
