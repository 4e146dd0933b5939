"""The acceptance duty (POLICY §11 L-ACCEPT), non-acceptance and the extension (L-EXTEND), through the services.

The cases here are submitted on Tuesday 2026-09-29, just before the National Day holiday (1–7 October 2026, with
Saturday 10 October a working day): the 5th working day after it is Monday 12 October, so a count in calendar days
or in weekdays alone would deem the case accepted a week too early.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.cases.conftest import attach_all, free_slot
from tests.clock import beijing
from tests.factories import case_in_state
from wrp.cases import clock
from wrp.cases.acceptance import (
    acceptance_view,
    case_accept,
    case_extend,
    case_refuse_acceptance,
    cases_deem_accepted,
)
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Acceptance, Case, CaseEvent, CaseState
from wrp.cases.notices import receipt_data
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_open,
    case_reject,
    case_resubmit,
    case_return_for_correction,
    case_start_review,
    case_submit,
)
from wrp.cases.workflow import allowed_actions
from wrp.core.errors import Forbidden, Invalid, InvalidState
from wrp.documents.models import IssuedDocument
from wrp.quotas.models import QuotaLedger
from wrp.tasks.registry import JOBS

pytestmark = pytest.mark.django_db

SUBMITTED_ON = date(2026, 9, 29)
ACCEPTANCE_DUE = date(2026, 10, 12)  # 9-30, 10-8, 10-9, 10-10 (调休上班), 10-12
PROBLEM = [{"material": None, "text": "请补充说明"}]


@pytest.fixture
def frozen_moment():
    return beijing(2026, 9, 29, 10)


def submitted(people, kind: str = "initial") -> Case:
    case = case_open(actor=people.handler, kind=kind, unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    return case_submit(case=case, actor=people.handler, slot=free_slot())


def in_review(people, kind: str = "initial") -> Case:
    case = case_start_review(case=submitted(people, kind), actor=people.clerk)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=people.clerk, accepted=True)
    return case


def documents(case: Case, kind: str) -> list[IssuedDocument]:
    return list(IssuedDocument.objects.filter(case=case, kind=kind).order_by("issued_at", "id"))


# --- receipt and deadline -------------------------------------------------------------------------------------------


def test_submission_issues_a_receipt_and_gives_the_window_five_working_days_across_the_holiday(people, private_media):
    case = submitted(people)
    assert case.accepted_on == SUBMITTED_ON  # the clock's day: the materials arrived
    assert case.acceptance_due == ACCEPTANCE_DUE
    assert case.accepted_at is None
    (receipt,) = documents(case, "receipt")
    assert receipt.number
    assert receipt.case_version == 1
    data = receipt_data(case)
    assert data.acceptance_due == ACCEPTANCE_DUE
    assert data.received_at.date() == SUBMITTED_ON
    assert data.received_at.hour == 10
    assert len(data.materials) == len(case_checklist(case))
    assert all(material.title for material in data.materials)
    view = acceptance_view(case, today=SUBMITTED_ON)
    assert (view.due, view.accepted_on, view.how, view.pending) == (ACCEPTANCE_DUE, None, None, True)


def test_resubmission_issues_a_new_receipt_with_a_new_deadline(people, private_media, frozen_clock):
    case = case_return_for_correction(case=in_review(people), actor=people.clerk, problems=PROBLEM)
    frozen_clock.move_to(beijing(2026, 10, 9, 15))
    case = case_resubmit(case=case, actor=people.handler)
    assert case.acceptance_due == date(2026, 10, 15)  # 10-10 (调休上班), 10-12, 10-13, 10-14, 10-15
    first, second = documents(case, "receipt")
    assert second.supersedes_id == first.pk
    assert receipt_data(case).submission == 2


# --- explicit acceptance ------------------------------------------------------------------------------------------


def test_the_clerk_accepts_once_and_then_return_is_refused(people, private_media):
    case = in_review(people)
    assert {"accept", "return", "refuse_acceptance"} <= allowed_actions(case, people.clerk)
    case = case_accept(case=case, actor=people.clerk)
    assert case.state == CaseState.IN_REVIEW  # an act, not a state
    assert (case.acceptance, case.accepted_by) == (Acceptance.EXPLICIT, people.clerk)
    assert len(documents(case, "acceptance")) == 1
    event = CaseEvent.objects.filter(case=case, action="accept").get()
    assert event.detail == {"how": "explicit"}
    assert {"accept", "return", "refuse_acceptance"}.isdisjoint(allowed_actions(case, people.clerk))
    with pytest.raises(InvalidState) as again:
        case_accept(case=case, actor=people.clerk)
    assert again.value.code == "already_accepted"
    with pytest.raises(InvalidState) as refused:
        case_return_for_correction(case=case, actor=people.clerk, problems=PROBLEM)
    assert refused.value.code == "accepted_no_return"
    assert "不能再退回补正" in str(refused.value.message)
    assert Case.objects.get(pk=case.pk).state == CaseState.IN_REVIEW
    assert case_forward(case=case, actor=people.clerk).state == CaseState.PENDING_APPROVAL  # decisions remain
    assert Case.objects.get(pk=case.pk).acceptance == Acceptance.EXPLICIT  # forwarding does not accept again


def test_only_a_window_clerk_accepts(people, private_media):
    case = submitted(people)
    for persona in (people.handler, people.applicant, people.approver):
        with pytest.raises(Forbidden):
            case_accept(case=case, actor=persona)
    assert case_accept(case=case, actor=people.clerk).acceptance == Acceptance.EXPLICIT  # also before the review


# --- acceptance with the decision ------------------------------------------------------------------------------------


def test_forwarding_a_case_not_yet_accepted_accepts_it_with_the_decision(people, private_media):
    case = case_forward(case=in_review(people), actor=people.clerk)
    assert (case.acceptance, case.accepted_by) == (Acceptance.WITH_DECISION, people.clerk)
    assert len(documents(case, "acceptance")) == 1
    case = case_approve(case=case, actor=people.approver)
    assert case.acceptance == Acceptance.WITH_DECISION
    assert len(documents(case, "acceptance")) == 1


def test_a_window_approval_of_a_case_not_yet_accepted_accepts_it_with_the_decision(people, private_media):
    case = case_in_state(people, "in_review", kind="unit_opening", unit=_new_unit(people))
    case = case_approve(case=case, actor=people.clerk)
    assert case.state == CaseState.APPROVED
    assert case.acceptance == Acceptance.WITH_DECISION
    assert documents(case, "acceptance")


def test_a_rejection_of_a_case_not_yet_accepted_accepts_it_too(people, private_media):
    case = case_reject(case=in_review(people), actor=people.clerk, reason="不符合条件")
    assert case.acceptance == Acceptance.WITH_DECISION


def _new_unit(people):
    from tests.factories import make_unit

    return make_unit(people.handler, annual_tax={"2023": "300000", "2024": "300000", "2025": "300000"})


# --- deemed acceptance --------------------------------------------------------------------------------------------


def test_the_window_may_still_return_on_the_fifth_working_day_after_the_holiday(people, private_media, frozen_clock):
    case = in_review(people)
    frozen_clock.move_to(beijing(2026, 10, 12, 16, 30))  # 13 calendar days later, but only the 5th working day
    assert acceptance_view(case, today=date(2026, 10, 12)).pending
    assert "return" in allowed_actions(case, people.clerk)
    assert case_return_for_correction(case=case, actor=people.clerk, problems=PROBLEM).state == CaseState.RETURNED


def test_after_five_working_days_the_case_is_deemed_accepted_from_the_day_the_materials_arrived(
    people, private_media, frozen_clock
):
    case = in_review(people)
    frozen_clock.move_to(beijing(2026, 10, 13, 9))
    # before the job runs, the date alone decides
    view = acceptance_view(Case.objects.get(pk=case.pk), today=date(2026, 10, 13))
    assert (view.how, view.accepted_on, view.pending) == (Acceptance.DEEMED, SUBMITTED_ON, False)
    assert "return" not in allowed_actions(case, people.clerk)
    with pytest.raises(InvalidState) as refused:
        case_return_for_correction(case=case, actor=people.clerk, problems=PROBLEM)
    assert refused.value.code == "accepted_no_return"
    # the daily job records it once, as of the day the materials arrived, with its notice
    assert JOBS["acceptance.deemed"].func(today=date(2026, 10, 13)) == {"deemed": 1}
    assert cases_deem_accepted(today=date(2026, 10, 13)) == 0
    case.refresh_from_db()
    assert case.acceptance == Acceptance.DEEMED
    assert case.accepted_by is None
    assert case.accepted_at.astimezone(beijing(2026, 1, 1).tzinfo).date() == SUBMITTED_ON
    assert len(documents(case, "acceptance")) == 1
    assert case_forward(case=case, actor=people.clerk).state == CaseState.PENDING_APPROVAL


def test_the_job_leaves_cases_within_their_five_days_and_cases_already_accepted(people, private_media, frozen_clock):
    waiting = submitted(people)
    other = case_in_state(people, "submitted", kind="unit_opening", unit=_new_unit(people))
    accepted = case_accept(case=other, actor=people.clerk)
    frozen_clock.move_to(beijing(2026, 10, 12, 18))
    assert cases_deem_accepted(today=date(2026, 10, 12)) == 0
    frozen_clock.move_to(beijing(2026, 10, 13, 1))
    assert cases_deem_accepted(today=date(2026, 10, 13)) == 1
    waiting.refresh_from_db()
    accepted.refresh_from_db()
    assert (waiting.acceptance, accepted.acceptance) == (Acceptance.DEEMED, Acceptance.EXPLICIT)


def test_a_forward_after_the_deadline_records_the_acceptance_as_deemed(people, private_media, frozen_clock):
    case = in_review(people)
    frozen_clock.move_to(beijing(2026, 10, 14, 11))
    case = case_forward(case=case, actor=people.clerk)
    assert case.acceptance == Acceptance.DEEMED
    assert case.accepted_by is None


# --- non-acceptance ---------------------------------------------------------------------------------------------------


def test_refusing_acceptance_ends_the_case_releases_its_quota_and_issues_the_notice(people, private_media):
    case = submitted(people)
    ledger = QuotaLedger.objects.get(unit=people.unit, year=2026)
    assert ledger.reserved == 1
    with pytest.raises(Invalid) as blank:
        case_refuse_acceptance(case=case, actor=people.clerk, reason="  ")
    assert blank.value.codes == {"reason": "reason_required"}
    case = case_refuse_acceptance(case=case, actor=people.clerk, reason="申请人工作单位注册地不在朝阳区")
    assert case.state == CaseState.REJECTED
    assert case.acceptance == Acceptance.NOT_ACCEPTED
    assert case.accepted_at is None
    assert case.acceptance_reason == "申请人工作单位注册地不在朝阳区"
    ledger.refresh_from_db()
    assert ledger.reserved == 0
    assert len(documents(case, "non_acceptance")) == 1
    assert documents(case, "decision") == []  # a 不予受理通知书 instead of a decision letter
    assert acceptance_view(case, today=SUBMITTED_ON).how == Acceptance.NOT_ACCEPTED


def test_acceptance_cannot_be_refused_once_the_case_is_accepted(people, private_media):
    case = case_accept(case=submitted(people), actor=people.clerk)
    with pytest.raises(InvalidState) as refused:
        case_refuse_acceptance(case=case, actor=people.clerk, reason="不属于本区")
    assert refused.value.code == "already_accepted"


# --- extension --------------------------------------------------------------------------------------------------------


def test_the_bureau_extends_once_by_ten_working_days(people, private_media):
    case = case_forward(case=in_review(people), actor=people.clerk)
    due = case.due_on
    assert due == date(2026, 11, 2)
    assert "extend" in allowed_actions(case, people.approver)
    with pytest.raises(Invalid):
        case_extend(case=case, actor=people.approver, reason="")
    case = case_extend(case=case, actor=people.approver, reason="需向外区核实社保缴纳记录")
    assert case.due_before_extension == due
    assert case.due_on == date(2026, 11, 16)  # 10 working days after 2 November
    assert clock.view(case, today=SUBMITTED_ON).due == date(2026, 11, 16)
    assert len(documents(case, "extension")) == 1
    assert "extend" not in allowed_actions(case, people.approver)
    with pytest.raises(InvalidState) as twice:
        case_extend(case=case, actor=people.approver, reason="再次延期")
    assert twice.value.code == "already_extended"
    assert Case.objects.get(pk=case.pk).due_on == date(2026, 11, 16)


def test_no_extension_after_the_due_date(people, private_media, frozen_clock):
    case = case_forward(case=in_review(people), actor=people.clerk)
    frozen_clock.move_to(beijing(2026, 11, 2, 17))
    assert "extend" in allowed_actions(case, people.approver)  # the last day still counts
    frozen_clock.move_to(beijing(2026, 11, 3, 9))
    assert "extend" not in allowed_actions(case, people.approver)
    with pytest.raises(InvalidState) as late:
        case_extend(case=case, actor=people.approver, reason="需要核查")
    assert late.value.code == "past_due"
    assert "不能再延期" in str(late.value.message)


def test_only_the_bureau_extends(people, private_media):
    case = in_review(people)
    for persona in (people.clerk, people.handler, people.applicant):
        with pytest.raises(Forbidden):
            case_extend(case=case, actor=persona, reason="需要核查")
