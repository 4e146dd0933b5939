"""GET /permits, GET /permits/{number} (contracts/cases-api.md §Permits) and GET /slots (§Cases)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.api.conftest import SHANGHAI
from tests.factories import make_association, make_permit, make_unit
from wrp.appointments.models import SlotSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit(people):
    make_association(people.applicant, people.unit)
    return make_permit(
        people.applicant, people.unit, issued_on=date(2025, 3, 3),
        children=[{"name": "小明", "case": "in_policy"}],
    )


# --- permits --------------------------------------------------------------------------------------------------------


def test_the_holder_reads_their_permit(api, permit, people):
    response = api.applicant.get(f"/permits/{permit.number}")
    assert response.status_code == 200
    assert response.json() == {
        "number": permit.number, "status": "valid", "issued_on": "2025-03-03", "valid_until": "2028-03-03",
        "unit": people.unit.credit_code, "holder": "applicant",
        "children": [{"name": "小明", "case": "in_policy", "added_on": "2025-03-03"}],
    }


@pytest.mark.parametrize("persona", ["handler", "clerk", "approver"])
def test_the_units_handlers_and_staff_read_the_permit(api, permit, persona):
    assert api[persona].get(f"/permits/{permit.number}").json()["number"] == permit.number


@pytest.mark.parametrize("persona", ["other_applicant", "other_handler"])
def test_someone_elses_permit_is_404(api, permit, persona):
    response = api[persona].get(f"/permits/{permit.number}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "code": "permit_not_found"}


@pytest.mark.parametrize("number", ["WRPNOSUCHNUMBER", "x" * 300, "WRP%00"])
def test_an_unknown_permit_number_is_404(api, permit, number):
    assert api.clerk.get(f"/permits/{number}").status_code == 404


def test_permit_list_is_the_callers_own_and_paginated(api, people, permit):
    others = [make_permit(people.other_applicant, make_unit()) for _ in range(20)]
    mine = api.applicant.get("/permits").json()
    assert (mine["count"], mine["page"], mine["page_size"]) == (1, 1, 20)
    assert [item["number"] for item in mine["items"]] == [permit.number]
    assert api.handler.get("/permits").json()["count"] == 1
    assert api.other_handler.get("/permits").json()["count"] == 0
    staff = api.approver.get("/permits", {"page": 2}).json()
    assert (staff["count"], len(staff["items"]), staff["page"]) == (len(others) + 1, 1, 2)


def test_permit_list_is_403_for_an_administrator(api):
    assert api.admin.get("/permits").status_code == 403


# --- slots ----------------------------------------------------------------------------------------------------------


def test_slots_are_the_future_slots_of_working_days(api):
    response = api.handler.get("/slots", {"from": "2026-11-26", "to": "2026-11-30"})
    assert response.status_code == 200
    slots = response.json()
    starts = [datetime.fromisoformat(slot["start"]).astimezone(SHANGHAI) for slot in slots]
    # Thursday after 10:00, Friday, (no weekend), Monday: hourly slots from 9:00, the last ending at 17:00.
    assert {start.date() for start in starts} == {date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30)}
    assert min(start for start in starts if start.date() == date(2026, 11, 26)).hour == 11
    assert len(slots) == 6 + 8 + 8
    first = slots[0]
    assert set(first) == {"id", "start", "end", "capacity", "booked"}
    assert isinstance(first["id"], str)
    assert not first["id"].isdigit()
    assert (first["capacity"], first["booked"]) == (SlotSettings().capacity, 0)
    assert datetime.fromisoformat(slots[-1]["end"]).astimezone(SHANGHAI).hour == 17


def test_slots_of_the_same_days_keep_their_ids(api):
    query = {"from": "2026-11-27", "to": "2026-11-27"}
    assert api.applicant.get("/slots", query).json() == api.clerk.get("/slots", query).json()


def test_no_slot_is_offered_on_a_date_whose_year_is_not_loaded(api):
    assert api.handler.get("/slots", {"from": "2027-01-04", "to": "2027-01-08"}).json() == []


@pytest.mark.parametrize(("query", "field"), [
    ({"to": "2026-12-01"}, "from"),
    ({"from": "2026-12-01"}, "to"),
    ({"from": "2026-12-01", "to": "2027-03-04"}, "to"),  # 93 days apart
    ({"from": "2026-12-02", "to": "2026-12-01"}, "to"),
    ({"from": "1.12.2026", "to": "2026-12-01"}, "from"),
    ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
])
def test_a_bad_range_is_422_naming_the_parameter(api, query, field):
    response = api.handler.get("/slots", query)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_92_days_apart_is_accepted(api):
    assert api.handler.get("/slots", {"from": "2026-12-01", "to": "2027-03-03"}).status_code == 200


def test_slots_are_403_for_an_administrator_and_401_without_credentials(api):
    query = {"from": "2026-12-01", "to": "2026-12-01"}
    assert api.admin.get("/slots", query).status_code == 403
    assert api.anonymous.get("/slots", query).status_code == 401
