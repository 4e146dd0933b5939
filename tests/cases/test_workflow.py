"""The transition table walked against the services: for each kind walked, each state a case of it can reach, each
action and each persona, the service does exactly what the table says — every allowed row succeeds and leads to its
state, every other pair is refused with the table's error (Forbidden for the role, relation or kind, InvalidState for
the state) and changes nothing — and `allowed_actions` lists exactly the allowed ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from tests.cases.conftest import attach_all, free_slot
from tests.factories import make_permit
from wrp.accounts.models import Role
from wrp.cases.acceptance import case_accept, case_extend, case_refuse_acceptance
from wrp.cases.materials import case_checklist, material_upload, material_verdict
from wrp.cases.models import Case, CaseState
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_open,
    case_reject,
    case_resubmit,
    case_return_for_correction,
    case_send_back,
    case_start_review,
    case_submit,
    case_update_answers,
    case_withdraw,
)
from wrp.cases.workflow import (
    ACTIONS,
    EDITABLE,
    FINAL_STATES,
    OPEN_STATES,
    RUNNING,
    TRANSITIONS,
    WITHDRAWABLE,
    Relation,
    allowed_actions,
    rows,
)
from wrp.core.errors import Forbidden, InvalidState, ServiceError
from wrp.documents.pdfcheck import Sanitised

pytestmark = pytest.mark.django_db

PERSONAS = ("applicant", "other_applicant", "handler", "other_handler", "clerk", "approver", "admin")
# How each persona stands to the cases built here (the applicant's own, filed for `unit`, which `handler` handles).
STANDING = {"applicant": Relation.APPLICANT, "handler": Relation.HANDLER}
OK = "ok"
PDF = Sanitised(pdf=b"%PDF-1.7 walked", pages=1, sha256="0" * 64)


# --- cases in each state ----------------------------------------------------------------------------------------------


def _draft(people: Any, kind: str) -> Case:
    answers: dict[str, Any] = {}
    if kind == "children_change":
        make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
        answers = {"children": [{"name": "张小明", "case": "in_policy"}]}
    case = case_open(actor=people.handler, kind=kind, unit=people.unit, applicant=people.applicant, answers=answers)
    attach_all(case, by=people.handler)
    return case


def _submitted(people: Any, kind: str) -> Case:
    return case_submit(case=_draft(people, kind), actor=people.handler, slot=free_slot())


def _in_review(people: Any, kind: str) -> Case:
    case = case_start_review(case=_submitted(people, kind), actor=people.clerk)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=people.clerk, accepted=True)
    return case


def _pending(people: Any, kind: str) -> Case:
    return case_forward(case=_in_review(people, kind), actor=people.clerk)


def _approved(people: Any, kind: str) -> Case:
    if kind == "initial":
        return case_approve(case=_pending(people, kind), actor=people.approver)
    return case_approve(case=_in_review(people, kind), actor=people.clerk)


REACH: dict[str, Callable[[Any, str], Case]] = {
    CaseState.DRAFT: _draft,
    CaseState.AWAITING_UNIT: lambda people, kind: case_submit(case=_draft(people, kind), actor=people.applicant),
    CaseState.SUBMITTED: _submitted,
    CaseState.IN_REVIEW: _in_review,
    CaseState.RETURNED: lambda people, kind: case_return_for_correction(
        case=_in_review(people, kind), actor=people.clerk, problems=[{"material": None, "text": "请补充说明"}]
    ),
    CaseState.PENDING_APPROVAL: _pending,
    CaseState.APPROVED: _approved,
    CaseState.REJECTED: lambda people, kind: case_reject(case=_in_review(people, kind), actor=people.clerk, reason="不符合"),
    CaseState.WITHDRAWN: lambda people, kind: case_withdraw(case=_draft(people, kind), actor=people.handler),
}

# The kinds walked: a bureau item (initial, with quota) and a window item (children_change).
WALKS = [
    pytest.param(kind, state, id=f"{kind}-{state}")
    for kind in ("initial", "children_change")
    for state in CaseState.values
    if not (kind == "children_change" and state == CaseState.PENDING_APPROVAL)  # window items never go there
]


# --- each action through its service ----------------------------------------------------------------------------------


def _first_material(case: Case) -> str:
    return case_checklist(case)[0]


DOORS: dict[str, list[Callable[[Case, Any], Any]]] = {
    # action: every service that takes it (edit has two doors: the answers and the uploads)
    "submit": [lambda case, actor: case_submit(case=case, actor=actor, slot=free_slot())],
    "edit": [
        lambda case, actor: case_update_answers(case=case, actor=actor, answers=dict(case.answers)),
        lambda case, actor: material_upload(
            case=case, code=_first_material(case), actor=actor, data=b"", sanitised=PDF
        ),
    ],
    "start_review": [lambda case, actor: case_start_review(case=case, actor=actor)],
    "judge": [lambda case, actor: material_verdict(case=case, code=_first_material(case), actor=actor, accepted=True)],
    "return": [
        lambda case, actor: case_return_for_correction(case=case, actor=actor, problems=[{"material": None, "text": "x"}])
    ],
    "resubmit": [lambda case, actor: case_resubmit(case=case, actor=actor)],
    "forward": [lambda case, actor: case_forward(case=case, actor=actor)],
    "approve": [lambda case, actor: case_approve(case=case, actor=actor)],
    "reject": [lambda case, actor: case_reject(case=case, actor=actor, reason="不符合")],
    "withdraw": [lambda case, actor: case_withdraw(case=case, actor=actor)],
    "send_back": [lambda case, actor: case_send_back(case=case, actor=actor, message="请补充劳动合同签字页")],
    "accept": [lambda case, actor: case_accept(case=case, actor=actor)],
    "refuse_acceptance": [lambda case, actor: case_refuse_acceptance(case=case, actor=actor, reason="不属于本区")],
    "extend": [lambda case, actor: case_extend(case=case, actor=actor, reason="需要核查")],
}


class _Undo(Exception):
    """Leaves the savepoint of an allowed call, so that every call starts from the same case."""

    def __init__(self, state: str) -> None:
        self.state = state


def _attempt(case: Case, actor: Any, door: Callable[[Case, Any], Any]) -> Any:
    """What the service did: ("ok", the state it left the case in), or the refusal's class (nothing changed)."""
    try:
        with transaction.atomic():
            door(Case.objects.get(pk=case.pk), actor)
            raise _Undo(Case.objects.get(pk=case.pk).state)
    except _Undo as undone:
        return (OK, undone.state)
    except ServiceError as refused:
        assert Case.objects.get(pk=case.pk).state == case.state, "a refused call changed the case"
        return type(refused)


def _expected(case: Case, persona: str, role: str, action: str) -> Any:
    """The table read plainly: the rows for the persona's role and standing, then the kind, then the state."""
    standing = {Relation.ROLE, STANDING.get(persona)}
    mine = [row for row in rows(action) if row.role == role and row.relation in standing]
    if not mine:
        return Forbidden
    mine = [row for row in mine if row.kinds is None or case.kind in row.kinds]
    if not mine:
        return Forbidden
    now = [row for row in mine if case.state in row.sources]
    if not now:
        return InvalidState
    if now[0].guard is not None and now[0].guard(case, timezone.localdate()) is not None:
        return InvalidState  # acceptance and extension: acts recorded on the case, checked beyond the state
    return (OK, now[0].target or case.state)  # no persona here reviewed the case: separation is tested below


@pytest.mark.parametrize(("kind", "state"), WALKS)
def test_every_service_does_what_the_transition_table_says(people, private_media, kind, state):
    case = REACH[state](people, kind)
    assert case.state == state
    wrong, succeeded = [], 0
    for persona in PERSONAS:
        actor = getattr(people, persona)
        allowed = set()
        for action in ACTIONS:
            expected = _expected(case, persona, actor.role, action)
            if expected != Forbidden and expected != InvalidState:
                allowed.add(action)
            for index, door in enumerate(DOORS[action]):
                got = _attempt(case, actor, door)
                succeeded += got != Forbidden and got != InvalidState
                if got != expected:
                    wrong.append(f"{action}[{index}] by {persona} in {state}: expected {expected}, got {got}")
        listed = allowed_actions(Case.objects.get(pk=case.pk), actor)
        if listed != allowed:
            wrong.append(f"allowed_actions of {persona} in {state}: {sorted(listed)} != {sorted(allowed)}")
    assert wrong == []
    assert (succeeded > 0) == (state not in FINAL_STATES)  # every open state has someone who may act


def test_every_action_has_a_door_and_every_door_an_action():
    assert set(DOORS) == set(ACTIONS)


def test_the_bureau_cannot_decide_a_case_its_approver_reviewed(people, second_clerk):
    """Separation of duties: a clerk who reviewed (or forwarded) a case and later became an approver decides it not."""
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=second_clerk)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=people.clerk, accepted=True)
    case = case_forward(case=case, actor=people.clerk)
    for reviewer in (second_clerk, people.clerk):  # the reviewer, then the one who forwarded it
        reviewer.role = Role.BUREAU_APPROVER
        reviewer.save(update_fields=["role"])
        assert "approve" not in allowed_actions(case, reviewer)
        with pytest.raises(Forbidden) as refused:
            case_approve(case=case, actor=reviewer)
        assert refused.value.code == "separation_of_duties"
        with pytest.raises(Forbidden) as refused:
            case_reject(case=case, actor=reviewer, reason="不符合")
        assert refused.value.code == "separation_of_duties"
    assert {"approve", "reject"} <= allowed_actions(case, people.approver)
    assert case_approve(case=case, actor=people.approver).state == CaseState.APPROVED


def test_refusals_name_who_may_act_by_code(people):
    case = _draft(people, "initial")
    expected = {
        "start_review": "clerks_only", "resubmit": "unit_handlers_only", "withdraw": "filers_only",
        "approve": "reviewers_only",
    }
    calls = {
        "start_review": lambda: case_start_review(case=case, actor=people.applicant),
        "resubmit": lambda: case_resubmit(case=case, actor=people.applicant),
        "withdraw": lambda: case_withdraw(case=case, actor=people.clerk),
        "approve": lambda: case_approve(case=case, actor=people.handler),
    }
    for action, call in calls.items():
        with pytest.raises(Forbidden) as refused:
            call()
        assert refused.value.code == expected[action]
        assert str(refused.value.message)  # a message for people, in the active language


def test_the_window_is_told_which_items_go_to_the_bureau(people):
    bureau = _in_review(people, "initial")
    with pytest.raises(Forbidden) as refused:
        case_approve(case=bureau, actor=people.clerk)
    assert refused.value.code == "bureau_item"


def test_a_window_item_is_not_forwarded(people):
    window = _in_review(people, "children_change")
    with pytest.raises(Forbidden) as refused:
        case_forward(case=window, actor=people.clerk)
    assert refused.value.code == "window_item"


# --- the state sets, derived from the table ---------------------------------------------------------------------------


def test_the_state_sets_derived_from_the_table_are_those_of_the_state_machine():
    S = CaseState
    assert {S.APPROVED, S.REJECTED, S.WITHDRAWN} == FINAL_STATES
    assert {S.SUBMITTED, S.IN_REVIEW, S.RETURNED, S.PENDING_APPROVAL} == OPEN_STATES
    assert {S.SUBMITTED, S.IN_REVIEW, S.PENDING_APPROVAL} == RUNNING
    assert {S.DRAFT, S.AWAITING_UNIT, S.SUBMITTED, S.RETURNED} == WITHDRAWABLE
    assert {S.DRAFT, S.AWAITING_UNIT, S.RETURNED} == EDITABLE


def test_every_row_starts_from_a_state_that_is_not_final_and_leads_to_a_known_one():
    for row in TRANSITIONS:
        assert row.sources, row
        assert not (row.sources & FINAL_STATES), row
        assert row.target is None or row.target in CaseState.values, row
    assert set(CaseState.values) == set().union(*(row.sources for row in TRANSITIONS)) | FINAL_STATES


def test_an_unknown_action_is_no_row():
    with pytest.raises(KeyError):
        rows("publish")
