"""POST /cases, GET /cases, GET /cases/{id}: opening a draft, the list, and the case as the contract shows it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import time_machine

from tests.api.cases.support import SHANGHAI, draft, submitted, upload_all
from tests.factories import make_association, make_open_unit, make_permit, make_unit, make_user
from wrp.accounts.models import Role
from wrp.cases.services import case_open, case_submit
from wrp.permits.models import PermitStatus
from wrp.units.models import AccountStatus

pytestmark = pytest.mark.django_db

CASE_KEYS = {
    "id", "kind", "subtype", "state", "unit", "applicant", "assessment", "materials", "clock", "permit", "events",
    "allowed_actions",  # an extension of the contract: what the caller may do now (wrp.cases.workflow)
    "acceptance", "extension",  # extensions: the acceptance duty and the bureau's one extension (POLICY §11)
}
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open(api, people, **body):
    return api.handler.post("/cases", {"kind": "initial", "unit": people.unit.credit_code, **body})


# --- POST /cases ----------------------------------------------------------------------------------------------------


def test_a_handler_opens_a_draft_for_an_associated_applicant(api, people):
    response = _open(api, people, applicant="applicant")
    assert response.status_code == 201
    case = response.json()
    assert set(case) == CASE_KEYS
    assert (case["kind"], case["subtype"], case["state"]) == ("initial", None, "draft")
    assert (case["unit"], case["applicant"]) == (people.unit.credit_code, "applicant")
    assert case["assessment"] is None
    assert case["permit"] is None
    assert case["clock"] == {
        "time_limit_working_days": None, "accepted_on": None, "due": None, "paused": False, "working_days_left": None,
    }
    assert [(e["action"], e["actor_role"], e["from"], e["to"]) for e in case["events"]] == [
        ("open", "unit_handler", None, "draft"),
    ]
    assert case["allowed_actions"] == ["edit", "submit", "withdraw"]


def test_before_submission_the_materials_come_from_a_fresh_assessment_all_missing(api, people):
    materials = _open(api, people, applicant="applicant").json()["materials"]
    codes = {material["code"] for material in materials}
    assert {"labour_contract", "degree_and_diploma", "housing_owned"} <= codes
    assert all(m == {"code": m["code"], "required": True, "status": "missing", "reason": ""} for m in materials)


def test_an_applicant_opens_a_personal_case_for_the_unit_they_are_associated_with(api, people):
    response = api.applicant.post("/cases", {"kind": "initial", "unit": people.unit.credit_code})
    assert response.status_code == 201
    assert response.json()["applicant"] == "applicant"


def test_an_unknown_unit_and_another_units_code_are_refused_alike(api, people):
    unknown = _open(api, people, unit="91110105MA0000000X", applicant="applicant")
    other = _open(api, people, unit=people.other_unit.credit_code, applicant="applicant")
    assert unknown.status_code == other.status_code == 422
    assert unknown.json() == other.json()
    assert set(unknown.json()["fields"]) == {"unit"}


def test_an_unknown_applicant_and_an_unassociated_one_are_refused_alike(api, people):
    unknown = _open(api, people, applicant="nobody")
    unassociated = _open(api, people, applicant="other_applicant")
    assert unknown.status_code == unassociated.status_code == 422
    assert unknown.json() == unassociated.json()
    assert set(unknown.json()["fields"]) == {"applicant"}


def test_a_personal_kind_opened_by_a_handler_needs_the_applicant(api, people):
    response = _open(api, people)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"applicant"}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"kind": "citizenship"}, {"kind"}, id="unknown kind"),
        pytest.param({"kind": "info_change"}, {"subtype"}, id="info_change without subtype"),
        pytest.param({"kind": "initial", "subtype": "address"}, {"subtype"}, id="subtype on another kind"),
        pytest.param({"kind": None}, {"kind"}, id="kind null"),
        pytest.param({"kind": "initial", "notes": "x"}, {"notes"}, id="a field the contract does not have"),
        pytest.param({"kind": "initial", "answers": {"housing": {}}}, {"answers.housing"},
                     id="an answer the kind does not take"),
        pytest.param({"kind": "initial", "answers": {"children": "two"}}, {"answers.children"},
                     id="children not a list"),
    ],
)
def test_a_bad_body_is_422_naming_each_bad_field(api, people, body, fields):
    response = api.handler.post("/cases", {"unit": people.unit.credit_code, "applicant": "applicant", **body})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert set(response.json()["fields"]) == fields


def test_an_empty_body_names_kind_and_unit(api):
    response = api.handler.post("/cases", {})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"kind", "unit"}


def test_an_applicant_cannot_open_a_unit_kind(api, people):
    response = api.applicant.post("/cases", {"kind": "unit_opening", "unit": people.unit.credit_code})
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "code": "personal_items_only"}


def test_staff_and_administrators_open_no_case(api, people):
    codes = {"clerk": "filers_only", "approver": "filers_only", "admin": "administrators_use_admin_site"}
    for persona, code in codes.items():
        response = api[persona].post(
            "/cases", {"kind": "initial", "unit": people.unit.credit_code, "applicant": "applicant"}
        )
        assert (response.status_code, response.json()) == (403, {"error": "forbidden", "code": code})
    assert api.anonymous.post("/cases", {"kind": "initial"}).json() == {"error": "unauthenticated"}


# --- GET /cases -----------------------------------------------------------------------------------------------------


def _open_many(people, count: int) -> list[str]:
    """Unit cases: an applicant holds only one open `initial` case, a unit may open any number of these."""
    return [case_open(actor=people.handler, kind="unit_opening", unit=people.unit).public_id for _ in range(count)]


def test_the_list_is_newest_first_twenty_a_page(api, people):
    opened = _open_many(people, 25)
    first, second, third = (api.handler.get("/cases", page=page).json() for page in (1, 2, 3))
    assert (first["count"], first["page"], first["page_size"]) == (25, 1, 20)
    assert [case["id"] for case in first["items"] + second["items"]] == opened[::-1]
    assert len(second["items"]) == 5
    assert (third["items"], third["count"], third["page"]) == ([], 25, 3)


def test_the_list_filters_by_state_and_kind(api, people):
    kept = submitted(people).public_id
    make_association(people.other_applicant, people.unit)  # the draft: another applicant's (one open initial each)
    case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.other_applicant)
    opening = case_open(actor=people.handler, kind="unit_opening", unit=people.unit).public_id
    by_state = api.clerk.get("/cases", state="submitted").json()
    assert [case["id"] for case in by_state["items"]] == [kept]
    by_kind = api.clerk.get("/cases", kind="unit_opening").json()
    assert [case["id"] for case in by_kind["items"]] == [opening]
    assert api.clerk.get("/cases", state="draft", kind="unit_opening").json()["count"] == 1


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("applicant", 1), ("other_applicant", 0), ("handler", 2), ("other_handler", 0), ("clerk", 2), ("approver", 2)],
)
def test_each_persona_lists_only_the_cases_they_may_see(api, people, persona, sees):
    draft(people)
    case_open(actor=people.handler, kind="unit_opening", unit=people.unit)
    listing = api[persona].get("/cases").json()
    assert listing["count"] == len(listing["items"]) == sees


@pytest.mark.parametrize(
    ("query", "field"),
    [({"page": 0}, "page"), ({"page": "two"}, "page"), ({"state": "lost"}, "state"), ({"kind": "visa"}, "kind")],
)
def test_a_bad_list_query_is_422_naming_it(api, query, field):
    response = api.handler.get("/cases", **query)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]


# --- GET /cases/{id} ------------------------------------------------------------------------------------------------


def test_a_submitted_case_shows_its_frozen_assessment_clock_materials_and_history(api, people):
    case = api.applicant.get(f"/cases/{submitted(people).public_id}").json()
    assert case["state"] == "submitted"
    assert case["assessment"]["decision"] == "eligible"
    assert case["assessment"]["service"] == "initial"
    assert case["clock"] == {
        "time_limit_working_days": 20, "accepted_on": "2026-11-26", "due": "2026-12-24", "paused": False,
        "working_days_left": 20,
    }
    assert {m["status"] for m in case["materials"]} == {"uploaded"}
    assert set(case["materials"][0]) == {"code", "required", "status", "reason"}
    assert [(e["action"], e["from"], e["to"]) for e in case["events"]] == [
        ("open", None, "draft"), ("submit", "draft", "submitted"),
    ]
    assert all(datetime.fromisoformat(e["at"]).utcoffset() is not None for e in case["events"])


def test_the_assessment_is_shown_in_the_callers_language(api, people):
    path = f"/cases/{submitted(people).public_id}"
    chinese = api.clerk.get(path).json()["assessment"]
    english = api.clerk.client.get("/api/v1" + path, headers={**api.clerk.headers, "Accept-Language": "en"})
    english = english.json()["assessment"]
    assert CJK.search(chinese["checks"][0]["message"])
    assert not CJK.search(english["checks"][0]["message"])
    assert [c["rule"] for c in chinese["checks"]] == [c["rule"] for c in english["checks"]]


def test_the_clock_counts_working_days_left_as_days_pass(api, people):
    public_id = submitted(people).public_id
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False):  # 3 working days later
        clock = api.clerk.get(f"/cases/{public_id}").json()["clock"]
    assert (clock["due"], clock["working_days_left"]) == ("2026-12-24", 17)


def test_a_clock_that_needs_an_unloaded_year_is_provisional(api, people):
    with time_machine.travel(datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = draft(people)
        slot = api.handler.get("/slots", **{"from": "2026-12-16", "to": "2026-12-18"}).json()[0]["id"]
        clock = api.handler.post(f"/cases/{case.public_id}/submit", {"slot": slot}).json()["clock"]
    assert clock["provisional"] is True
    assert clock["due"] > "2027-01-01"


def test_an_unknown_case_is_404(api):
    for path in ("/cases/C2611NOSUCHID", "/cases/%00"):
        response = api.clerk.get(path)
        assert (response.status_code, response.json()) == (404, {"error": "not_found", "code": "case_not_found"})


def test_a_case_on_an_existing_permit_names_it_before_approval(api, people):
    permit = make_permit(people.applicant, people.unit, issued_on=datetime(2024, 1, 10).date())
    case = case_open(actor=people.handler, kind="renewal", unit=people.unit, applicant=people.applicant)
    assert api.handler.get(f"/cases/{case.public_id}").json()["permit"] == permit.number


def test_an_employer_change_names_the_suspended_permit_of_the_old_unit(api, people):
    old_unit = make_open_unit(make_user(Role.UNIT_HANDLER))
    permit = make_permit(people.other_applicant, old_unit, status=PermitStatus.SUSPENDED)
    make_association(people.other_applicant, people.unit)
    case = case_open(actor=people.handler, kind="employer_change", unit=people.unit, applicant=people.other_applicant)
    assert api.handler.get(f"/cases/{case.public_id}").json()["permit"] == permit.number


def test_a_unit_case_has_no_applicant_and_no_permit(api, people):
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, account_status=AccountStatus.OPEN, account_district="haidian", annual_tax=TAXES)
    case = case_open(actor=handler, kind="unit_transfer", unit=unit)
    upload_all(case, by=handler)
    case_submit(case=case, actor=handler)
    body = api.clerk.get(f"/cases/{case.public_id}").json()
    assert (body["applicant"], body["permit"], body["state"]) == (None, None, "submitted")


# --- the OpenAPI document -------------------------------------------------------------------------------------------


def test_the_openapi_document_describes_every_case_endpoint(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    case_paths = {path for path in paths if path.startswith("/api/v1/cases")}
    actions = ("submit", "start_review", "return", "resubmit", "forward", "approve", "reject", "withdraw",
               "accept", "refuse_acceptance", "extend", "send_back")
    assert case_paths == {
        "/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/materials/{code}",
        "/api/v1/cases/{case_id}/materials/{code}/file", "/api/v1/cases/{case_id}/materials/{code}/verdict",
        "/api/v1/cases/{case_id}/materials/{code}/checks/{check_id}",  # an upload's check (issue 11 §1)
        "/api/v1/cases/{case_id}/documents", "/api/v1/cases/{case_id}/documents/drafts/{kind}/file",
        *(f"/api/v1/cases/{{case_id}}/{action}" for action in actions),
    }
    assert set(paths["/api/v1/cases"]) == {"get", "post"}
    download = paths["/api/v1/cases/{case_id}/materials/{code}/file"]["get"]
    assert "application/pdf" in download["responses"]["200"]["content"]
