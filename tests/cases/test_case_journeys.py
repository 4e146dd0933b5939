"""Each kind of case from draft to decision, through the services alone, with its effect on approval."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.cases.conftest import attach, attach_all, free_slot
from tests.factories import make_association, make_open_unit, make_permit, make_unit, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.appointments.models import Booking
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import CaseEvent, CaseState, CorrectionNotice
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
from wrp.core.errors import Forbidden, Ineligible, Invalid, InvalidState, MaterialsMissing
from wrp.permits.models import PermitStatus
from wrp.quotas.models import QuotaLedger
from wrp.units.models import AccountStatus

pytestmark = pytest.mark.django_db
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}


def accept_all(case, clerk):
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=clerk, accepted=True)


def ledger(unit):
    return QuotaLedger.objects.get(unit=unit, year=2026)


def test_an_initial_case_goes_from_draft_to_a_permit_with_one_correction(people):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    case = case_submit(case=case, actor=people.applicant)
    assert case.state == CaseState.AWAITING_UNIT
    codes = attach_all(case, by=people.handler)
    assert "degree_and_diploma" in codes
    assert "housing_owned" in codes
    case = case_submit(case=case, actor=people.handler, slot=free_slot())
    assert case.state == CaseState.SUBMITTED
    assert case.assessment["zh"]["decision"] == "eligible"
    assert (case.accepted_on, case.due_on) == (date(2026, 11, 26), date(2026, 12, 24))
    assert ledger(people.unit).reserved == 1
    assert Booking.objects.filter(case=case).exists()

    case = case_start_review(case=case, actor=people.clerk)
    material_verdict(case=case, code="labour_contract", actor=people.clerk, accepted=False, reason="合同缺少签字页")
    case = case_return_for_correction(
        case=case, actor=people.clerk, problems=[{"material": "hukou_book", "text": "缺少变更页"}]
    )
    assert case.state == CaseState.RETURNED
    notice = CorrectionNotice.objects.get(case=case)
    assert {problem["material"] for problem in notice.problems} == {"hukou_book", "labour_contract"}
    assert case.paused_on == date(2026, 11, 26)
    assert case.days_left_at_pause == 20

    with pytest.raises(MaterialsMissing) as missing:
        case_resubmit(case=case, actor=people.handler)
    assert set(missing.value.missing) == {"hukou_book", "labour_contract"}
    attach(case, "hukou_book", by=people.handler)
    attach(case, "labour_contract", by=people.handler)
    case = case_resubmit(case=case, actor=people.handler)
    assert case.state == CaseState.IN_REVIEW
    assert case.version == 2
    assert case.snapshots.count() == 2

    accept_all(case, people.clerk)
    with pytest.raises(Forbidden):
        case_approve(case=case, actor=people.clerk)
    case = case_forward(case=case, actor=people.clerk)
    assert case.state == CaseState.PENDING_APPROVAL
    case = case_approve(case=case, actor=people.approver)
    assert case.state == CaseState.APPROVED
    permit = case.permit
    assert permit.holder == people.applicant
    assert permit.unit == people.unit
    assert permit.status == PermitStatus.VALID
    assert permit.valid_until == date(2029, 11, 26)
    assert (ledger(people.unit).reserved, ledger(people.unit).used) == (0, 1)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "open", "submit_to_unit", "submit", "start_review", "return", "resubmit", "accept", "forward", "approve",
    ]  # forwarding a case not yet accepted accepts it at the same time (L-ACCEPT)


def test_an_ineligible_case_cannot_be_submitted_and_nothing_is_held(people):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "hukou": "beijing_collective"}
    profile.save()
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    with pytest.raises(Ineligible) as refused:
        case_submit(case=case, actor=people.handler, slot=free_slot())
    failing = [c["rule"] for c in refused.value.assessment["zh"]["checks"] if c["outcome"] == "fail"]
    assert failing == ["A-HUKOU"]
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT
    assert case.assessment is None
    assert ledger(people.unit).reserved == 0
    assert not Booking.objects.exists()


def test_submission_checks_materials_before_the_slot_and_the_slot_before_the_policy(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    with pytest.raises(MaterialsMissing):
        case_submit(case=case, actor=people.handler, slot=None)
    attach_all(case, by=people.handler)
    with pytest.raises(Invalid) as no_slot:
        case_submit(case=case, actor=people.handler, slot=None)
    assert list(no_slot.value.fields) == ["slot"]
    with pytest.raises(Invalid) as bad_slot:
        case_submit(case=case, actor=people.handler, slot="nonsense")
    assert list(bad_slot.value.fields) == ["slot"]


def test_a_needs_review_case_is_forwarded_only_with_a_reason_for_each_review(people):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "employment_start": "2026-06-01"}  # A-TENURE: less than a year
    profile.save()
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_submit(case=case, actor=people.handler, slot=free_slot())
    assert case.assessment["zh"]["decision"] == "needs_review"
    case = case_start_review(case=case, actor=people.clerk)
    accept_all(case, people.clerk)
    with pytest.raises(Invalid) as refused:
        case_forward(case=case, actor=people.clerk, review_reasons={})
    assert list(refused.value.fields) == ["review_reasons.A-TENURE"]
    case = case_forward(case=case, actor=people.clerk, review_reasons={"A-TENURE": "试用期满，劳动关系稳定"})
    assert case.review_reasons == {"A-TENURE": "试用期满，劳动关系稳定"}


def test_forwarding_needs_every_required_material_accepted(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=people.clerk)
    material_verdict(case=case, code="hukou_book", actor=people.clerk, accepted=True)
    with pytest.raises(Invalid) as refused:
        case_forward(case=case, actor=people.clerk)
    assert "materials.labour_contract" in refused.value.fields
    assert "materials.hukou_book" not in refused.value.fields


def test_rejection_releases_the_quota_unit_and_the_slot(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=people.clerk)
    with pytest.raises(Invalid):
        case_reject(case=case, actor=people.clerk, reason=" ")
    case = case_reject(case=case, actor=people.clerk, reason="材料不实")
    assert case.state == CaseState.REJECTED
    assert case.decision_reason == "材料不实"
    assert ledger(people.unit).reserved == 0
    assert not Booking.objects.exists()


def test_withdrawal_after_submission_releases_what_the_case_held(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_submit(case=case, actor=people.handler, slot=free_slot())
    case = case_withdraw(case=case, actor=people.applicant)
    assert case.state == CaseState.WITHDRAWN
    assert ledger(people.unit).reserved == 0
    assert not Booking.objects.exists()
    with pytest.raises(InvalidState):
        case_withdraw(case=case, actor=people.handler)


def test_the_last_quota_unit_goes_to_the_first_submission(people):
    QuotaLedger.objects.filter(unit=people.unit).update(granted=1)
    make_association(people.other_applicant, people.unit)
    first = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    second = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.other_applicant)
    for case in (first, second):
        attach_all(case, by=people.handler)
    case_submit(case=first, actor=people.handler, slot=free_slot())
    with pytest.raises(Ineligible) as refused:
        case_submit(case=second, actor=people.handler, slot=free_slot())
    quota = [c for c in refused.value.assessment["zh"]["checks"] if c["rule"] == "U-QUOTA"]
    assert quota[0]["outcome"] == "fail"


def test_unit_opening_is_approved_at_the_window_and_opens_the_account(people):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, annual_tax=TAXES)
    case = case_open(actor=handler, kind="unit_opening", unit=unit)
    attach_all(case, by=handler)
    case = case_submit(case=case, actor=handler)
    assert case.state == CaseState.SUBMITTED
    assert case.due_on == date(2026, 12, 7)
    case = case_start_review(case=case, actor=people.clerk)
    accept_all(case, people.clerk)
    with pytest.raises(Forbidden):
        case_forward(case=case, actor=people.clerk)
    case = case_approve(case=case, actor=people.clerk)
    unit.refresh_from_db()
    assert (unit.account_status, unit.account_district) == (AccountStatus.OPEN, "chaoyang")


def test_unit_transfer_moves_the_account_to_chaoyang(people):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, account_status=AccountStatus.OPEN, account_district="haidian", annual_tax=TAXES)
    case = case_open(actor=handler, kind="unit_transfer", unit=unit)
    attach_all(case, by=handler)
    case = case_start_review(case=case_submit(case=case, actor=handler), actor=people.clerk)
    accept_all(case, people.clerk)
    case_approve(case=case, actor=people.clerk)
    unit.refresh_from_db()
    assert (unit.account_status, unit.account_district) == (AccountStatus.OPEN, "chaoyang")


def window_journey(case, people, *, handler=None, slot=True):
    handler = handler or people.handler
    attach_all(case, by=handler)
    case = case_submit(case=case, actor=handler, slot=free_slot() if slot else None)
    case = case_start_review(case=case, actor=people.clerk)
    accept_all(case, people.clerk)
    return case


def test_employer_change_moves_the_suspended_permit_to_the_new_unit(people):
    old_handler = make_user(Role.UNIT_HANDLER)
    old_unit = make_open_unit(old_handler)
    permit = make_permit(people.other_applicant, old_unit, issued_on=date(2025, 3, 1), status=PermitStatus.SUSPENDED)
    make_association(people.other_applicant, people.unit)
    case = case_open(actor=people.handler, kind="employer_change", unit=people.unit, applicant=people.other_applicant)
    assert "termination_certificate" in case_checklist(case)
    case = window_journey(case, people)
    assert ledger(people.unit).reserved == 1
    case = case_approve(case=case, actor=people.clerk)
    permit.refresh_from_db()
    assert (permit.unit, permit.status) == (people.unit, PermitStatus.VALID)
    assert (ledger(people.unit).reserved, ledger(people.unit).used) == (0, 1)


def test_children_change_adds_the_children_to_the_permit(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    case = case_open(
        actor=people.handler, kind="children_change", unit=people.unit, applicant=people.applicant,
        answers={"children": [{"name": "张小明", "case": "in_policy"}]},
    )
    assert "child_in_policy" in case_checklist(case)
    case_approve(case=window_journey(case, people), actor=people.clerk)
    assert list(permit.children.values_list("name", "case")) == [("张小明", "in_policy")]


def test_an_address_change_records_the_new_home_in_the_profile(people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    new_home = {"kind": "rented_residential", "lease_end": "2028-01-31"}
    case = case_open(
        actor=people.handler, kind="info_change", subtype="address", unit=people.unit, applicant=people.applicant,
        answers={"housing": new_home},
    )
    assert "housing_rented_residential" in case_checklist(case)
    case_approve(case=window_journey(case, people), actor=people.clerk)
    assert ApplicantProfile.objects.get(user=people.applicant).facts["housing"] == new_home


def test_a_name_change_renames_the_holder(people):
    make_permit(people.applicant, people.unit, issued_on=date(2025, 3, 1))
    case = case_open(
        actor=people.handler, kind="info_change", subtype="name_or_hukou", unit=people.unit,
        applicant=people.applicant, answers={"real_name": "李新名"},
    )
    case_approve(case=window_journey(case, people), actor=people.clerk)
    people.applicant.refresh_from_db()
    assert people.applicant.real_name == "李新名"


def test_renewal_inside_the_window_adds_three_years(people):
    permit = make_permit(people.applicant, people.unit, issued_on=date(2023, 12, 20))
    assert permit.valid_until == date(2026, 12, 20)
    case = case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)
    case = window_journey(case, people)
    case = case_forward(case=case, actor=people.clerk)
    case_approve(case=case, actor=people.approver)
    permit.refresh_from_db()
    assert permit.valid_until == date(2029, 12, 20)


def test_renewal_outside_the_window_is_refused(people):
    make_permit(people.applicant, people.unit, issued_on=date(2024, 3, 1))  # valid until 2027-03-01
    case = case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    with pytest.raises(Ineligible) as refused:
        case_submit(case=case, actor=people.handler, slot=free_slot())
    window = [c for c in refused.value.assessment["zh"]["checks"] if c["rule"] == "P-RENEWAL-WINDOW"]
    assert window[0]["outcome"] == "fail"


def test_a_blacklisted_unit_cannot_submit(people):
    from wrp.units.services import penalty_impose

    penalty_impose(unit=people.unit, actor=people.approver, kind="blacklisted", reason="恶意拖延解除关联")
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    with pytest.raises(Ineligible):
        case_submit(case=case, actor=people.handler, slot=free_slot())


def test_the_bureau_cannot_approve_what_is_not_pending(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=people.clerk)
    with pytest.raises(InvalidState):
        case_approve(case=case, actor=people.approver)
    with pytest.raises(InvalidState):
        case_reject(case=case, actor=people.approver, reason="x")


def test_a_returned_case_resumes_with_the_days_that_were_left_across_a_holiday(people, today):
    import time_machine

    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_start_review(case=case_submit(case=case, actor=people.handler, slot=free_slot()), actor=people.clerk)
    with time_machine.travel(date(2026, 12, 1) + timedelta(hours=10), tick=False):  # 3 working days later
        case = case_return_for_correction(case=case, actor=people.clerk, problems=[{"material": None, "text": "请补充"}])
    assert case.days_left_at_pause == 17
    with time_machine.travel(date(2026, 12, 31) + timedelta(hours=10), tick=False):
        case = case_resubmit(case=case, actor=people.handler)
    # 17 working days after 2026-12-31: the 2027 holiday notice is not loaded, so the date is provisional
    assert case.paused_on is None
    assert case.clock_provisional is True
    assert case.due_on == date(2027, 1, 25)
