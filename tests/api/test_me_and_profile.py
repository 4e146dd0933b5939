"""GET /me and the applicant's profile, PUT/GET /me/profile (contracts/cases-api.md §Identity, §Applicants)."""

from __future__ import annotations

import pytest

from tests.cases.conftest import PROFILE
from tests.factories import make_unit
from wrp.accounts.models import ApplicantProfile
from wrp.audit.models import AuditEvent
from wrp.cases.facts import profile_facts

pytestmark = pytest.mark.django_db


# --- /me ------------------------------------------------------------------------------------------------------------


def test_me_names_the_user_their_role_and_the_units_they_handle(api, people):
    second = make_unit(people.handler)
    response = api.handler.get("/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": "handler", "role": "unit_handler",
        "units": sorted([people.unit.credit_code, second.credit_code]),
    }


@pytest.mark.parametrize(("persona", "role"), [
    ("applicant", "applicant"), ("clerk", "window_clerk"), ("approver", "bureau_approver"), ("admin", "admin"),
])
def test_me_answers_every_role_with_no_units_but_the_handlers(api, persona, role):
    assert api[persona].get("/me").json() == {"username": persona, "role": role, "units": []}


def test_me_without_credentials_is_401(api):
    response = api.anonymous.get("/me")
    assert response.status_code == 401
    assert response.json() == {"error": "unauthenticated"}


# --- the profile ----------------------------------------------------------------------------------------------------


def test_profile_is_404_before_the_first_put(api):
    response = api.other_applicant.get("/me/profile")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "code": "profile_not_found"}


def test_put_profile_stores_the_facts_and_answers_them(api, people):
    response = api.other_applicant.put("/me/profile", PROFILE)
    assert response.status_code == 200
    body = response.json()
    assert body["hukou"] == "non_beijing"
    assert body["housing"] == {"kind": "owned", "lease_end": None}
    assert body["taxable_income_12m"] == "400000"  # amounts as decimal strings, as the policy reads them
    assert set(body) == set(PROFILE)
    assert api.other_applicant.get("/me/profile").json() == body
    assert profile_facts(people.other_applicant) == body


def test_put_profile_replaces_the_whole_profile(api, people):
    response = api.applicant.put("/me/profile", {"hukou": "beijing_collective"})
    assert response.status_code == 200
    assert response.json() == {"hukou": "beijing_collective"}
    assert ApplicantProfile.objects.get(user=people.applicant).facts == {"hukou": "beijing_collective"}


def test_profile_keeps_an_absent_fact_apart_from_a_null_one(api):
    api.other_applicant.put("/me/profile", {"contract_end": None, "degree": "bachelor"})
    body = api.other_applicant.get("/me/profile").json()
    assert body == {"contract_end": None, "degree": "bachelor"}
    assert "award" not in body


def test_put_profile_records_the_fields_changed_not_their_values(api, people):
    api.other_applicant.put("/me/profile", PROFILE)
    api.other_applicant.put("/me/profile", {**PROFILE, "degree": "doctor"})
    first, second = AuditEvent.objects.filter(action="profile.save").order_by("pk")
    assert first.changes["created"] is True
    event = second
    assert event.changes["fields"] == ["degree"]
    assert "doctor" not in str(event.changes)


def test_sending_the_permit_is_422_naming_it(api, people):
    response = api.applicant.put("/me/profile", {**PROFILE, "permit": {"status": "valid", "valid_until": "2028-01-01"}})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert list(response.json()["fields"]) == ["permit"]
    assert ApplicantProfile.objects.get(user=people.applicant).facts == PROFILE, "a refused request changes nothing"


def test_bad_fields_are_named_by_their_path_in_the_body(api):
    body = {**PROFILE, "hukou": "shanghai", "children": [{"case": "adopted"}], "taxable_income_12m": -1, "pet": "cat"}
    response = api.applicant.put("/me/profile", body)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"hukou", "children.0.case", "taxable_income_12m", "pet"}
    assert fields["hukou"].startswith("取值无效"), "the policy's own message, Chinese first"
    english = api.applicant.client.put("/api/v1/me/profile", body, content_type="application/json",
                                       headers={**api.applicant.headers, "Accept-Language": "en"}).json()["fields"]
    assert "must be one of" in english["hukou"], "and in English when the caller prefers it"


@pytest.mark.parametrize("raw", [b"[]", b'"profile"', b"{not json", b""])
def test_a_body_that_is_not_an_object_is_422(api, raw):
    response = api.applicant.client.put(
        "/api/v1/me/profile", raw, content_type="application/json", headers=api.applicant.headers
    )
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["body"]


def test_a_body_too_large_is_422(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.applicant.put("/me/profile", {**PROFILE, "nationality": "C" * 2000})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["body"]


@pytest.mark.parametrize("persona", ["handler", "clerk", "approver", "admin"])
def test_only_an_applicant_has_a_profile(api, persona):
    assert api[persona].put("/me/profile", PROFILE).status_code == 403
    assert api[persona].get("/me/profile").status_code == 403


def test_profile_without_credentials_is_401(api):
    assert api.anonymous.put("/me/profile", PROFILE).status_code == 401
    assert api.anonymous.get("/me/profile").status_code == 401
