"""A small hand-built set of cases with known dates (2026, across the National Day holiday of 1–7 October), written
as rows — the statistics read rows, whatever service wrote them — and the figures it must give on the frozen day,
Thursday 2026-11-26."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from tests.clock import beijing
from tests.factories import make_ledger
from wrp.cases.models import Case, CaseEvent, CaseRating
from wrp.quotas.models import QuotaRequest

_ids = itertools.count(1)


def case_row(unit: Any, by: Any, kind: str, state: str, **fields: Any) -> Case:
    return Case.objects.create(
        public_id=f"CT{next(_ids):08d}", kind=kind, state=state, unit=unit, created_by=by, **fields
    )


def forwarded(case: Case, on: Any) -> None:
    CaseEvent.objects.create(case=case, at=on, action="forward", from_state="in_review", to_state="pending_approval")


def assessment(*checks: tuple[str, str]) -> dict[str, Any]:
    return {"zh": {"checks": [{"rule": rule, "outcome": outcome} for rule, outcome in checks]}}


def hand_built_cases(people: Any) -> dict[str, Case]:
    """The cases (A–K) and what they hold; comments give each stage in working days."""
    unit, handler, applicant = people.unit, people.handler, people.applicant
    cases: dict[str, Case] = {}
    # A initial: received Tue 29 Sep, accepted Fri 9 Oct (3: 30 Sep, 8 Oct, 9 Oct — 1–7 Oct are holidays),
    # forwarded Tue 13 Oct (3: Sat 10 Oct is a working day), approved Tue 20 Oct (5); total 11, due 28 Oct: in time.
    cases["A"] = case_row(
        unit,
        handler,
        "initial",
        "approved",
        applicant=applicant,
        accepted_on=date(2026, 9, 29),
        received_at=beijing(2026, 9, 29),
        accepted_at=beijing(2026, 10, 9),
        acceptance="explicit",
        decided_at=beijing(2026, 10, 20),
        due_on=date(2026, 10, 28),
        time_limit=20,
    )
    forwarded(cases["A"], beijing(2026, 10, 13))
    # B renewal: received Mon 2 Nov, accepted 3 Nov (1), forwarded 6 Nov (3), approved 10 Nov (2); total 6, in time.
    cases["B"] = case_row(
        unit,
        handler,
        "renewal",
        "approved",
        accepted_on=date(2026, 11, 2),
        received_at=beijing(2026, 11, 2),
        accepted_at=beijing(2026, 11, 3),
        acceptance="explicit",
        decided_at=beijing(2026, 11, 10),
        due_on=date(2026, 11, 30),
        time_limit=20,
    )
    forwarded(cases["B"], beijing(2026, 11, 6))
    # C info_change: received Mon 9 Nov, accepted 16 Nov (5), rejected at the window 20 Nov (4); total 9, due 18 Nov:
    # late. Refused on A-HOUSING.
    cases["C"] = case_row(
        unit,
        handler,
        "info_change",
        "rejected",
        subtype="address",
        accepted_on=date(2026, 11, 9),
        received_at=beijing(2026, 11, 9),
        accepted_at=beijing(2026, 11, 16),
        acceptance="explicit",
        decided_at=beijing(2026, 11, 20),
        due_on=date(2026, 11, 18),
        time_limit=20,
        assessment=assessment(("A-HOUSING", "review"), ("P-VALID", "pass")),
    )
    # D employer_change: deemed accepted as of 2 Nov, rejected 17 Nov (review 11); total 11, in time.
    cases["D"] = case_row(
        unit,
        handler,
        "employer_change",
        "rejected",
        accepted_on=date(2026, 11, 2),
        received_at=beijing(2026, 11, 2),
        accepted_at=beijing(2026, 11, 2),
        acceptance="deemed",
        decided_at=beijing(2026, 11, 17),
        due_on=date(2026, 11, 30),
        time_limit=20,
        assessment=assessment(("A-HOUSING", "review"), ("A-CONTRACT", "fail"), ("P-VALID", "pass")),
    )
    # E, F wait for acceptance (received Fri 20 Nov and Tue 24 Nov); G is accepted and overdue (due 20 Nov);
    # H is due today (not overdue); I is returned, its clock stopped (not overdue however old its due date).
    cases["E"] = case_row(
        unit,
        handler,
        "initial",
        "submitted",
        accepted_on=date(2026, 11, 20),
        received_at=beijing(2026, 11, 20),
        due_on=date(2026, 12, 18),
    )
    cases["F"] = case_row(
        unit,
        handler,
        "renewal",
        "in_review",
        accepted_on=date(2026, 11, 24),
        received_at=beijing(2026, 11, 24, 9),
        due_on=date(2026, 12, 22),
    )
    cases["G"] = case_row(
        unit,
        handler,
        "renewal",
        "in_review",
        accepted_on=date(2026, 10, 22),
        received_at=beijing(2026, 10, 22),
        accepted_at=beijing(2026, 10, 23),
        acceptance="explicit",
        due_on=date(2026, 11, 20),
    )
    cases["H"] = case_row(
        unit,
        handler,
        "initial",
        "pending_approval",
        accepted_on=date(2026, 10, 29),
        received_at=beijing(2026, 10, 29),
        accepted_at=beijing(2026, 10, 30),
        acceptance="explicit",
        due_on=date(2026, 11, 26),
    )
    cases["I"] = case_row(
        unit,
        handler,
        "unit_transfer",
        "returned",
        accepted_on=date(2026, 10, 1),
        received_at=beijing(2026, 10, 1),
        due_on=date(2026, 11, 1),
        paused_on=date(2026, 10, 20),
        days_left_at_pause=3,
    )
    # J withdrawn, K refused acceptance (不予受理), L a draft (counts nowhere).
    cases["J"] = case_row(
        unit,
        handler,
        "children_change",
        "withdrawn",
        accepted_on=date(2026, 11, 3),
        received_at=beijing(2026, 11, 3),
        decided_at=beijing(2026, 11, 5),
    )
    cases["K"] = case_row(
        unit,
        handler,
        "unit_opening",
        "rejected",
        accepted_on=date(2026, 11, 2),
        received_at=beijing(2026, 11, 2),
        acceptance="not_accepted",
        decided_at=beijing(2026, 11, 3),
    )
    cases["L"] = case_row(unit, handler, "initial", "draft")
    CaseRating.objects.create(
        case=cases["A"], party="unit", level="very_satisfied", rated_by=handler, rated_at=beijing(2026, 10, 21)
    )
    CaseRating.objects.create(
        case=cases["B"], party="unit", level="dissatisfied", rated_by=handler, rated_at=beijing(2026, 11, 11)
    )
    make_ledger(unit, 2026, granted=5, reserved=1, used=2)
    QuotaRequest.objects.create(
        unit=unit,
        year=2026,
        requested=8,
        reason="扩大研发团队",
        requested_by=handler,
        requested_at=beijing(2026, 1, 10),
        state="granted",
        granted=5,
    )
    return cases
