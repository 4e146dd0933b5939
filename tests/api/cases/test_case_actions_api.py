"""POST /cases/{id}/{action}: each transition's success and each of its refusals, with the contract's bodies.

Who may call what is the table of test_case_rights.py; here are the states, the bodies and what each refusal says.
"""

from __future__ import annotations

import pytest

from tests.api.cases.support import (
    Caller,
    accept_all,
    draft,
    in_review,
    pdf_bytes,
    pending,
    returned,
    submitted,
    upload_all,
)
from tests.cases.conftest import free_slot
from tests.factories import make_unit, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.accounts.services import token_create
from wrp.appointments.models import Booking
from wrp.cases.materials import case_checklist
from wrp.cases.models import CaseState
from wrp.cases.services import case_open, case_start_review, case_submit
from wrp.quotas.models import QuotaLedger
from wrp.units.models import AccountStatus

pytestmark = pytest.mark.django_db
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}


def _reserved(people) -> int:
    return QuotaLedger.objects.get(unit=people.unit, year=2026).reserved


def _failing(assessment) -> list[str]:
    return [check["rule"] for check in assessment["checks"] if check["outcome"] == "fail"]


# --- submit ---------------------------------------------------------------------------------------------------------


def test_the_applicant_passes_the_draft_to_the_unit(api, people):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    response = api.applicant.post(f"/cases/{case.public_id}/submit")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "awaiting_unit"
    assert body["assessment"] is None
    assert body["events"][-1] == {**body["events"][-1], "action": "submit_to_unit", "actor_role": "applicant"}


def test_the_unit_submits_with_a_slot_the_case_is_assessed_and_the_clock_starts(api, people):
    case = draft(people)
    slot = api.handler.get("/slots", **{"from": "2026-11-30", "to": "2026-12-04"}).json()[0]
    response = api.handler.post(f"/cases/{case.public_id}/submit", {"slot": slot["id"]})
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["assessment"]["decision"]) == ("submitted", "eligible")
    assert (body["clock"]["accepted_on"], body["clock"]["due"]) == ("2026-11-26", "2026-12-24")
    assert _reserved(people) == 1
    assert Booking.objects.get(case=case).slot.public_id == slot["id"]


def test_a_unit_item_is_submitted_with_an_empty_body(people):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, annual_tax=TAXES)
    case = case_open(actor=handler, kind="unit_opening", unit=unit)
    upload_all(case, by=handler)
    response = Caller(token_create(user=handler)).post_raw(f"/cases/{case.public_id}/submit", b"")
    assert (response.status_code, response.json()["state"]) == (200, "submitted")


def test_submission_without_every_material_is_422_materials_missing(api, people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    response = api.handler.post(f"/cases/{case.public_id}/submit", {"slot": free_slot()})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "materials_missing"
    assert set(body["missing"]) == set(case_checklist(case))


@pytest.mark.parametrize("slot", [None, "", "no-such-slot"])
def test_a_personal_case_needs_a_free_slot(api, people, slot):
    case = draft(people)
    response = api.handler.post(f"/cases/{case.public_id}/submit", {"slot": slot})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["slot"]
    assert (_reserved(people), Booking.objects.count()) == (0, 0)


def test_an_ineligible_case_is_422_with_the_assessment_in_the_callers_language(api, people):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "hukou": "beijing_collective"}
    profile.save()
    case = draft(people)
    response = api.handler.post(f"/cases/{case.public_id}/submit", {"slot": free_slot()}, **{"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ineligible"
    assert body["assessment"]["decision"] == "ineligible"
    assert _failing(body["assessment"]) == ["A-HUKOU"]
    assert body["assessment"]["checks"][0]["message"].isascii()
    case.refresh_from_db()
    assert (case.state, case.assessment, _reserved(people), Booking.objects.count()) == ("draft", None, 0, 0)


def test_submitting_a_submitted_case_is_409(api, people):
    case = submitted(people)
    response = api.handler.post(f"/cases/{case.public_id}/submit", {"slot": free_slot()})
    assert (response.status_code, response.json()) == (409, {"error": "invalid_state", "state": "submitted", "code": "invalid_state"})


def test_a_malformed_submit_body_is_422(api, people):
    case = draft(people)
    for body in ({"slot": 7}, {"slot": "x", "extra": 1}):
        response = api.handler.post(f"/cases/{case.public_id}/submit", body)
        assert response.status_code == 422
        assert response.json()["error"] == "invalid_request"


# --- review: start, return, resubmit --------------------------------------------------------------------------------


def test_the_clerk_starts_the_review(api, people):
    case = submitted(people)
    response = api.clerk.post(f"/cases/{case.public_id}/start_review")
    assert (response.status_code, response.json()["state"]) == (200, "in_review")
    again = api.clerk.post(f"/cases/{case.public_id}/start_review")
    assert (again.status_code, again.json()) == (
        409, {"error": "invalid_state", "state": "in_review", "code": "invalid_state"}
    )


def test_a_return_marks_the_named_materials_rejected_and_stops_the_clock(api, people):
    case = in_review(people)
    response = api.clerk.post(
        f"/cases/{case.public_id}/return",
        {"problems": [{"material": "hukou_book", "text": "缺少变更页"}, {"material": None, "text": "请补充说明"}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "returned"
    hukou = next(m for m in body["materials"] if m["code"] == "hukou_book")
    assert (hukou["status"], hukou["reason"]) == ("rejected", "缺少变更页")
    assert (body["clock"]["paused"], body["clock"]["working_days_left"]) == (True, 20)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param(None, ["problems"], id="no problems"),
        pytest.param({"problems": [{"material": None, "text": " "}]}, ["problems.0.text"], id="empty text"),
        pytest.param({"problems": [{"material": "visa", "text": "x"}]}, ["problems.0.material"], id="unknown material"),
        pytest.param({"problems": "all of it"}, ["problems"], id="not a list"),
    ],
)
def test_a_return_needs_problems_that_name_the_case_materials(api, people, body, fields):
    case = in_review(people)
    response = api.clerk.post(f"/cases/{case.public_id}/return", body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == fields
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW


def test_a_resubmission_needs_the_rejected_materials_uploaded_again(api, people):
    case = in_review(people)
    api.clerk.post(f"/cases/{case.public_id}/return", {"problems": [{"material": "hukou_book", "text": "缺页"}]})
    refused = api.handler.post(f"/cases/{case.public_id}/resubmit")
    assert (refused.status_code, refused.json()) == (
        422, {"error": "materials_missing", "missing": ["hukou_book"], "code": "materials_missing"}
    )
    assert api.handler.upload(f"/cases/{case.public_id}/materials/hukou_book", pdf_bytes()).status_code == 201
    response = api.handler.post(f"/cases/{case.public_id}/resubmit")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["clock"]["paused"]) == ("in_review", False)
    assert next(m for m in body["materials"] if m["code"] == "hukou_book")["status"] == "uploaded"


def test_only_a_returned_case_is_resubmitted(api, people):
    case = in_review(people)
    response = api.handler.post(f"/cases/{case.public_id}/resubmit")
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": "in_review", "code": "invalid_state"}
    )


# --- forward, approve, reject ---------------------------------------------------------------------------------------


def test_forwarding_needs_every_required_material_accepted(api, people):
    case = case_start_review(case=submitted(people), actor=people.clerk)
    api.clerk.post(f"/cases/{case.public_id}/materials/hukou_book/verdict", {"accepted": True})
    response = api.clerk.post(f"/cases/{case.public_id}/forward")
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {f"materials.{code}" for code in case_checklist(case) if code != "hukou_book"}


def test_a_review_outcome_needs_a_reason_to_forward(api, people):
    profile = ApplicantProfile.objects.get(user=people.applicant)
    profile.facts = {**profile.facts, "employment_start": "2026-06-01"}  # A-TENURE: less than a year
    profile.save()
    case = in_review(people)
    assert case.assessment["zh"]["decision"] == "needs_review"
    refused = api.clerk.post(f"/cases/{case.public_id}/forward", {"review_reasons": {}})
    assert (refused.status_code, list(refused.json()["fields"])) == (422, ["review_reasons.A-TENURE"])
    response = api.clerk.post(f"/cases/{case.public_id}/forward", {"review_reasons": {"A-TENURE": "试用期满"}})
    assert (response.status_code, response.json()["state"]) == (200, "pending_approval")


def test_the_bureau_approves_a_forwarded_case_and_a_permit_is_issued(api, people):
    case = pending(people)
    response = api.approver.post(f"/cases/{case.public_id}/approve")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "approved"
    assert body["permit"] is not None
    assert body["clock"]["working_days_left"] is None
    permit = api.applicant.get(f"/permits/{body['permit']}").json()
    assert (permit["holder"], permit["unit"], permit["status"]) == ("applicant", people.unit.credit_code, "valid")


def test_the_window_cannot_approve_an_initial_case(api, people):
    case = in_review(people)
    response = api.clerk.post(f"/cases/{case.public_id}/approve", {"review_reasons": {}})
    assert (response.status_code, response.json()) == (403, {"error": "forbidden", "code": "bureau_item"})


def test_the_bureau_approves_only_what_is_pending(api, people):
    case = in_review(people)
    response = api.approver.post(f"/cases/{case.public_id}/approve")
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": "in_review", "code": "invalid_state"}
    )


def test_the_window_approves_a_window_item(api, people):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, annual_tax=TAXES)
    case = case_open(actor=handler, kind="unit_opening", unit=unit)
    upload_all(case, by=handler)
    case = case_start_review(case=case_submit(case=case, actor=handler), actor=people.clerk)
    accept_all(case, clerk=people.clerk)
    response = api.clerk.post(f"/cases/{case.public_id}/approve", {"review_reasons": {}})
    assert (response.status_code, response.json()["state"]) == (200, "approved")
    unit.refresh_from_db()
    assert unit.account_status == AccountStatus.OPEN


def test_a_rejection_needs_a_reason_and_frees_the_quota_and_the_slot(api, people):
    case = in_review(people)
    for body in (None, {"reason": ""}):
        refused = api.clerk.post(f"/cases/{case.public_id}/reject", body)
        assert (refused.status_code, list(refused.json()["fields"])) == (422, ["reason"])
    response = api.clerk.post(f"/cases/{case.public_id}/reject", {"reason": "材料不实"})
    assert (response.status_code, response.json()["state"]) == (200, "rejected")
    assert (_reserved(people), Booking.objects.count()) == (0, 0)


def test_the_window_cannot_reject_what_the_bureau_holds(api, people):
    case = pending(people)
    response = api.clerk.post(f"/cases/{case.public_id}/reject", {"reason": "材料不实"})
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": "pending_approval", "code": "invalid_state"}
    )


def test_the_bureau_rejects_a_pending_case(api, people):
    case = pending(people)
    response = api.approver.post(f"/cases/{case.public_id}/reject", {"reason": "不符合条件"})
    assert (response.status_code, response.json()["state"]) == (200, "rejected")
    assert _reserved(people) == 0


# --- withdraw -------------------------------------------------------------------------------------------------------


def test_withdrawal_frees_what_the_case_held(api, people):
    case = submitted(people)
    assert (_reserved(people), Booking.objects.count()) == (1, 1)
    response = api.applicant.post(f"/cases/{case.public_id}/withdraw")
    assert (response.status_code, response.json()["state"]) == (200, "withdrawn")
    assert (_reserved(people), Booking.objects.count()) == (0, 0)


@pytest.mark.parametrize(("reach", "state"), [(in_review, "in_review"), (pending, "pending_approval")])
def test_a_case_under_review_cannot_be_withdrawn(api, people, reach, state):
    case = reach(people)
    response = api.handler.post(f"/cases/{case.public_id}/withdraw")
    assert (response.status_code, response.json()) == (
        409, {"error": "invalid_state", "state": state, "code": "invalid_state"}
    )


def test_a_returned_case_can_be_withdrawn(api, people):
    case = returned(people)
    response = api.handler.post(f"/cases/{case.public_id}/withdraw")
    assert (response.status_code, response.json()["state"]) == (200, "withdrawn")


# --- not an action --------------------------------------------------------------------------------------------------


def test_an_unknown_action_is_404_and_changes_nothing(api, people):
    case = draft(people)
    for action in ("archive", "approve_all", "%00"):
        response = api.handler.post(f"/cases/{case.public_id}/{action}")
        assert (response.status_code, response.json()) == (404, {"error": "not_found", "code": "action_not_found"})
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT


def test_an_action_on_an_unknown_case_is_404(api):
    response = api.clerk.post("/cases/C2611NOSUCHID/start_review")
    assert (response.status_code, response.json()) == (404, {"error": "not_found", "code": "case_not_found"})
