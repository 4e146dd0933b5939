"""Associations through the API: request, list, accept, refuse, release (contracts/cases-api.md §Applicants and
associations)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import TODAY
from tests.factories import make_association, make_permit, make_unit
from wrp.permits.models import PermitStatus
from wrp.units.models import Association, AssociationState

pytestmark = pytest.mark.django_db


def _json(association: Association) -> dict:
    association.refresh_from_db()
    return {
        "id": association.pk, "unit": association.unit.credit_code, "applicant": association.applicant.username,
        "state": association.state, "left_on": association.left_on and association.left_on.isoformat(),
        "late": association.late,
    }


@pytest.fixture
def requested(people) -> Association:
    return make_association(people.applicant, people.unit, AssociationState.REQUESTED)


@pytest.fixture
def active(people) -> Association:
    return make_association(people.applicant, people.unit)


# --- request --------------------------------------------------------------------------------------------------------


def test_applicant_asks_a_unit_by_its_association_code(api, people):
    response = api.applicant.post("/associations", {"association_code": people.unit.association_code.lower()})
    assert response.status_code == 201
    association = Association.objects.get()
    assert response.json() == _json(association)
    assert response.json()["state"] == "requested"
    assert response.json()["left_on"] is None
    assert response.json()["late"] is False


def test_an_unknown_association_code_is_422_naming_it(api):
    response = api.applicant.post("/associations", {"association_code": "NOSUCH23"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["association_code"]
    assert not Association.objects.exists()


def test_a_missing_association_code_is_422_naming_it(api):
    response = api.applicant.post("/associations", {})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["association_code"]


def test_a_second_open_association_with_the_same_unit_is_409(api, people, requested):
    response = api.applicant.post("/associations", {"association_code": people.unit.association_code})
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "requested", "code": "already_requested"}


def test_a_request_while_active_elsewhere_is_409_active(api, people, active):
    response = api.applicant.post("/associations", {"association_code": people.other_unit.association_code})
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "active", "code": "already_associated"}


def test_only_applicants_ask_to_be_associated(api, people):
    response = api.handler.post("/associations", {"association_code": people.other_unit.association_code})
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "code": "applicants_only"}


# --- list -----------------------------------------------------------------------------------------------------------


def test_each_sees_the_associations_they_may(api, people, requested):
    elsewhere = make_association(people.other_applicant, people.other_unit)
    assert [item["id"] for item in api.applicant.get("/associations").json()["items"]] == [requested.pk]
    assert [item["id"] for item in api.handler.get("/associations").json()["items"]] == [requested.pk]
    assert [item["id"] for item in api.other_handler.get("/associations").json()["items"]] == [elsewhere.pk]
    assert {item["id"] for item in api.clerk.get("/associations").json()["items"]} == {requested.pk, elsewhere.pk}
    assert api.other_applicant.get("/associations").json()["items"] == [_json(elsewhere)]


def test_associations_are_listed_20_a_page(api, people):
    for _index in range(21):
        make_association(people.applicant, make_unit(), AssociationState.REFUSED)
    first = api.applicant.get("/associations").json()
    assert (len(first["items"]), first["count"], first["page"], first["page_size"]) == (20, 21, 1, 20)
    second = api.applicant.get("/associations", {"page": 2}).json()
    assert (len(second["items"]), second["page"]) == (1, 2)
    assert api.applicant.get("/associations", {"page": 3}).json()["items"] == []
    assert {item["id"] for item in first["items"]}.isdisjoint({item["id"] for item in second["items"]})


@pytest.mark.parametrize("page", ["0", "-1", "one"])
def test_a_bad_page_is_422_naming_it(api, page):
    response = api.applicant.get("/associations", {"page": page})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["page"]


def test_a_page_far_past_the_end_is_empty(api):
    response = api.applicant.get("/associations", {"page": str(10**30)})
    assert response.status_code == 200
    assert response.json()["items"] == []


# --- accept and refuse ----------------------------------------------------------------------------------------------


def test_handler_accepts_a_requested_association(api, requested):
    response = api.handler.post(f"/associations/{requested.pk}/accept")
    assert response.status_code == 200
    assert response.json() == _json(requested)
    assert response.json()["state"] == "active"


def test_handler_refuses_a_requested_association(api, requested):
    response = api.handler.post(f"/associations/{requested.pk}/refuse")
    assert response.status_code == 200
    assert response.json()["state"] == "refused"


@pytest.mark.parametrize("action", ["accept", "refuse"])
def test_deciding_twice_is_409_with_the_state(api, requested, action):
    api.handler.post(f"/associations/{requested.pk}/{action}")
    response = api.handler.post(f"/associations/{requested.pk}/accept")
    assert response.status_code == 409
    assert response.json()["state"] == ("active" if action == "accept" else "refused")


def test_accepting_while_the_applicant_is_active_elsewhere_is_409(api, people, requested):
    make_association(people.applicant, people.other_unit)
    response = api.handler.post(f"/associations/{requested.pk}/accept")
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "active", "code": "already_associated"}


@pytest.mark.parametrize("path_id", ["999999", str(2**63), str(10**40)])
def test_an_unknown_association_is_404(api, path_id):
    response = api.handler.post(f"/associations/{path_id}/accept")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "code": "association_not_found"}


def test_a_malformed_association_id_is_422(api):
    assert api.handler.post("/associations/abc/accept").status_code == 422


def test_the_applicant_sees_their_association_but_may_not_decide_it(api, requested):
    assert api.applicant.post(f"/associations/{requested.pk}/accept").status_code == 403
    assert api.other_handler.post(f"/associations/{requested.pk}/accept").status_code == 404
    requested.refresh_from_db()
    assert requested.state == "requested"


# --- release --------------------------------------------------------------------------------------------------------


def test_release_within_60_days_is_not_late(api, active):
    left_on = TODAY - timedelta(days=60)
    response = api.handler.post(f"/associations/{active.pk}/release", {"left_on": left_on.isoformat()})
    assert response.status_code == 200
    assert response.json() == {**_json(active), "state": "released", "left_on": left_on.isoformat(), "late": False}


def test_release_61_days_after_leaving_is_late(api, active):
    left_on = TODAY - timedelta(days=61)
    response = api.handler.post(f"/associations/{active.pk}/release", {"left_on": left_on.isoformat()})
    assert response.status_code == 200
    assert response.json()["late"] is True


def test_release_with_left_on_before_the_association_began_is_accepted(api, active):
    response = api.handler.post(f"/associations/{active.pk}/release", {"left_on": "2001-01-01"})
    assert response.status_code == 200


def test_release_suspends_the_permit_and_the_unit_no_longer_sees_it(api, people, active):
    permit = make_permit(people.applicant, people.unit)
    assert api.handler.get(f"/permits/{permit.number}").status_code == 200
    api.handler.post(f"/associations/{active.pk}/release", {"left_on": TODAY.isoformat()})
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED
    assert api.handler.get(f"/permits/{permit.number}").status_code == 404
    assert api.applicant.get(f"/permits/{permit.number}").json()["status"] == "suspended"


@pytest.mark.parametrize(("left_on", "field"), [
    ((TODAY + timedelta(days=1)).isoformat(), "left_on"),
    ("2026-02-30", "left_on"),
    ("26/11/2026", "left_on"),
    (None, "left_on"),
])
def test_a_bad_left_on_is_422_naming_it(api, active, left_on, field):
    response = api.handler.post(f"/associations/{active.pk}/release", {"left_on": left_on})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    active.refresh_from_db()
    assert active.state == "active"


def test_releasing_a_requested_association_is_409(api, requested):
    response = api.handler.post(f"/associations/{requested.pk}/release", {"left_on": TODAY.isoformat()})
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "requested", "code": "invalid_state"}
