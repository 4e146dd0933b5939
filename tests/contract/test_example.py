"""The contract's example: its request (tests/contract/example_request.json) gives its response, messages aside.

EXAMPLE_REQUEST and EXAMPLE_RESPONSE are copied from contracts/assessment.md (§Request, §Response). The example's
`checks` shows one check (A-INCOME) where the contract says `checks` holds every rule that applies: the example check
must be among the answer's, and the full list is that of POLICY §5–§6 for `initial`.
"""

from __future__ import annotations

import json

import pytest

from tests.contract.doors import EXAMPLE_REQUEST_FILE, python_door

EXAMPLE_REQUEST = json.loads(
    """
{
  "service": "initial",
  "as_of": "2025-06-03",
  "change": null,
  "unit": {
    "kind": "enterprise",
    "legal_person": true,
    "registered_district": "chaoyang",
    "tax_district": "chaoyang",
    "tax_paid_since": "2019-05-01",
    "registered_capital": 5000000,
    "annual_tax": {"2022": 300000, "2023": 250000, "2024": 280000},
    "account": {"status": "open", "district": "chaoyang"},
    "quota_remaining": 2,
    "quota_frozen": false,
    "penalty": null,
    "qualifications": ["high_tech_enterprise"]
  },
  "applicant": {
    "nationality": "CN",
    "hukou": "non_beijing",
    "dispatched": false,
    "employment_start": "2023-01-10",
    "contract_end": "2027-01-09",
    "housing": {"kind": "rented_residential", "lease_end": "2026-03-01"},
    "talent_condition": 1,
    "degree": "bachelor",
    "work_experience_years": 3,
    "professional_title": null,
    "award": null,
    "ip": null,
    "startup": null,
    "annual_tax_paid": null,
    "recommended_and_approved": false,
    "overseas_qualification": false,
    "taxable_income_12m": 230000,
    "taxable_income_by_year": {"2022": 0, "2023": 0, "2024": 0},
    "income_paid_by_unit": true,
    "social_insurance_months_by_unit": 12,
    "social_insurance_unit_matches": true,
    "children": [{"case": "in_policy"}],
    "accompanying_spouse": false,
    "permit": null
  }
}
"""
)

EXAMPLE_RESPONSE = json.loads(
    """
{
  "service": "initial",
  "as_of": "2025-06-03",
  "decision": "eligible",
  "checks": [
    {"rule": "A-INCOME", "outcome": "pass", "clause": "G3.申请条件.2",
     "message": "近12个月应税收入 230000 ≥ 211698（2023年月平均工资 11761 × 1.5 × 12）"}
  ],
  "manual_checks": ["学位证书经中国学位与研究生教育信息网查验"],
  "income": {"reference_year": 2023, "reference_monthly_wage": "11761", "multiplier": "1.5",
             "monthly_threshold": "17641.5", "annual_threshold": "211698"},
  "materials": ["personal_integrity_declaration", "housing_rented_residential", "hukou_book", "degree_and_diploma",
                "labour_contract", "taxable_income_12m", "child_in_policy", "social_insurance_12m"],
  "time_limit_working_days": 20,
  "decision_due": "2025-07-01",
  "review_chain": ["window", "district_bureau"]
}
"""
)

# POLICY §5–§6, column "applies to", for `initial` (A-INCOME: declared 2021 or later, condition not 4 or 5).
INITIAL_RULES = {
    "U-OPEN-HERE", "U-PENALTY", "U-QUOTA",
    "A-NATIONALITY", "A-HUKOU", "A-DISPATCH", "A-NO-PERMIT", "A-TENURE", "A-HOUSING", "A-CONDITION", "A-INCOME",
    "A-INCOME-PAYER", "A-SOCIAL-INSURANCE", "A-CONTRACT", "A-NO-SPOUSE",
}  # fmt: skip


@pytest.fixture(scope="module")
def answer() -> dict:
    ok, body = python_door(EXAMPLE_REQUEST)
    assert ok, body
    return body


def test_example_request_file_is_the_contracts_example():
    assert json.loads(EXAMPLE_REQUEST_FILE.read_text(encoding="utf-8")) == EXAMPLE_REQUEST


def test_example_answer_has_the_contracts_top_level_keys(answer):
    assert set(answer) == set(EXAMPLE_RESPONSE), "no key missing, none added (provisional only when true)"


@pytest.mark.parametrize(
    "key",
    [
        "service",
        "as_of",
        "decision",
        "manual_checks",
        "income",
        "time_limit_working_days",
        "decision_due",
        "review_chain",
    ],
)
def test_example_answer_field_is_the_contracts(answer, key):
    assert answer[key] == EXAMPLE_RESPONSE[key]


def test_example_materials_are_the_contracts_as_a_set(answer):
    assert len(answer["materials"]) == len(set(answer["materials"])), "one code each"
    assert set(answer["materials"]) == set(EXAMPLE_RESPONSE["materials"])


def test_example_checks_include_the_contracts_check(answer):
    def without_message(check: dict) -> dict:
        return {key: value for key, value in check.items() if key != "message"}

    answered = [without_message(check) for check in answer["checks"]]
    for check in EXAMPLE_RESPONSE["checks"]:
        assert without_message(check) in answered


def test_example_checks_are_every_rule_that_applies_to_initial(answer):
    rules = [check["rule"] for check in answer["checks"]]
    assert len(rules) == len(set(rules)), "each rule once"
    assert set(rules) == INITIAL_RULES
    assert {check["outcome"] for check in answer["checks"]} <= {"pass", "warn"}, "an eligible decision"


def test_example_checks_have_the_contracts_shape(answer):
    for check in answer["checks"]:
        assert set(check) == {"rule", "outcome", "clause", "message"}
        assert check["outcome"] in {"pass", "fail", "review", "warn"}
        assert check["clause"].startswith("G")
        assert check["message"]
