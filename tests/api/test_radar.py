"""The expiry radar and bulk renewal drafts through the API (issue 10 §4): the unit's handlers only (another unit's
handler gets 404, staff 403), the same fields as the page, and renewals opened all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.conftest import TODAY
from tests.factories import case_in_state, make_association, make_ledger, make_permit, make_user
from wrp.accounts.models import Role
from wrp.cases.models import Case
from wrp.permits.models import Permit


@pytest.fixture
def people(people):
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people


@pytest.fixture
def permit(people):
    """The permit of the applicant's approved initial case, 30 days from its end."""
    case_in_state(people, "approved")
    permit = Permit.objects.get(holder=people.applicant)
    Permit.objects.filter(pk=permit.pk).update(valid_until=TODAY + timedelta(days=30))
    permit.refresh_from_db()
    return permit


def test_the_radar_lists_the_units_permits(api, people, permit):
    holder = make_user(Role.APPLICANT)
    make_association(holder, people.unit)
    later = make_permit(holder, people.unit, valid_until=TODAY + timedelta(days=61))
    response = api.handler.get(f"/units/{people.unit.credit_code}/radar")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["page"] == 1
    assert body["page_size"] == 20
    first, second = body["items"]
    assert first["permit"] == permit.number
    assert first["holder"] == "applicant"
    assert first["days_to_expiry"] == 30
    assert first["window"] == "open"
    assert first["selectable"] is True
    assert first["next_step"] == "open_renewal"
    assert first["open_cases"] == []
    assert first["valid_until"] == (TODAY + timedelta(days=30)).isoformat()
    assert second["permit"] == later.number
    assert second["window"] == "before"
    assert second["next_step"] == "wait"
    assert second["window_opens"] == (TODAY + timedelta(days=1)).isoformat()
    filtered = api.handler.get(f"/units/{people.unit.credit_code}/radar", {"window": "before"}).json()
    assert [item["permit"] for item in filtered["items"]] == [later.number]
    assert api.handler.get(f"/units/{people.unit.credit_code}/radar", {"window": "soon"}).status_code == 422


def test_others_do_not_see_the_radar(api, people, permit):
    path = f"/units/{people.unit.credit_code}/radar"
    assert api.other_handler.get(path).status_code == 404
    assert api.applicant.get(path).status_code == 404
    assert api.clerk.get(path).status_code == 403
    assert api.anonymous.get(path).status_code == 401
    refused = api.other_handler.post(f"/units/{people.unit.credit_code}/renewals", {"permits": [permit.number]})
    assert refused.status_code == 404
    assert refused.json()["error"] == "not_found"


def test_renewals_open_prefilled_drafts(api, people, permit):
    before = Case.objects.count()
    response = api.handler.post(f"/units/{people.unit.credit_code}/renewals", {"permits": [permit.number]})
    assert response.status_code == 201
    (item,) = response.json()["items"]
    assert item["kind"] == "renewal"
    assert item["state"] == "draft"
    assert item["permit"] == permit.number
    assert item["applicant"] == "applicant"
    assert item["copied_from"] is not None
    assert item["reused"] == ["labour_contract"]
    assert {"code": "social_insurance_12m", "reason": "dated"} in item["anew"]
    assert Case.objects.count() == before + 1
    radar = api.handler.get(f"/units/{people.unit.credit_code}/radar").json()
    assert radar["items"][0]["next_step"] == "complete_renewal"
    assert radar["items"][0]["open_cases"] == [{"id": item["id"], "kind": "renewal", "state": "draft"}]


def test_refused_renewals_change_nothing(api, people, permit):
    path = f"/units/{people.unit.credit_code}/renewals"
    holder = make_user(Role.APPLICANT)
    make_association(holder, people.unit)
    early = make_permit(holder, people.unit, valid_until=TODAY + timedelta(days=61))
    before = Case.objects.count()
    response = api.handler.post(path, {"permits": [permit.number, early.number]})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert list(response.json()["fields"]) == ["permits.1"]
    response = api.handler.post(path, {"permits": [permit.number, "WRPNOSUCHPERMIT"]})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["permits.1"]
    assert api.handler.post(path, {"permits": []}).status_code == 422
    assert api.clerk.post(path, {"permits": [permit.number]}).status_code == 403
    assert Case.objects.count() == before
