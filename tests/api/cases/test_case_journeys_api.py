"""Whole journeys through the HTTP API alone, as a unit's HR system and the district's staff would drive it.

Only the people and their tokens come from outside the API (`wrp user add` / `wrp user token` in real life): the
unit, its account, its quota, the applicant's profile, the association, the case, every PDF and every decision go
through /api/v1.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.cases.support import Caller, pdf_bytes
from tests.cases.conftest import PROFILE
from tests.factories import make_association, make_credit_code, make_permit, make_user
from wrp.accounts.models import Role
from wrp.accounts.services import token_create

pytestmark = pytest.mark.django_db

UNIT = {
    "name": "北京丙科技有限公司",
    "kind": "enterprise",
    "legal_person": True,
    "registered_district": "chaoyang",
    "tax_district": "chaoyang",
    "tax_paid_since": "2019-05-01",
    "registered_capital": "5000000",
    "annual_tax": {"2023": "300000", "2024": "300000", "2025": "300000"},
    "qualifications": [],
}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def caller(role: str, username: str) -> Caller:
    return Caller(token_create(user=make_user(role, username)))


def upload_checklist(case: dict, by: Caller) -> list[str]:
    """Upload a PDF for every material of the case's checklist; the codes uploaded."""
    codes = [material["code"] for material in case["materials"] if material["required"]]
    for code in codes:
        upload = ok(by.upload(f"/cases/{case['id']}/materials/{code}", pdf_bytes(text=code.encode())), 201)
        assert (upload["status"], upload["pages"]) == ("uploaded", 1)
    return codes


def judge_all(case_id: str, clerk: Caller, *, refuse: dict[str, str] | None = None) -> None:
    refuse = refuse or {}
    case = ok(clerk.get(f"/cases/{case_id}"))
    for material in case["materials"]:
        verdict = {"accepted": False, "reason": refuse[material["code"]]} if material["code"] in refuse else {
            "accepted": True
        }
        ok(clerk.post(f"/cases/{case_id}/materials/{material['code']}/verdict", verdict))


def first_free_slot(by: Caller) -> str:
    slots = ok(by.get("/slots", **{"from": "2026-11-30", "to": "2026-12-04"}))
    return next(slot["id"] for slot in slots if slot["booked"] < slot["capacity"])


def test_an_initial_case_through_the_api_alone(api, people):
    hr = caller(Role.UNIT_HANDLER, "hr")
    zhang = caller(Role.APPLICANT, "zhang")
    clerk, approver = api.clerk, api.approver

    # The unit registers and has its account opened at the window (unit_opening).
    code = make_credit_code()
    unit = ok(hr.post("/units", {"credit_code": code, **UNIT}), 201)
    assert unit["account"] == {"status": "none", "district": None}
    opening = ok(hr.post("/cases", {"kind": "unit_opening", "unit": code}), 201)
    upload_checklist(opening, hr)
    assert ok(hr.post(f"/cases/{opening['id']}/submit"))["assessment"]["decision"] == "eligible"
    ok(clerk.post(f"/cases/{opening['id']}/start_review"))
    judge_all(opening["id"], clerk)
    assert ok(clerk.post(f"/cases/{opening['id']}/approve"))["state"] == "approved"
    assert ok(hr.get(f"/units/{code}"))["account"] == {"status": "open", "district": "chaoyang"}

    # It declares its quota and the bureau grants it.
    quota_request = ok(hr.post(f"/units/{code}/quota-requests", {"year": 2026, "requested": 2, "reason": "新招聘"}), 201)
    ok(approver.post(f"/quota-requests/{quota_request['id']}/grant", {"granted": 2}))
    assert ok(hr.get(f"/units/{code}/quota/2026"))["remaining"] == 2

    # The applicant fills in the profile and asks the unit to associate them; the unit accepts.
    ok(zhang.client.put("/api/v1/me/profile", PROFILE, content_type="application/json", headers=zhang.headers))
    association_code = ok(hr.get(f"/units/{code}"))["association_code"]
    association = ok(zhang.post("/associations", {"association_code": association_code}), 201)
    assert ok(hr.post(f"/associations/{association['id']}/accept"))["state"] == "active"

    # The applicant opens the case, uploads the materials and passes it to the unit.
    case = ok(zhang.post("/cases", {"kind": "initial", "unit": code}), 201)
    case_id = case["id"]
    codes = upload_checklist(case, zhang)
    assert {"labour_contract", "hukou_book", "degree_and_diploma"} <= set(codes)
    assert ok(zhang.post(f"/cases/{case_id}/submit"))["state"] == "awaiting_unit"

    # The unit books a slot and submits: assessed, clock started, one quota unit reserved.
    case = ok(hr.post(f"/cases/{case_id}/submit", {"slot": first_free_slot(hr)}))
    assert (case["state"], case["assessment"]["decision"]) == ("submitted", "eligible")
    assert (case["clock"]["accepted_on"], case["clock"]["due"], case["clock"]["working_days_left"]) == (
        "2026-11-26", "2026-12-24", 20,
    )
    assert ok(hr.get(f"/units/{code}/quota/2026"))["reserved"] == 1

    # The window reviews, refuses one material and returns the case with one notice.
    ok(clerk.post(f"/cases/{case_id}/start_review"))
    judge_all(case_id, clerk, refuse={"labour_contract": "合同缺少签字页"})
    case = ok(clerk.post(f"/cases/{case_id}/return", {"problems": [{"material": "hukou_book", "text": "缺少变更页"}]}))
    assert case["state"] == "returned"
    assert case["clock"]["paused"] is True
    rejected = {m["code"]: m["reason"] for m in case["materials"] if m["status"] == "rejected"}
    assert rejected == {"labour_contract": "合同缺少签字页", "hukou_book": "缺少变更页"}

    # The unit uploads the two again and resubmits; the window accepts everything and forwards.
    for material in rejected:
        ok(hr.upload(f"/cases/{case_id}/materials/{material}", pdf_bytes(2, text=b"corrected")), 201)
    case = ok(hr.post(f"/cases/{case_id}/resubmit"))
    assert (case["state"], case["clock"]["paused"]) == ("in_review", False)
    judge_all(case_id, clerk)
    case = ok(clerk.post(f"/cases/{case_id}/forward"))
    assert case["state"] == "pending_approval"

    # The bureau approves: a permit, valid three years, the quota unit used.
    case = ok(approver.post(f"/cases/{case_id}/approve"))
    assert case["state"] == "approved"
    permit = ok(zhang.get(f"/permits/{case['permit']}"))
    assert permit == {**permit, "status": "valid", "unit": code, "holder": "zhang", "issued_on": "2026-11-26",
                      "valid_until": "2029-11-26"}
    assert ok(hr.get(f"/permits/{case['permit']}"))["number"] == case["permit"]
    quota = ok(hr.get(f"/units/{code}/quota/2026"))
    assert (quota["reserved"], quota["used"], quota["remaining"]) == (0, 1, 1)
    assert [event["action"] for event in ok(zhang.get(f"/cases/{case_id}"))["events"]] == [
        "open", "submit_to_unit", "submit", "start_review", "return", "resubmit", "accept", "forward", "approve",
    ]


def test_an_employer_change_through_the_api(api, people):
    # Before: other_applicant holds a permit with the other unit, where they are employed (set up directly).
    old_unit = people.other_unit
    permit = make_permit(people.other_applicant, old_unit, issued_on=date(2025, 3, 1))
    make_association(people.other_applicant, old_unit)
    holder, old_hr, new_hr, clerk = api.other_applicant, api.other_handler, api.handler, api.clerk

    # The old unit releases the employee who left: the permit is suspended and the old unit no longer sees it.
    association = next(a for a in ok(old_hr.get("/associations"))["items"] if a["applicant"] == "other_applicant")
    released = ok(old_hr.post(f"/associations/{association['id']}/release", {"left_on": "2026-11-20"}))
    assert (released["state"], released["late"]) == ("released", False)
    assert ok(holder.get(f"/permits/{permit.number}"))["status"] == "suspended"
    assert old_hr.get(f"/permits/{permit.number}").status_code == 404

    # The holder records the new employment and asks the new unit to associate them; it accepts.
    profile = {**PROFILE, "employment_start": "2026-11-23", "contract_end": "2029-11-22"}
    ok(holder.client.put("/api/v1/me/profile", profile, content_type="application/json", headers=holder.headers))
    association_code = ok(new_hr.get(f"/units/{people.unit.credit_code}"))["association_code"]
    association = ok(holder.post("/associations", {"association_code": association_code}), 201)
    ok(new_hr.post(f"/associations/{association['id']}/accept"))

    # The new unit files the employer change for the holder's permit.
    case = ok(new_hr.post(
        "/cases", {"kind": "employer_change", "unit": people.unit.credit_code, "applicant": "other_applicant"}
    ), 201)
    assert case["permit"] == permit.number
    assert "termination_certificate" in upload_checklist(case, new_hr)
    case = ok(new_hr.post(f"/cases/{case['id']}/submit", {"slot": first_free_slot(new_hr)}))
    assert case["state"] == "submitted"
    assert case["assessment"]["decision"] == "eligible"

    # The window reviews and approves it (an employer change is decided at the window).
    ok(clerk.post(f"/cases/{case['id']}/start_review"))
    judge_all(case["id"], clerk)
    case = ok(clerk.post(f"/cases/{case['id']}/approve"))
    assert (case["state"], case["permit"]) == ("approved", permit.number)

    # After: the same permit, valid again, under the new unit; the old unit still does not see it.
    moved = ok(new_hr.get(f"/permits/{permit.number}"))
    assert (moved["status"], moved["unit"], moved["holder"]) == ("valid", people.unit.credit_code, "other_applicant")
    assert ok(holder.get(f"/permits/{permit.number}"))["status"] == "valid"
    assert old_hr.get(f"/permits/{permit.number}").status_code == 404
    assert ok(new_hr.get(f"/units/{people.unit.credit_code}/quota/2026"))["used"] == 1
    states = {(a["unit"], a["state"]) for a in ok(holder.get("/associations"))["items"]}
    assert states == {(old_unit.credit_code, "released"), (people.unit.credit_code, "active")}
