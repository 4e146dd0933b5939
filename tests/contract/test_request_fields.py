"""Which fields a request must carry (contracts/assessment.md §Request, "What 'needs' means").

A field is required when a rule that applies to the service reads it; a part the service does not need may be absent
or null; documented nullable fields mean "none / not met" when null. Answers are taken from the command-line door
(in process), whose error object the contract defines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.doors import as_bytes, cli_door_in_process, example_request

Edit = Callable[[dict[str, Any]], None]


def _answer(edit: Edit) -> tuple[bool, dict[str, Any]]:
    request = example_request()
    edit(request)
    return cli_door_in_process(as_bytes(request))


def _unit_opening_by_a_representative_office(request: dict[str, Any]) -> None:
    request.update(service="unit_opening", applicant=None)
    request["unit"].update(kind="foreign_rep_office", legal_person=False, account={"status": "none"})
    del request["unit"]["registered_capital"]
    del request["unit"]["annual_tax"]


def _initial_under_condition_4_without_12_month_income(request: dict[str, Any]) -> None:
    applicant = request["applicant"]
    applicant.update(talent_condition=4, taxable_income_by_year={"2022": 700000, "2023": 700000, "2024": 700000})
    del applicant["taxable_income_12m"]


def _initial_declared_in_2020_without_12_month_income(request: dict[str, Any]) -> None:
    request["as_of"] = "2020-06-03"
    del request["applicant"]["taxable_income_12m"]


def _education_change_without_housing(request: dict[str, Any]) -> None:
    request.update(service="info_change", change={"subtype": "education"})
    request["applicant"]["permit"] = {"status": "valid", "valid_until": "2026-12-31"}
    del request["applicant"]["housing"]


def _all_documented_nullables_null(request: dict[str, Any]) -> None:
    request["unit"]["penalty"] = None
    request["applicant"].update(
        degree=None, professional_title=None, award=None, ip=None, startup=None, annual_tax_paid=None, permit=None,
        taxable_income_by_year=None, contract_end=None, housing={"kind": "owned", "lease_end": None},
    )  # fmt: skip


def _annual_tax_and_children_missing(request: dict[str, Any]) -> None:
    del request["unit"]["annual_tax"]
    del request["applicant"]["children"]


VALID = [
    pytest.param(_unit_opening_by_a_representative_office, "U-CAPITAL", id="capital-of-a-unit-U-CAPITAL-skips"),
    pytest.param(_initial_under_condition_4_without_12_month_income, "A-INCOME", id="12m-income-under-condition-4"),
    pytest.param(_initial_declared_in_2020_without_12_month_income, "A-INCOME", id="12m-income-before-2021"),
    pytest.param(_education_change_without_housing, "A-HOUSING", id="housing-for-an-education-change"),
    pytest.param(_all_documented_nullables_null, None, id="documented-nullables-null"),
    pytest.param(_annual_tax_and_children_missing, None, id="annual-tax-and-children-missing"),
]


@pytest.mark.parametrize(("edit", "absent_rule"), VALID)
def test_a_fact_no_applying_rule_reads_may_be_left_out(edit, absent_rule):
    ok, body = _answer(edit)
    assert ok, body
    if absent_rule is not None:
        assert absent_rule not in {check["rule"] for check in body["checks"]}


def _drop(*path: str) -> Edit:
    def edit(request: dict[str, Any]) -> None:
        holder = request
        for key in path[:-1]:
            holder = holder[key]
        del holder[path[-1]]

    return edit


def _rented_without_lease_end(request: dict[str, Any]) -> None:
    request["applicant"]["housing"] = {"kind": "rented_rural"}


def _info_change_without_change(request: dict[str, Any]) -> None:
    request.update(service="info_change", change=None)
    request["applicant"]["permit"] = {"status": "valid", "valid_until": "2026-12-31"}


INVALID = [
    pytest.param(_drop("applicant", "contract_end"), "applicant.contract_end", id="contract-end-where-A-CONTRACT"),
    pytest.param(_drop("unit"), "unit", id="unit-part-of-a-personal-item"),
    pytest.param(_drop("applicant", "taxable_income_12m"), "applicant.taxable_income_12m", id="income-for-A-INCOME"),
    pytest.param(_rented_without_lease_end, "applicant.housing.lease_end", id="lease-end-of-rented-housing"),
    pytest.param(_info_change_without_change, "change", id="change-of-an-info-change"),
]


@pytest.mark.parametrize(("edit", "field"), INVALID)
def test_a_fact_an_applying_rule_reads_is_required(edit, field):
    ok, body = _answer(edit)
    assert not ok
    assert set(body["fields"]) == {field}


def _negative_income_and_no_contract_end(request: dict[str, Any]) -> None:
    request["applicant"]["taxable_income_12m"] = -1
    del request["applicant"]["contract_end"]


def _unknown_unit_kind_and_no_applicant(request: dict[str, Any]) -> None:
    request["unit"]["kind"] = "cooperative"
    del request["applicant"]


@pytest.mark.parametrize(
    ("edit", "fields"),
    [
        pytest.param(
            _negative_income_and_no_contract_end,
            {"applicant.taxable_income_12m", "applicant.contract_end"},
            id="negative-amount-and-missing-field",
        ),
        pytest.param(
            _unknown_unit_kind_and_no_applicant, {"unit.kind", "applicant"}, id="unknown-code-and-missing-part"
        ),
    ],
)
def test_a_malformed_field_and_a_missing_one_are_named_together(edit, fields):
    """“every bad field is named”: a shape error does not hide a missing fact the service needs."""
    ok, body = _answer(edit)
    assert not ok
    assert set(body["fields"]) == fields


def _declared_in_2017(condition: int) -> Edit:
    def edit(request: dict[str, Any]) -> None:
        request["as_of"] = "2017-06-01"
        request["applicant"]["talent_condition"] = condition
        request["unit"]["qualifications"] = ["high_tech_enterprise"]
        request["applicant"]["taxable_income_by_year"] = {"2014": 500000, "2015": 500000, "2016": 500000}

    return edit


def test_no_reference_wage_for_an_income_condition_names_as_of():
    ok, body = _answer(_declared_in_2017(4))
    assert not ok
    assert set(body["fields"]) == {"as_of"}


def test_no_reference_wage_is_needed_without_an_income_rule():
    ok, body = _answer(_declared_in_2017(1))
    assert ok, body
    assert body["income"] is None
    assert "A-INCOME" not in {check["rule"] for check in body["checks"]}
