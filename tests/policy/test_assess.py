"""The assessment as a whole (contracts/assessment.md): the contract's example, which rules apply to which item, the
decision's folding, review chains, time limits and due dates, invalid requests, languages, and that every rule ID of
POLICY.md is registered and tested.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.policy.factories import (
    ABSENT,
    PERSONAL_SERVICES,
    SERVICES,
    base_request,
    check_for,
    folded,
    outcome_of,
    rules_in,
)
from wrp.policy import InvalidRequest, assess, evaluate
from wrp.policy.rules import RULES

CJK = re.compile(r"[\u4e00-\u9fff]")
TESTS_DIR = Path(__file__).parent
POLICY_FILE = Path(__file__).resolve().parents[3] / "shared" / "POLICY.md"

# --- the contract's example ------------------------------------------------------------------------------------------

CONTRACT_REQUEST: dict[str, Any] = {
    "service": "initial",
    "as_of": "2025-06-03",
    "change": None,
    "unit": {
        "kind": "enterprise",
        "legal_person": True,
        "registered_district": "chaoyang",
        "tax_district": "chaoyang",
        "tax_paid_since": "2019-05-01",
        "registered_capital": 5000000,
        "annual_tax": {"2022": 300000, "2023": 250000, "2024": 280000},
        "account": {"status": "open", "district": "chaoyang"},
        "quota_remaining": 2,
        "quota_frozen": False,
        "penalty": None,
        "qualifications": ["high_tech_enterprise"],
    },
    "applicant": {
        "nationality": "CN",
        "hukou": "non_beijing",
        "dispatched": False,
        "employment_start": "2023-01-10",
        "contract_end": "2027-01-09",
        "housing": {"kind": "rented_residential", "lease_end": "2026-03-01"},
        "talent_condition": 1,
        "degree": "bachelor",
        "work_experience_years": 3,
        "professional_title": None,
        "award": None,
        "ip": None,
        "startup": None,
        "annual_tax_paid": None,
        "recommended_and_approved": False,
        "overseas_qualification": False,
        "taxable_income_12m": 230000,
        "taxable_income_by_year": {"2022": 0, "2023": 0, "2024": 0},
        "income_paid_by_unit": True,
        "social_insurance_months_by_unit": 12,
        "social_insurance_unit_matches": True,
        "children": [{"case": "in_policy"}],
        "accompanying_spouse": False,
        "permit": None,
    },
}

CONTRACT_RESPONSE: dict[str, Any] = {
    "service": "initial",
    "as_of": "2025-06-03",
    "decision": "eligible",
    "checks": [
        {"rule": "A-INCOME", "outcome": "pass", "clause": "G3.申请条件.2",
         "message": "近12个月应税收入 230000 ≥ 211698（2023年月平均工资 11761 × 1.5 × 12）"},
    ],
    "manual_checks": ["学位证书经中国学位与研究生教育信息网查验"],
    "income": {"reference_year": 2023, "reference_monthly_wage": "11761", "multiplier": "1.5",
               "monthly_threshold": "17641.5", "annual_threshold": "211698"},
    "materials": ["personal_integrity_declaration", "housing_rented_residential", "hukou_book", "degree_and_diploma",
                  "labour_contract", "taxable_income_12m", "child_in_policy", "social_insurance_12m"],
    "time_limit_working_days": 20,
    "decision_due": "2025-07-01",
    "review_chain": ["window", "district_bureau"],
}  # fmt: skip


def test_the_contract_example_gives_the_contract_response() -> None:
    response = assess(CONTRACT_REQUEST).as_json_dict()
    for field in ("service", "as_of", "decision", "income", "time_limit_working_days", "decision_due", "review_chain"):
        assert response[field] == CONTRACT_RESPONSE[field], field
    assert set(response["materials"]) == set(CONTRACT_RESPONSE["materials"])
    assert "provisional" not in response
    checks = {check["rule"]: check for check in response["checks"]}
    for expected in CONTRACT_RESPONSE["checks"]:
        got = checks[expected["rule"]]
        assert (got["outcome"], got["clause"]) == (expected["outcome"], expected["clause"])


def test_the_contract_example_income_check_shows_its_numbers() -> None:
    message = check_for(assess(CONTRACT_REQUEST), "A-INCOME").message
    for number in ("230000", "211698", "2023", "11761", "1.5", "12"):
        assert number in message


def test_the_contract_example_lists_the_degree_verification_for_the_reviewer() -> None:
    manual = assess(CONTRACT_REQUEST).manual_checks
    assert set(CONTRACT_RESPONSE["manual_checks"]) <= set(manual)


def test_the_contract_example_passes_every_rule() -> None:
    result = assess(CONTRACT_REQUEST)
    assert {check.outcome for check in result.checks} == {"pass"}


def test_a_request_as_json_text_is_assessed_like_the_same_dict() -> None:
    as_text = assess(json.dumps(CONTRACT_REQUEST)).as_json_dict()
    assert as_text == assess(CONTRACT_REQUEST).as_json_dict()


def test_evaluate_keeps_both_languages_of_the_same_assessment() -> None:
    evaluation = evaluate(CONTRACT_REQUEST)
    assert evaluation.assessment("zh") == assess(CONTRACT_REQUEST)
    assert evaluation.assessment("en") == assess(CONTRACT_REQUEST, lang="en")


# --- which rules apply to which item (POLICY §5, §6) -----------------------------------------------------------------

UNIT_CONDITIONS = {"U-KIND", "U-REGISTERED", "U-TAX-YEAR", "U-CAPITAL", "U-TAX-AMOUNT"}
RULES_BY_ITEM: dict[str, tuple[str, str, set[str]]] = {
    "unit_opening": ("unit_opening", "address", UNIT_CONDITIONS | {"U-NOT-OPEN", "U-PENALTY"}),
    "unit_transfer": ("unit_transfer", "address", UNIT_CONDITIONS | {"U-OPEN-ELSEWHERE", "U-PENALTY"}),
    "initial": ("initial", "address", {
        "U-OPEN-HERE", "U-PENALTY", "U-QUOTA", "A-NATIONALITY", "A-HUKOU", "A-DISPATCH", "A-NO-PERMIT", "A-TENURE",
        "A-HOUSING", "A-CONDITION", "A-INCOME", "A-INCOME-PAYER", "A-SOCIAL-INSURANCE", "A-CONTRACT", "A-NO-SPOUSE"}),
    "employer_change": ("employer_change", "address", {
        "U-OPEN-HERE", "U-PENALTY", "U-QUOTA", "P-TRANSFERABLE", "A-SI-TRANSFERRED", "A-CONTRACT", "P-RESERVE"}),
    "children_change": ("children_change", "address", {
        "U-OPEN-HERE", "U-PENALTY", "P-VALID", "A-CHILDREN", "A-NO-SPOUSE"}),
    "info_change_address": ("info_change", "address", {"U-OPEN-HERE", "U-PENALTY", "P-VALID", "A-HOUSING"}),
    "info_change_name_or_hukou": ("info_change", "name_or_hukou", {"U-OPEN-HERE", "U-PENALTY", "P-VALID"}),
    "info_change_education": ("info_change", "education", {"U-OPEN-HERE", "U-PENALTY", "P-VALID"}),
    "renewal": ("renewal", "address", {
        "U-OPEN-HERE", "U-PENALTY", "P-VALID", "P-RENEWAL-WINDOW", "A-CONTRACT", "A-INCOME-PAYER",
        "A-SOCIAL-INSURANCE", "P-RESERVE"}),
}  # fmt: skip


@pytest.mark.parametrize(("service", "subtype", "expected"), list(RULES_BY_ITEM.values()), ids=list(RULES_BY_ITEM))
def test_each_item_applies_exactly_the_rules_the_policy_lists_for_it(
    service: str, subtype: str, expected: set[str]
) -> None:
    # a home is given for every info_change, so that only the rule set is under test here
    changes = {"applicant.housing": {"kind": "owned"}} if service == "info_change" else None
    result = assess(base_request(service, changes, subtype=subtype))
    rules = [check.rule for check in result.checks]
    assert set(rules) == expected
    assert len(rules) == len(set(rules)), "a rule appears once"


# --- each check cites the clause of POLICY §5–§6 (a range such as "G3–G7 申请条件 1": the item's own section) ----------

SECTION = {"unit_opening": "G1", "unit_transfer": "G2", "initial": "G3", "employer_change": "G4",
           "children_change": "G5", "info_change": "G6", "renewal": "G7"}  # fmt: skip
FIXED_CLAUSES = {
    "U-KIND": "G1.申请条件", "U-REGISTERED": "G1.申请条件", "U-TAX-YEAR": "G1.申请条件", "U-CAPITAL": "G1.申请条件",
    "U-TAX-AMOUNT": "G1.申请条件", "U-NOT-OPEN": "G1", "U-OPEN-ELSEWHERE": "G2.申请条件", "U-PENALTY": "G4.注意事项.6",
    "A-NATIONALITY": "G3.注意事项.4", "A-HUKOU": "G3.注意事项.4", "A-DISPATCH": "G3.注意事项.5", "A-NO-PERMIT": "G3",
    "A-TENURE": "G3.申请条件.2", "A-HOUSING": "G3.办理材料.2", "A-CONDITION": "G3.申请条件.2", "A-INCOME": "G3.申请条件.2",
    "A-INCOME-PAYER": "G3.办理材料.6", "A-SOCIAL-INSURANCE": "G3.办理材料.8", "A-SI-TRANSFERRED": "G4.注意事项.5",
    "A-CONTRACT": "G3.办理材料.5", "A-NO-SPOUSE": "G3.注意事项.6", "A-CHILDREN": "G5", "P-TRANSFERABLE": "G4.申请条件.2",
    "P-RENEWAL-WINDOW": "G7.注意事项.4",
}  # fmt: skip


def expected_clause(rule: str, service: str) -> str:
    if rule == "U-OPEN-HERE":
        return f"{SECTION[service]}.申请条件.1"  # G3–G7 申请条件 1
    if rule == "U-QUOTA":
        return f"{SECTION[service]}.申请条件.1"  # G3, G4 申请条件 1
    if rule == "P-VALID":
        return f"{SECTION[service]}.申请条件.2"  # G5–G7 申请条件 2
    if rule == "P-RESERVE":
        return {"employer_change": "G4.注意事项.5", "renewal": "G7.注意事项.4"}[service]
    return FIXED_CLAUSES[rule]


CLAUSE_CASES = {
    f"{rule}_in_{item}": (service, subtype, rule)
    for item, (service, subtype, rules) in RULES_BY_ITEM.items()
    for rule in sorted(rules)
}


@pytest.mark.parametrize(("service", "subtype", "rule"), list(CLAUSE_CASES.values()), ids=list(CLAUSE_CASES))
def test_each_check_cites_the_clause_the_policy_gives_it(service: str, subtype: str, rule: str) -> None:
    changes = {"applicant.housing": {"kind": "owned"}} if service == "info_change" else None
    clause = check_for(assess(base_request(service, changes, subtype=subtype)), rule).clause
    expected = expected_clause(rule, service)
    assert clause == expected or clause.startswith(expected + ".") or clause.startswith(expected + "(")


# --- a fact is required only where a rule that applies reads it ------------------------------------------------------


def test_a_unit_opening_carries_no_applicant() -> None:
    request = base_request("unit_opening")
    assert "applicant" not in request
    assert assess(request).decision == "eligible"


@pytest.mark.parametrize("subtype", ["name_or_hukou", "education"])
def test_an_info_change_other_than_address_needs_no_home(subtype: str) -> None:
    request = base_request("info_change", subtype=subtype)
    assert "housing" not in request["applicant"]
    result = assess(request)
    assert "A-HOUSING" not in rules_in(result)
    assert result.decision == "eligible"


@pytest.mark.parametrize("kind", ["public_institution", "foreign_rep_office", "social_organization"])
def test_a_unit_that_is_not_a_legal_person_enterprise_need_not_state_its_capital(kind: str) -> None:
    request = base_request("unit_opening", {"unit.kind": kind, "unit.registered_capital": ABSENT,
                                            "unit.annual_tax": ABSENT})  # fmt: skip
    result = assess(request)
    assert not rules_in(result) & {"U-CAPITAL", "U-TAX-AMOUNT"}
    assert result.decision == "eligible"


GENERAL_INCOME_NOT_APPLIED = {
    "condition_4": ("2025-06-03", {"applicant.talent_condition": 4, "unit.qualifications": ["innovative_hq"],
                                   "applicant.taxable_income_by_year": {"2022": 600000, "2023": 600000,
                                                                        "2024": 600000}}),
    "declared_in_2020": ("2020-06-01", {}),
}  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "changes"), list(GENERAL_INCOME_NOT_APPLIED.values()), ids=list(GENERAL_INCOME_NOT_APPLIED)
)
def test_the_last_12_months_income_is_not_needed_where_a_income_does_not_apply(
    as_of: str, changes: dict[str, Any]
) -> None:
    request = base_request("initial", {**changes, "applicant.taxable_income_12m": ABSENT}, as_of=as_of)
    result = assess(request)
    assert "A-INCOME" not in rules_in(result)
    assert result.decision == "eligible"


# --- the decision folds the outcomes (POLICY §2) ---------------------------------------------------------------------

FOLDING: dict[str, tuple[str, dict[str, Any], str, set[str]]] = {
    "all_pass_is_eligible": ("initial", {}, "eligible", {"pass"}),
    "one_review_needs_review": ("initial", {"applicant.employment_start": "2025-01-01"}, "needs_review",
                                {"pass", "review"}),
    "one_fail_is_ineligible": ("initial", {"applicant.accompanying_spouse": True}, "ineligible", {"pass", "fail"}),
    "a_fail_outweighs_a_review": ("initial", {"applicant.employment_start": "2025-01-01",
                                              "applicant.accompanying_spouse": True}, "ineligible",
                                  {"pass", "review", "fail"}),
    "several_reviews_need_review": ("unit_opening", {"unit.registered_district": "haidian",
                                                     "unit.registered_capital": 1}, "needs_review",
                                    {"pass", "review"}),
    "a_unit_fail_outweighs_unit_reviews": ("unit_opening", {"unit.kind": "other", "unit.registered_district": "haidian"},
                                           "ineligible", {"pass", "review", "fail"}),
    "a_warning_alone_leaves_a_case_eligible": ("employer_change", {"applicant.permit": {"status": "valid",
                                                                                        "valid_until": "2025-06-10"}},
                                               "eligible", {"pass", "warn"}),
    "a_warning_with_a_fail_is_ineligible": ("employer_change", {"applicant.permit": {"status": "valid",
                                                                                     "valid_until": "2025-06-10"},
                                                                "applicant.social_insurance_unit_matches": False},
                                            "ineligible", {"pass", "warn", "fail"}),
    "a_renewal_warning_alone_leaves_it_eligible": ("renewal", {"applicant.permit": {"status": "valid",
                                                                                    "valid_until": "2025-06-10"}},
                                                   "eligible", {"pass", "warn"}),
}  # fmt: skip


@pytest.mark.parametrize(("service", "changes", "decision", "outcomes"), list(FOLDING.values()), ids=list(FOLDING))
def test_any_fail_is_ineligible_else_any_review_needs_review_else_eligible(
    service: str, changes: dict[str, Any], decision: str, outcomes: set[str]
) -> None:
    result = assess(base_request(service, changes, as_of="2025-06-03"))
    assert {check.outcome for check in result.checks} == outcomes
    assert result.decision == decision
    assert folded(check.outcome for check in result.checks) == decision


# --- review chain, time limit and due date (POLICY §1, §3) -----------------------------------------------------------

ITEMS = {
    "unit_opening": ("unit_opening", 7, ["window"]),
    "unit_transfer": ("unit_transfer", 7, ["window"]),
    "initial": ("initial", 20, ["window", "district_bureau"]),
    "employer_change": ("employer_change", 20, ["window"]),
    "children_change": ("children_change", 20, ["window"]),
    "info_change": ("info_change", 20, ["window"]),
    "renewal": ("renewal", 20, ["window", "district_bureau"]),
}


@pytest.mark.parametrize(("service", "limit", "chain"), list(ITEMS.values()), ids=list(ITEMS))
def test_each_item_has_its_time_limit_and_review_chain(service: str, limit: int, chain: list[str]) -> None:
    result = assess(base_request(service))
    assert result.time_limit_working_days == limit
    assert list(result.review_chain) == chain


DUE_DATES = {
    "initial_2025_06_03_plus_20_is_2025_07_01": ("initial", "2025-06-03", "2025-07-01"),
    "employer_change_2025_06_03_plus_20_is_2025_07_01": ("employer_change", "2025-06-03", "2025-07-01"),
    "children_change_2025_06_03_plus_20_is_2025_07_01": ("children_change", "2025-06-03", "2025-07-01"),
    "info_change_2025_06_03_plus_20_is_2025_07_01": ("info_change", "2025-06-03", "2025-07-01"),
    "renewal_2025_06_03_plus_20_is_2025_07_01": ("renewal", "2025-06-03", "2025-07-01"),
    "unit_opening_2025_06_03_plus_7_is_2025_06_12": ("unit_opening", "2025-06-03", "2025-06-12"),
    "unit_opening_2025_09_29_plus_7_is_2025_10_15": ("unit_opening", "2025-09-29", "2025-10-15"),
    "unit_transfer_2025_09_29_plus_7_is_2025_10_15": ("unit_transfer", "2025-09-29", "2025-10-15"),
    "accepted_on_a_working_saturday_the_saturday_does_not_count": ("unit_opening", "2025-10-11", "2025-10-21"),
    "accepted_on_a_sunday_counts_from_monday": ("unit_opening", "2025-10-12", "2025-10-21"),
    "accepted_on_a_holiday_counts_from_the_next_working_day": ("unit_opening", "2025-10-01", "2025-10-16"),
}


@pytest.mark.parametrize(("service", "as_of", "due"), list(DUE_DATES.values()), ids=list(DUE_DATES))
def test_the_decision_is_due_after_the_items_working_days(service: str, as_of: str, due: str) -> None:
    response = assess(base_request(service, as_of=as_of)).as_json_dict()
    assert response["decision_due"] == due
    assert "provisional" not in response


def test_a_due_date_in_a_year_without_a_holiday_notice_is_marked_provisional() -> None:
    # 2026-12-15 + 20 working days reaches into 2027, whose notice is not loaded: weekends only from there
    response = assess(base_request("initial", as_of="2026-12-15")).as_json_dict()
    assert response["provisional"] is True
    assert response["decision_due"] == "2027-01-12"


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "initial"])
def test_no_income_object_where_no_income_rule_applies(service: str) -> None:
    assert assess(base_request(service)).as_json_dict()["income"] is None


def test_unit_items_carry_the_capital_function_manual_check() -> None:
    for service in ("unit_opening", "unit_transfer"):
        assert any("首都" in text for text in assess(base_request(service)).manual_checks)


# --- invalid requests ------------------------------------------------------------------------------------------------

INVALID: dict[str, tuple[str, dict[str, Any], set[str]]] = {
    "unknown_service": ("initial", {"service": "visa"}, {"service"}),
    "malformed_as_of": ("initial", {"as_of": "2025-13-01"}, {"as_of"}),
    "as_of_with_slashes": ("initial", {"as_of": "2025/06/03"}, {"as_of"}),
    "as_of_on_a_day_that_does_not_exist": ("initial", {"as_of": "2025-02-29"}, {"as_of"}),
    "malformed_contract_end": ("initial", {"applicant.contract_end": "2027-01-9"}, {"applicant.contract_end"}),
    "negative_income": ("initial", {"applicant.taxable_income_12m": -1}, {"applicant.taxable_income_12m"}),
    "negative_income_as_text": ("initial", {"applicant.taxable_income_12m": "-0.01"}, {"applicant.taxable_income_12m"}),
    "negative_capital": ("unit_opening", {"unit.registered_capital": "-0.01"}, {"unit.registered_capital"}),
    "negative_yearly_tax": ("unit_opening", {"unit.annual_tax": {"2024": -1}}, {"unit.annual_tax.2024"}),
    "income_that_is_not_a_number": ("initial", {"applicant.taxable_income_12m": "lots"},
                                    {"applicant.taxable_income_12m"}),
    "income_that_is_not_finite": ("initial", {"applicant.taxable_income_12m": "NaN"}, {"applicant.taxable_income_12m"}),
    "income_given_as_a_boolean": ("initial", {"applicant.taxable_income_12m": True}, {"applicant.taxable_income_12m"}),
    "unknown_unit_kind": ("unit_opening", {"unit.kind": "cooperative"}, {"unit.kind"}),
    "unknown_hukou": ("initial", {"applicant.hukou": "beijing"}, {"applicant.hukou"}),
    "unknown_district": ("initial", {"unit.account.district": "atlantis"}, {"unit.account.district"}),
    "unknown_qualification": ("initial", {"unit.qualifications": ["unicorn"]}, {"unit.qualifications.0"}),
    "unknown_permit_status": ("renewal", {"applicant.permit.status": "lost"}, {"applicant.permit.status"}),
    "unknown_penalty": ("unit_opening", {"unit.penalty": "fined"}, {"unit.penalty"}),
    "bad_case_of_the_first_child": ("children_change", {"applicant.children": [{"case": "adopted"}]},
                                    {"applicant.children.0.case"}),
    "bad_case_of_the_second_child": ("initial", {"applicant.children": [{"case": "in_policy"}, {"case": "adopted"}]},
                                     {"applicant.children.1.case"}),
    "missing_applicant_part": ("initial", {"applicant": ABSENT}, {"applicant"}),
    "null_applicant_part": ("renewal", {"applicant": None}, {"applicant"}),
    "missing_unit_part": ("children_change", {"unit": ABSENT}, {"unit"}),
    "missing_nationality": ("initial", {"applicant.nationality": ABSENT}, {"applicant.nationality"}),
    "missing_contract_end_for_initial": ("initial", {"applicant.contract_end": ABSENT}, {"applicant.contract_end"}),
    "missing_contract_end_for_renewal": ("renewal", {"applicant.contract_end": ABSENT}, {"applicant.contract_end"}),
    "change_given_for_renewal": ("renewal", {"change": {"subtype": "address"}}, {"change"}),
    "change_given_for_initial": ("initial", {"change": {"subtype": "education"}}, {"change"}),
    "info_change_without_change": ("info_change", {"change": ABSENT}, {"change"}),
    "info_change_with_unknown_subtype": ("info_change", {"change": {"subtype": "photo"}}, {"change.subtype"}),
    "rented_home_without_lease_end": ("initial", {"applicant.housing": {"kind": "rented_residential"}},
                                      {"applicant.housing.lease_end"}),
    "rented_rural_home_without_lease_end_for_an_address_change": (
        "info_change", {"applicant.housing": {"kind": "rented_rural"}}, {"applicant.housing.lease_end"}),
    "boolean_given_as_string": ("initial", {"applicant.dispatched": "false"}, {"applicant.dispatched"}),
    "legal_person_given_as_string": ("unit_opening", {"unit.legal_person": "true"}, {"unit.legal_person"}),
    "quota_given_as_text": ("initial", {"unit.quota_remaining": "2"}, {"unit.quota_remaining"}),
    "every_bad_field_at_once": ("initial", {"as_of": "2025-13-01", "unit.kind": "cooperative",
                                            "applicant.dispatched": "no"},
                                {"as_of", "unit.kind", "applicant.dispatched"}),
}  # fmt: skip


@pytest.mark.parametrize(("service", "changes", "paths"), list(INVALID.values()), ids=list(INVALID))
def test_an_invalid_request_names_each_bad_field_by_its_dotted_path(
    service: str, changes: dict[str, Any], paths: set[str]
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        assess(base_request(service, changes))
    assert set(caught.value.fields) == paths
    messages = caught.value.messages("en")
    assert set(messages) == paths
    for message in messages.values():
        assert message.strip()
        assert not CJK.search(message)
    for message in caught.value.messages().values():
        assert CJK.search(message)


def test_a_missing_part_is_named_by_its_own_path_not_its_fields() -> None:
    with pytest.raises(InvalidRequest) as caught:
        assess(base_request("initial", {"applicant": ABSENT}))
    assert "applicant" in caught.value.fields
    assert not [path for path in caught.value.fields if path.startswith("applicant.")]


def test_the_invalid_request_object_follows_the_contract() -> None:
    with pytest.raises(InvalidRequest) as caught:
        assess(base_request("initial", {"as_of": "2025-13-01"}))
    body = caught.value.as_json_dict("en")
    assert body["error"] == "invalid_request"
    assert set(body["fields"]) == {"as_of"}


def test_an_open_ended_contract_is_written_as_null() -> None:
    result = assess(base_request("initial", {"applicant.contract_end": None}))
    assert outcome_of(result, "A-CONTRACT") == "pass"


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "info_change"])
def test_a_null_change_is_fine_for_items_other_than_info_change(service: str) -> None:
    assert assess(base_request(service, {"change": None})).decision == "eligible"


def _assessed_or_invalid(request: dict[str, Any]) -> tuple[Any, set[str]]:
    """The assessment, or None with the paths an InvalidRequest names."""
    try:
        return assess(request), set()
    except InvalidRequest as invalid:
        return None, set(invalid.fields)


def test_a_child_without_a_case_is_not_accepted_for_a_children_change() -> None:
    # POLICY A-CHILDREN: "at least one child, each with a case of §8" — a caseless child either fails the rule
    # or makes the request invalid (a part the rule needs and lacks); it is never eligible
    result, invalid_paths = _assessed_or_invalid(
        base_request("children_change", {"applicant.children": [{"case": None}]})
    )
    if result is None:
        assert "applicant.children.0.case" in invalid_paths
    else:
        assert outcome_of(result, "A-CHILDREN") == "fail"
        assert result.decision == "ineligible"


# --- languages -------------------------------------------------------------------------------------------------------


def _varied_requests() -> list[dict[str, Any]]:
    """Base requests of every item, and some that fail, review or warn, so that every kind of message shows."""
    requests = [base_request(service) for service in SERVICES]
    requests += [
        base_request("info_change", {"applicant.housing": {"kind": "owned"}}, subtype=subtype)
        for subtype in ("name_or_hukou", "education")
    ]
    requests += [
        base_request("unit_opening", {"unit.kind": "other", "unit.registered_district": "haidian",
                                      "unit.tax_district": "haidian", "unit.registered_capital": 1,
                                      "unit.account": {"status": "open", "district": "haidian"},
                                      "unit.penalty": "blacklisted"}),
        base_request("initial", {"applicant.nationality": "US", "applicant.hukou": "beijing_collective",
                                 "applicant.dispatched": True, "applicant.employment_start": "2025-06-01",
                                 "applicant.housing": {"kind": "rented_rural", "lease_end": "2025-07-01"},
                                 "applicant.taxable_income_12m": 1, "applicant.income_paid_by_unit": False,
                                 "applicant.social_insurance_months_by_unit": 3, "applicant.contract_end": "2025-07-01",
                                 "applicant.accompanying_spouse": True, "unit.quota_remaining": 0,
                                 "applicant.permit": {"status": "valid", "valid_until": "2026-01-01"}}),
        base_request("renewal", {"applicant.permit": {"status": "valid", "valid_until": "2025-06-10"}}),
        base_request("children_change", {"applicant.children": []}),
    ]  # fmt: skip
    return requests


def test_messages_are_chinese_by_default() -> None:
    for request in _varied_requests():
        result = assess(request)
        for check in result.checks:
            assert CJK.search(check.message), (check.rule, check.message)


def test_messages_are_english_with_lang_en() -> None:
    for request in _varied_requests():
        result = assess(request, lang="en")
        for check in result.checks:
            assert check.message.strip()
            assert not CJK.search(check.message), (check.rule, check.message)
        for text in result.manual_checks:
            assert not CJK.search(text), text


def test_the_language_changes_only_the_words() -> None:
    for request in _varied_requests():
        zh = assess(request).as_json_dict()
        en = assess(request, lang="en").as_json_dict()
        for response in (zh, en):
            response["checks"] = [{k: v for k, v in c.items() if k != "message"} for c in response["checks"]]
            response.pop("manual_checks")
        assert zh == en


# --- every rule ID of POLICY.md is registered and tested -------------------------------------------------------------

RULE_ID = re.compile(r"\b([UAP]-[A-Z]{2,}(?:-[A-Z]{2,})*)\b")


@pytest.mark.skipif(
    not POLICY_FILE.exists(), reason=f"POLICY.md not found at {POLICY_FILE} (../shared beside the clone)"
)
def test_every_rule_id_of_the_policy_is_registered_and_tested() -> None:
    ids = set(RULE_ID.findall(POLICY_FILE.read_text(encoding="utf-8")))
    assert ids, "no rule ID found in POLICY.md"
    assert ids == set().union(*(expected for _, _, expected in RULES_BY_ITEM.values())), "RULES_BY_ITEM is stale"
    assert ids - set(RULES) == set(), "rule IDs of POLICY.md missing from wrp.policy.rules.RULES"
    tests_text = "\n".join(
        path.read_text(encoding="utf-8") for path in TESTS_DIR.glob("test_*.py") if path.name != Path(__file__).name
    )
    untested = {rule for rule in ids if f'"{rule}"' not in tests_text}
    assert untested == set(), "rule IDs of POLICY.md that no rule test file names"


def test_the_registered_rules_are_exactly_those_the_items_apply() -> None:
    applied = set().union(*(expected for _, _, expected in RULES_BY_ITEM.values()))
    assert set(RULES) == applied


def test_every_personal_item_checks_the_units_account_and_penalty() -> None:
    for service in PERSONAL_SERVICES:
        assert {"U-OPEN-HERE", "U-PENALTY"} <= rules_in(assess(base_request(service)))
