"""POST /units, GET and PUT /units/{credit_code} (contracts/cases-api.md §Units and quotas)."""

from __future__ import annotations

import pytest

from tests.api.conftest import UNIT_BODY
from tests.factories import make_credit_code
from wrp.units.models import Penalty, Unit, UnitHandler

pytestmark = pytest.mark.django_db


def _body(**changes) -> dict:
    return {"credit_code": make_credit_code(), **UNIT_BODY, **changes}


# --- registration ---------------------------------------------------------------------------------------------------


def test_handler_registers_a_unit_with_account_none_and_becomes_its_handler(api, people):
    body = _body()
    response = api.handler.post("/units", body)
    assert response.status_code == 201
    unit = Unit.objects.get(credit_code=body["credit_code"])
    assert UnitHandler.objects.filter(unit=unit, user=people.handler).exists()
    assert response.json() == {
        "credit_code": body["credit_code"], "name": "北京丙科技有限公司", "kind": "enterprise", "legal_person": True,
        "registered_district": "chaoyang", "tax_district": "chaoyang", "tax_paid_since": "2019-05-01",
        "registered_capital": "5000000", "annual_tax": {"2023": "250000", "2024": "280000", "2025": "300000.5"},
        "qualifications": ["high_tech_enterprise"], "account": {"status": "none", "district": None},
        "penalties": [], "penalty": None, "quota_frozen": False, "association_code": unit.association_code,
    }
    assert api.handler.get("/me").json()["units"] == sorted([people.unit.credit_code, unit.credit_code])


def test_the_credit_code_is_stored_normalised(api):
    code = make_credit_code()
    response = api.handler.post("/units", _body(credit_code=f" {code.lower()} "))
    assert response.status_code == 201
    assert response.json()["credit_code"] == code


def test_only_the_facts_unit_opening_reads_are_required(api):
    body = {key: value for key, value in _body().items() if key not in ("annual_tax", "qualifications")}
    body["tax_paid_since"] = None
    response = api.handler.post("/units", body)
    assert response.status_code == 201
    assert (response.json()["annual_tax"], response.json()["qualifications"]) == ({}, [])


def test_registered_capital_is_required_of_a_legal_person_enterprise_only(api):
    body = {key: value for key, value in _body().items() if key != "registered_capital"}
    response = api.handler.post("/units", body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["registered_capital"]
    other = {**body, "credit_code": make_credit_code(), "kind": "public_institution"}
    assert api.handler.post("/units", other).status_code == 201


@pytest.mark.parametrize("field", ["name", "kind", "legal_person", "registered_district", "tax_district",
                                   "tax_paid_since", "credit_code"])
def test_a_missing_required_fact_is_422_naming_it(api, field):
    body = _body()
    del body[field]
    response = api.handler.post("/units", body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize(("field", "value"), [
    ("account", {"status": "open", "district": "chaoyang"}),
    ("quota_remaining", 5),
    ("quota_frozen", False),
    ("penalty", None),
])
def test_a_fact_the_system_keeps_is_422_naming_it(api, field, value):
    response = api.handler.post("/units", _body(**{field: value}))
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert list(response.json()["fields"]) == [field]
    assert Unit.objects.count() == 2, "a refused request changes nothing"


@pytest.mark.parametrize(("changes", "field"), [
    ({"kind": "company"}, "kind"),
    ({"registered_district": "pudong"}, "registered_district"),
    ({"legal_person": "yes"}, "legal_person"),
    ({"registered_capital": -1}, "registered_capital"),
    ({"registered_capital": "1e400"}, "registered_capital"),
    ({"registered_capital": 1e308}, "registered_capital"),
    ({"annual_tax": {"2024": "12.345"}}, "annual_tax.2024"),
    ({"annual_tax": {"2030": 1}}, "annual_tax.2030"),
    ({"qualifications": ["nobel_prize"]}, "qualifications.0"),
    ({"tax_paid_since": "2099-01-01"}, "tax_paid_since"),
    ({"name": ""}, "name"),
    ({"name": "\x00"}, "name"),
    ({"credit_code": "91110105MA01ABCDE0"}, "credit_code"),
])
def test_a_bad_fact_is_422_naming_it(api, changes, field):
    response = api.handler.post("/units", _body(**changes))
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]


def test_a_duplicate_credit_code_is_422_naming_it(api, people):
    response = api.handler.post("/units", _body(credit_code=people.other_unit.credit_code))
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["credit_code"]


@pytest.mark.parametrize("persona", ["applicant", "clerk", "approver", "admin"])
def test_only_a_handler_registers_a_unit(api, persona):
    response = api[persona].post("/units", _body())
    assert response.status_code == 403
    assert Unit.objects.count() == 2


# --- reading --------------------------------------------------------------------------------------------------------


def test_staff_see_the_unit_without_its_association_code(api, people):
    Penalty.objects.create(unit=people.unit, kind="blacklisted", reason="虚假材料", decided_by=people.approver,
                           decided_at=people.unit.created_at)
    body = api.clerk.get(f"/units/{people.unit.credit_code}").json()
    assert "association_code" not in body
    assert body["account"] == {"status": "open", "district": "chaoyang"}
    assert body["penalties"] == ["blacklisted"]
    assert api.handler.get(f"/units/{people.unit.credit_code}").json()["association_code"] == (
        people.unit.association_code
    )


def test_the_unit_is_found_by_its_code_as_typed(api, people):
    assert api.handler.get(f"/units/{people.unit.credit_code.lower()}").status_code == 200


@pytest.mark.parametrize("code", ["91110105MA01ABCDE0", "nonsense", "x" * 500, "%00"])
def test_an_unknown_unit_is_404(api, code):
    response = api.clerk.get(f"/units/{code}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "code": "unit_not_found"}


@pytest.mark.parametrize("persona", ["applicant", "other_handler"])
def test_a_unit_the_caller_may_not_see_is_404(api, people, persona):
    assert api[persona].get(f"/units/{people.unit.credit_code}").status_code == 404


# --- replacing the facts --------------------------------------------------------------------------------------------


def test_handler_replaces_the_facts(api, people):
    code = people.unit.credit_code
    response = api.handler.put(f"/units/{code}", {**UNIT_BODY, "credit_code": code, "name": "北京甲新名称有限公司"})
    assert response.status_code == 200
    assert response.json()["name"] == "北京甲新名称有限公司"
    assert response.json()["qualifications"] == ["high_tech_enterprise"]
    people.unit.refresh_from_db()
    assert people.unit.name == "北京甲新名称有限公司"
    assert people.unit.account_status == "open", "the account is the system's, not the body's"


def test_replacing_resets_facts_left_out(api, people):
    code = people.unit.credit_code
    api.handler.put(f"/units/{code}", {**UNIT_BODY, "credit_code": code})
    body = {key: value for key, value in UNIT_BODY.items() if key != "qualifications"}
    assert api.handler.put(f"/units/{code}", {**body, "credit_code": code}).json()["qualifications"] == []


def test_a_different_credit_code_is_422(api, people):
    response = api.handler.put(f"/units/{people.unit.credit_code}", {**UNIT_BODY, "credit_code": make_credit_code()})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["credit_code"]


def test_put_with_a_system_fact_is_422_naming_it(api, people):
    code = people.unit.credit_code
    response = api.handler.put(f"/units/{code}", {**UNIT_BODY, "credit_code": code, "quota_frozen": True})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["quota_frozen"]


@pytest.mark.parametrize(("persona", "status"), [("clerk", 403), ("approver", 403), ("other_handler", 404),
                                                 ("applicant", 404)])
def test_only_its_handlers_replace_the_facts(api, people, persona, status):
    code = people.unit.credit_code
    response = api[persona].put(f"/units/{code}", {**UNIT_BODY, "credit_code": code})
    assert response.status_code == status
    people.unit.refresh_from_db()
    assert people.unit.name == "北京甲科技有限公司"
