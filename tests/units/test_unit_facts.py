"""unit_facts: the `unit` object of an assessment request (contracts/assessment.md), and who sees a unit."""

import itertools
import json
from datetime import date
from decimal import Decimal

import pytest

from tests.factories import make_ledger, make_unit
from wrp.core.errors import NotFound
from wrp.policy.models import Unit as PolicyUnit
from wrp.units.models import AccountStatus, Penalty
from wrp.units.selectors import unit_facts, unit_for, units_handled_by

AS_OF = date(2025, 6, 10)


def impose(unit, approver, *kinds):
    for kind in kinds:
        Penalty.objects.create(unit=unit, kind=kind, reason="r", decided_by=approver, decided_at="2025-06-01T00:00Z")


def test_unit_facts_carry_every_field_of_the_contract_as_json(people):
    make_ledger(people.unit, 2025, granted=5, reserved=1, used=2)
    facts = unit_facts(people.unit, as_of=AS_OF)
    assert facts == {
        "kind": "enterprise",
        "legal_person": True,
        "registered_district": "chaoyang",
        "tax_district": "chaoyang",
        "tax_paid_since": "2019-05-01",
        "registered_capital": "5000000",
        "annual_tax": {"2022": "300000", "2023": "250000", "2024": "280000"},
        "account": {"status": "open", "district": "chaoyang"},
        "quota_remaining": 2,
        "quota_frozen": False,
        "penalty": None,
        "qualifications": [],
    }
    assert json.loads(json.dumps(facts)) == facts


def test_unit_facts_are_accepted_by_the_policy_model(people):
    PolicyUnit.model_validate(unit_facts(people.unit, as_of=AS_OF))


def test_amounts_are_decimal_strings_without_exponent_or_trailing_zeros(people):
    unit = make_unit(registered_capital=Decimal("1234567.50"), annual_tax={"2024": "200000.00"}, tax_paid_since=None)
    facts = unit_facts(unit, as_of=AS_OF)
    assert facts["registered_capital"] == "1234567.5"
    assert facts["annual_tax"] == {"2024": "200000"}
    assert facts["tax_paid_since"] is None


@pytest.mark.parametrize(("status", "district", "expected"), [
    (AccountStatus.NONE, "", {"status": "none", "district": None}),
    (AccountStatus.OPEN, "chaoyang", {"status": "open", "district": "chaoyang"}),
    (AccountStatus.OPEN, "haidian", {"status": "open", "district": "haidian"}),
    (AccountStatus.TRANSFERRED, "haidian", {"status": "closed", "district": "haidian"}),
    (AccountStatus.CLOSED, "chaoyang", {"status": "closed", "district": "chaoyang"}),
])
def test_account_maps_to_the_three_policy_states(status, district, expected, db):
    unit = make_unit(account_status=status, account_district=district)
    assert unit_facts(unit, as_of=AS_OF)["account"] == expected


def test_quota_remaining_is_this_years_ledger_and_zero_without_one(people):
    make_ledger(people.unit, 2024, granted=9)
    assert unit_facts(people.unit, as_of=AS_OF)["quota_remaining"] == 0
    make_ledger(people.unit, 2025, granted=3, used=1)
    assert unit_facts(people.unit, as_of=AS_OF)["quota_remaining"] == 2
    assert unit_facts(people.unit, as_of=date(2024, 12, 31))["quota_remaining"] == 9


COMBINATIONS = [
    combo for n in range(4) for combo in itertools.combinations(["quota_frozen", "service_terminated", "blacklisted"], n)
]


@pytest.mark.parametrize("active", COMBINATIONS, ids=lambda c: "+".join(c) or "none")
def test_penalties_map_to_quota_frozen_and_the_strongest_penalty(people, active):
    impose(people.unit, people.approver, *active)
    facts = unit_facts(people.unit, as_of=AS_OF)
    assert facts["quota_frozen"] is ("quota_frozen" in active)
    expected = "blacklisted" if "blacklisted" in active else (
        "service_terminated" if "service_terminated" in active else None)
    assert facts["penalty"] == expected


def test_lifted_penalties_do_not_count(people):
    Penalty.objects.create(unit=people.unit, kind="blacklisted", reason="r", decided_by=people.approver,
                           decided_at="2025-06-01T00:00Z", active=False)
    facts = unit_facts(people.unit, as_of=AS_OF)
    assert facts["penalty"] is None
    assert facts["quota_frozen"] is False


# --- unit_for ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["handler", "clerk", "approver"])
def test_handlers_clerks_and_approvers_see_the_unit(people, persona):
    assert unit_for(getattr(people, persona), people.unit.credit_code) == people.unit


def test_unit_for_accepts_the_code_as_typed(people):
    assert unit_for(people.handler, " " + people.unit.credit_code.lower()) == people.unit


@pytest.mark.parametrize("persona", ["other_handler", "applicant", "admin"])
def test_anyone_else_is_told_the_unit_does_not_exist(people, persona):
    with pytest.raises(NotFound):
        unit_for(getattr(people, persona), people.unit.credit_code)


def test_an_unknown_credit_code_is_not_found(people):
    with pytest.raises(NotFound):
        unit_for(people.clerk, "91110000600037341L")


def test_units_handled_by_lists_only_the_handlers_units(people):
    assert list(units_handled_by(people.handler)) == [people.unit]
    assert not units_handled_by(people.clerk).exists()
