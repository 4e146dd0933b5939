"""Quota requests and grants, a unit's quota for a year, penalties imposed and lifted (contracts/cases-api.md §Units
and quotas)."""

from __future__ import annotations

import pytest

from tests.api.conftest import TODAY
from tests.factories import make_ledger
from wrp.quotas.models import QuotaLedger, QuotaRequest
from wrp.units.models import Penalty

pytestmark = pytest.mark.django_db


def _quota_request(api, people, **body):
    return api.handler.post(
        f"/units/{people.unit.credit_code}/quota-requests",
        {"year": TODAY.year, "requested": 3, "reason": "新招聘研发人员", **body},
    )


# --- quota requests and grants --------------------------------------------------------------------------------------


def test_handler_declares_the_quota_a_unit_needs(api, people):
    response = _quota_request(api, people)
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == QuotaRequest.objects.get().pk
    assert {key: body[key] for key in ("unit", "year", "requested", "reason", "state", "granted", "decided_at")} == {
        "unit": people.unit.credit_code, "year": 2026, "requested": 3, "reason": "新招聘研发人员",
        "state": "pending", "granted": None, "decided_at": None,
    }
    assert body["requested_at"].startswith("2026-11-26T10:00:00")


@pytest.mark.parametrize(("body", "field"), [
    ({"year": 2025}, "year"),
    ({"year": 2028}, "year"),
    ({"year": "2026"}, "year"),
    ({"requested": 0}, "requested"),
    ({"requested": 10**30}, "requested"),
    ({"requested": True}, "requested"),
    ({"reason": "  "}, "reason"),
    ({"reason": None}, "reason"),
])
def test_a_bad_quota_request_is_422_naming_the_field(api, people, body, field):
    response = _quota_request(api, people, **body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert not QuotaRequest.objects.exists()


def test_next_year_may_be_requested(api, people):
    assert _quota_request(api, people, year=TODAY.year + 1).status_code == 201


@pytest.mark.parametrize(("persona", "status"), [("clerk", 403), ("approver", 403), ("other_handler", 404)])
def test_only_its_handlers_declare_a_units_quota(api, people, persona, status):
    response = api[persona].post(
        f"/units/{people.unit.credit_code}/quota-requests", {"year": 2026, "requested": 1, "reason": "x"}
    )
    assert response.status_code == status


def test_the_approver_grants_and_the_quota_shows_it(api, people):
    request_id = _quota_request(api, people).json()["id"]
    response = api.approver.post(f"/quota-requests/{request_id}/grant", {"granted": 2})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["granted"]) == ("granted", 2)
    quota = api.handler.get(f"/units/{people.unit.credit_code}/quota/{TODAY.year}")
    assert quota.json() == {"year": 2026, "granted": 2, "reserved": 0, "used": 0, "remaining": 2, "frozen": False}


def test_granting_twice_is_409(api, people):
    request_id = _quota_request(api, people).json()["id"]
    api.approver.post(f"/quota-requests/{request_id}/grant", {"granted": 2})
    response = api.approver.post(f"/quota-requests/{request_id}/grant", {"granted": 2})
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "granted", "code": "invalid_state"}
    assert QuotaLedger.objects.get().granted == 2


@pytest.mark.parametrize("granted", [-1, 10**7, "2", None])
def test_a_bad_grant_is_422_naming_granted(api, people, granted):
    request_id = _quota_request(api, people).json()["id"]
    response = api.approver.post(f"/quota-requests/{request_id}/grant", {"granted": granted})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["granted"]


def test_zero_may_be_granted(api, people):
    request_id = _quota_request(api, people).json()["id"]
    assert api.approver.post(f"/quota-requests/{request_id}/grant", {"granted": 0}).status_code == 200


@pytest.mark.parametrize(("persona", "status"), [("handler", 403), ("clerk", 403), ("other_handler", 404),
                                                 ("applicant", 404), ("admin", 403)])
def test_only_the_bureau_grants(api, people, persona, status):
    request_id = _quota_request(api, people).json()["id"]
    assert api[persona].post(f"/quota-requests/{request_id}/grant", {"granted": 2}).status_code == status
    assert QuotaRequest.objects.get().state == "pending"


@pytest.mark.parametrize("request_id", ["424242", str(2**63), "0"])
def test_an_unknown_quota_request_is_404(api, request_id):
    assert api.approver.post(f"/quota-requests/{request_id}/grant", {"granted": 1}).status_code == 404


# --- the quota of a year --------------------------------------------------------------------------------------------


def test_quota_of_a_year_counts_reserved_and_used_and_shows_a_freeze(api, people):
    make_ledger(people.unit, 2026, granted=5, reserved=1, used=2)
    Penalty.objects.create(unit=people.unit, kind="quota_frozen", reason="逾期", decided_by=people.approver,
                           decided_at=people.unit.created_at)
    response = api.clerk.get(f"/units/{people.unit.credit_code}/quota/2026")
    assert response.json() == {"year": 2026, "granted": 5, "reserved": 1, "used": 2, "remaining": 2, "frozen": True}


def test_a_year_without_a_ledger_is_all_zeros(api, people):
    assert api.approver.get(f"/units/{people.unit.credit_code}/quota/2030").json()["granted"] == 0


@pytest.mark.parametrize("year", ["1800", "99999999999999999999999", "next"])
def test_a_bad_year_is_422(api, people, year):
    response = api.handler.get(f"/units/{people.unit.credit_code}/quota/{year}")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["year"]


def test_quota_of_a_unit_the_caller_may_not_see_is_404(api, people):
    assert api.other_handler.get(f"/units/{people.unit.credit_code}/quota/2026").status_code == 404


# --- penalties ------------------------------------------------------------------------------------------------------


def test_the_approver_imposes_a_penalty_recorded_with_decider_and_date(api, people):
    response = api.approver.post(f"/units/{people.unit.credit_code}/penalties", {"kind": "quota_frozen",
                                                                                 "reason": "逾期解除关联"})
    assert response.status_code == 201
    body = response.json()
    assert {key: body[key] for key in ("unit", "kind", "reason", "active", "decided_by", "lifted_by")} == {
        "unit": people.unit.credit_code, "kind": "quota_frozen", "reason": "逾期解除关联", "active": True,
        "decided_by": "approver", "lifted_by": None,
    }
    assert body["decided_at"].startswith("2026-11-26T10:00:00")
    assert api.handler.get(f"/units/{people.unit.credit_code}").json()["penalties"] == ["quota_frozen"]
    assert api.handler.get(f"/units/{people.unit.credit_code}/quota/2026").json()["frozen"] is True


def test_imposing_an_active_penalty_is_409_active(api, people):
    path = f"/units/{people.unit.credit_code}/penalties"
    api.approver.post(path, {"kind": "blacklisted", "reason": "虚假材料"})
    response = api.approver.post(path, {"kind": "blacklisted", "reason": "虚假材料"})
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "active", "code": "penalty_active"}


def test_lifting_records_who_and_why_and_the_unit_no_longer_shows_it(api, people):
    code = people.unit.credit_code
    api.approver.post(f"/units/{code}/penalties", {"kind": "service_terminated", "reason": "违规"})
    response = api.approver.post(f"/units/{code}/penalties/service_terminated/lift", {"reason": "整改完成"})
    assert response.status_code == 200
    assert (response.json()["active"], response.json()["lifted_by"], response.json()["lift_reason"]) == (
        False, "approver", "整改完成"
    )
    assert api.clerk.get(f"/units/{code}").json()["penalties"] == []


def test_lifting_an_inactive_penalty_is_409_inactive(api, people):
    response = api.approver.post(f"/units/{people.unit.credit_code}/penalties/blacklisted/lift", {"reason": "x"})
    assert response.status_code == 409
    assert response.json() == {"error": "invalid_state", "state": "inactive", "code": "penalty_inactive"}


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "fine", "reason": "x"}, "kind"),
    ({"kind": "blacklisted", "reason": ""}, "reason"),
    ({"kind": "blacklisted"}, "reason"),
])
def test_a_bad_penalty_is_422_naming_the_field(api, people, body, field):
    response = api.approver.post(f"/units/{people.unit.credit_code}/penalties", body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert not Penalty.objects.exists()


def test_an_unknown_kind_to_lift_is_422(api, people):
    response = api.approver.post(f"/units/{people.unit.credit_code}/penalties/fine/lift", {"reason": "x"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["kind"]


@pytest.mark.parametrize(("persona", "status"), [("handler", 403), ("clerk", 403), ("other_handler", 404)])
def test_only_the_bureau_imposes_and_lifts(api, people, persona, status):
    code = people.unit.credit_code
    assert api[persona].post(f"/units/{code}/penalties", {"kind": "blacklisted", "reason": "x"}).status_code == status
    Penalty.objects.create(unit=people.unit, kind="blacklisted", reason="x", decided_by=people.approver,
                           decided_at=people.unit.created_at)
    assert api[persona].post(f"/units/{code}/penalties/blacklisted/lift", {"reason": "x"}).status_code == status
    assert Penalty.objects.get().active is True


@pytest.mark.parametrize(("language", "message"), [
    (None, "申报数量至少为1"),
    ("zh-CN,zh;q=0.9", "申报数量至少为1"),
    ("en-GB,en;q=0.9", "at least 1 must be requested"),
    ("fr, en;q=0.5", "at least 1 must be requested"),
])
def test_a_refusal_names_its_code_and_speaks_the_callers_language(api, people, language, message):
    headers = {**api.handler.headers, **({"Accept-Language": language} if language else {})}
    response = api.handler.client.post(
        f"/api/v1/units/{people.unit.credit_code}/quota-requests",
        {"year": 2026, "requested": 0, "reason": "新招聘研发人员"}, content_type="application/json", headers=headers,
    )
    assert response.status_code == 422
    assert response.json() == {"error": "invalid_request", "code": "invalid_request", "fields": {"requested": message}}
