"""The initial applications of the demo's past weeks (`AGED`): each filed at 北京星辰科技有限公司 and worked on, step
by step, on the days its plan gives, so that the queues show what time does to a case — near its limit (amber), past
it (red), paused while back for correction, deemed accepted — beside one approved, one rejected and one withdrawn.
`wrp.demo.timeline.run_in_order` takes their steps in the order of their days.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wrp.accounts.models import User
from wrp.cases.acceptance import case_accept
from wrp.cases.models import Case, CaseState
from wrp.cases.services import case_approve, case_forward, case_open, case_reject, case_start_review, case_withdraw
from wrp.demo.steps import RELATIVE_HOME, Demo, correction_ask, file_to, materials_accept
from wrp.demo.timeline import Story
from wrp.units.models import Unit

# Initial applications filed at 北京星辰科技有限公司 over the past weeks, by what they show (the applicant's username):
# each step on the n-th working day before today. The time limit is 20 working days from submission, the window's
# acceptance duty 5 (POLICY §3, §11 L-ACCEPT).
AGED: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = (
    ("initial_approved", ((30, "file"), (29, "review"), (27, "forward"), (25, "approve"))),
    ("clock_overdue", ((23, "file"), (22, "review"), (22, "accept"))),  # red: 3 working days past the due date
    ("initial_rejected", ((21, "file"), (20, "review"), (19, "reject"))),
    ("clock_bureau_soon", ((18, "file"), (17, "review"), (15, "forward"))),  # amber at the bureau: 2 days left
    ("clock_soon", ((17, "file"), (16, "review"), (16, "accept"))),  # amber at the window: 3 working days left
    ("initial_withdrawn", ((14, "file_to_unit"), (13, "withdraw"))),
    ("clock_paused", ((12, "file"), (11, "review"), (9, "ask_correction"))),  # grey: paused with 17 days kept
    ("clock_deemed", ((8, "file"), (6, "review"))),  # 视为受理: neither accepted nor returned within 5 working days
)
AGED_STATES = {CaseState.APPROVED, CaseState.REJECTED, CaseState.WITHDRAWN}  # made by AGED, not today


def initial_particulars(username: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An initial applicant's profile facts and the case's answers: the approved one has a child in the policy, the
    one in review lives in a relative's home (附件3 with its particulars)."""
    if username == "initial_approved":
        return {"children": [{"case": "in_policy"}]}, {"children": [{"name": "张小雨", "case": "in_policy"}]}
    if username == "initial_in_review":
        return {"children": [], "housing": {"kind": "relative", "lease_end": None}}, {"housing_loan": RELATIVE_HOME}
    return {"children": []}, {}


class AgedCase:
    """One initial application of `AGED`, its steps taken one at a time by the people who would take them."""

    def __init__(self, demo: Demo, username: str, *, unit: Unit, handler: User) -> None:
        self.demo, self.username, self.unit, self.handler = demo, username, unit, handler
        self.clerk, self.approver = demo.staff["clerk"], demo.staff["approver"]
        self.applicant: User | None = None
        self.case: Case | None = None

    def story(self, steps: Iterable[tuple[int, str]]) -> Story:
        for before, step in steps:
            yield self.demo.clock.workday(before)
            getattr(self, step)()

    def _open(self, target: str) -> None:
        facts, answers = initial_particulars(self.username)
        self.applicant = self.demo.applicant(self.username, self.unit, **facts)
        case = case_open(actor=self.applicant, kind="initial", unit=self.unit, answers=answers)
        self.case = file_to(self.demo, case, target, handler=self.handler, applicant=self.applicant)

    def file(self) -> None:
        self._open(CaseState.SUBMITTED)

    def file_to_unit(self) -> None:
        self._open(CaseState.AWAITING_UNIT)

    def review(self) -> None:
        self.case = case_start_review(case=self.current, actor=self.clerk)

    def accept(self) -> None:
        self.case = case_accept(case=self.current, actor=self.clerk)

    def ask_correction(self) -> None:
        self.case = correction_ask(self.demo, self.current)

    def forward(self) -> None:
        reasons = materials_accept(self.demo, self.current)
        self.case = case_forward(case=self.current, actor=self.clerk, review_reasons=reasons)

    def approve(self) -> None:
        self.case = case_approve(case=self.current, actor=self.approver)

    def reject(self) -> None:
        self.case = case_reject(case=self.current, actor=self.clerk, reason="经核查，申报材料与实际情况不符")

    def withdraw(self) -> None:
        self.case = case_withdraw(case=self.current, actor=self.applicant)

    @property
    def current(self) -> Case:
        assert self.case is not None, "a demo story's first step files its case"
        return self.case
