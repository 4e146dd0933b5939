"""Applicant rules of POLICY §6 (A-*), on both sides of every boundary, written from POLICY.md's text.

Periods follow POLICY §3: the start day is not counted, "满1年 since D" holds on D + 1 year, "尚有三个月以上" at A means
end ≥ A + 3 months, "六个月以上" end ≥ A + 6 months, and month arithmetic clamps to the month's last day. Income
thresholds follow POLICY §4 in exact decimals; income equal to a threshold passes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.policy.factories import ABSENT, SERVICES, base_request, check_for, outcome_of, rules_in
from wrp.policy import InvalidRequest, assess

# --- A-NATIONALITY, A-HUKOU, A-DISPATCH (initial) --------------------------------------------------------------------

NATIONALITIES = {
    "chinese_national_passes": ("CN", "pass"),
    "us_national_fails": ("US", "fail"),
    "japanese_national_fails": ("JP", "fail"),
}


@pytest.mark.parametrize(("nationality", "expected"), list(NATIONALITIES.values()), ids=list(NATIONALITIES))
def test_only_chinese_nationals_may_apply(nationality: str, expected: str) -> None:
    result = assess(base_request("initial", {"applicant.nationality": nationality}))
    check = check_for(result, "A-NATIONALITY")
    assert check.outcome == expected
    assert check.clause.startswith("G3.注意事项")
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


HUKOUS = {
    "hukou_outside_beijing_passes": ("non_beijing", "pass"),
    "beijing_family_hukou_passes": ("beijing_family", "pass"),
    "beijing_collective_hukou_fails": ("beijing_collective", "fail"),
    "school_temporary_hukou_fails": ("school_temporary", "fail"),
}


@pytest.mark.parametrize(("hukou", "expected"), list(HUKOUS.values()), ids=list(HUKOUS))
def test_collective_and_school_hukou_are_refused(hukou: str, expected: str) -> None:
    result = assess(base_request("initial", {"applicant.hukou": hukou}))
    assert outcome_of(result, "A-HUKOU") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


DISPATCHES = {
    "employee_of_an_enterprise_passes": (False, "enterprise", "pass"),
    "dispatched_worker_at_an_enterprise_fails": (True, "enterprise", "fail"),
    "dispatched_worker_at_a_public_institution_fails": (True, "public_institution", "fail"),
    "dispatched_worker_at_a_foreign_branch_fails": (True, "foreign_branch", "fail"),
    "dispatched_worker_at_a_foreign_rep_office_passes": (True, "foreign_rep_office", "pass"),
    "employee_of_a_foreign_rep_office_passes": (False, "foreign_rep_office", "pass"),
}


@pytest.mark.parametrize(("dispatched", "kind", "expected"), list(DISPATCHES.values()), ids=list(DISPATCHES))
def test_dispatched_workers_are_refused_except_at_a_foreign_rep_office(
    dispatched: bool, kind: str, expected: str
) -> None:
    result = assess(base_request("initial", {"applicant.dispatched": dispatched, "unit.kind": kind}))
    assert outcome_of(result, "A-DISPATCH") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


# --- A-NO-PERMIT (initial; as_of 2025-06-03) -------------------------------------------------------------------------

HELD_PERMITS: dict[str, tuple[dict[str, str] | None, str]] = {
    "no_permit_passes": (None, "pass"),
    "valid_unexpired_permit_fails": ({"status": "valid", "valid_until": "2026-06-03"}, "fail"),
    "suspended_unexpired_permit_fails": ({"status": "suspended", "valid_until": "2026-06-03"}, "fail"),
    "valid_permit_ending_on_the_declaration_day_fails": ({"status": "valid", "valid_until": "2025-06-03"}, "fail"),
    "suspended_permit_ending_on_the_declaration_day_fails": (
        {"status": "suspended", "valid_until": "2025-06-03"},
        "fail",
    ),
    "valid_permit_that_ended_the_day_before_passes": ({"status": "valid", "valid_until": "2025-06-02"}, "pass"),
    "suspended_permit_that_ended_the_day_before_passes": ({"status": "suspended", "valid_until": "2025-06-02"}, "pass"),
    "expired_permit_passes": ({"status": "expired", "valid_until": "2025-01-01"}, "pass"),
    "expired_status_with_a_later_date_passes": ({"status": "expired", "valid_until": "2026-06-03"}, "pass"),
    "revoked_permit_passes": ({"status": "revoked", "valid_until": "2026-06-03"}, "pass"),
}


@pytest.mark.parametrize(("permit", "expected"), list(HELD_PERMITS.values()), ids=list(HELD_PERMITS))
def test_a_holder_of_a_live_permit_cannot_apply_again(permit: dict[str, str] | None, expected: str) -> None:
    result = assess(base_request("initial", {"applicant.permit": permit}, as_of="2025-06-03"))
    assert outcome_of(result, "A-NO-PERMIT") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


def test_a_holder_of_a_live_permit_is_told_to_use_employer_change() -> None:
    request = base_request("initial", {"applicant.permit": {"status": "suspended", "valid_until": "2026-06-03"}})
    assert "employer_change" in check_for(assess(request, lang="en"), "A-NO-PERMIT").message


def test_a_permit_left_out_means_none_for_a_first_application() -> None:
    result = assess(base_request("initial", {"applicant.permit": ABSENT}))
    assert outcome_of(result, "A-NO-PERMIT") == "pass"


# --- A-TENURE (initial) ----------------------------------------------------------------------------------------------

TENURES = {
    "a_full_year_on_the_anniversary_passes": ("2024-06-03", "2025-06-03", "pass"),
    "one_day_short_of_a_year_needs_review": ("2024-06-04", "2025-06-03", "review"),
    "two_years_pass": ("2023-06-03", "2025-06-03", "pass"),
    "started_on_the_declaration_day_needs_review": ("2025-06-03", "2025-06-03", "review"),
    "leap_day_start_is_a_full_year_on_feb_28": ("2024-02-29", "2025-02-28", "pass"),
    "leap_day_start_is_short_on_feb_27": ("2024-02-29", "2025-02-27", "review"),
}


@pytest.mark.parametrize(("start", "as_of", "expected"), list(TENURES.values()), ids=list(TENURES))
def test_a_year_at_the_unit_is_generally_required(start: str, as_of: str, expected: str) -> None:
    result = assess(base_request("initial", {"applicant.employment_start": start}, as_of=as_of))
    assert outcome_of(result, "A-TENURE") == expected
    assert result.decision == ("eligible" if expected == "pass" else "needs_review")


def test_tenure_review_message_names_the_start_date() -> None:
    result = assess(base_request("initial", {"applicant.employment_start": "2024-06-04"}, as_of="2025-06-03"))
    assert "2024-06-04" in check_for(result, "A-TENURE").message


# --- A-HOUSING (initial; info_change/address) ------------------------------------------------------------------------

LEASES = {
    "lease_ending_exactly_six_months_ahead_passes": ("rented_residential", "2025-06-03", "2025-12-03", "pass"),
    "lease_ending_one_day_short_of_six_months_fails": ("rented_residential", "2025-06-03", "2025-12-02", "fail"),
    "rural_lease_ending_exactly_six_months_ahead_passes": ("rented_rural", "2025-06-03", "2025-12-03", "pass"),
    "rural_lease_one_day_short_fails": ("rented_rural", "2025-06-03", "2025-12-02", "fail"),
    "six_months_from_aug_31_clamps_to_feb_28_and_passes": ("rented_residential", "2025-08-31", "2026-02-28", "pass"),
    "one_day_before_the_clamped_feb_28_fails": ("rented_residential", "2025-08-31", "2026-02-27", "fail"),
    "six_months_from_aug_31_in_a_leap_year_ends_feb_29": ("rented_residential", "2023-08-31", "2024-02-29", "pass"),
    "feb_28_before_a_leap_feb_29_fails": ("rented_residential", "2023-08-31", "2024-02-28", "fail"),
    "lease_already_ended_fails": ("rented_residential", "2025-06-03", "2025-06-02", "fail"),
}


@pytest.mark.parametrize("service", ["initial", "info_change"])
@pytest.mark.parametrize(("kind", "as_of", "lease_end", "expected"), list(LEASES.values()), ids=list(LEASES))
def test_a_rented_home_needs_six_months_of_lease_left(
    service: str, kind: str, as_of: str, lease_end: str, expected: str
) -> None:
    request = base_request(service, {"applicant.housing": {"kind": kind, "lease_end": lease_end}}, as_of=as_of)
    result = assess(request)
    check = check_for(result, "A-HOUSING")
    assert check.outcome == expected
    assert lease_end in check.message
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


@pytest.mark.parametrize("service", ["initial", "info_change"])
@pytest.mark.parametrize("kind", ["owned", "unit_housing", "relative", "residence_permit"])
def test_a_home_that_is_not_rented_passes_without_a_lease(service: str, kind: str) -> None:
    result = assess(base_request(service, {"applicant.housing": {"kind": kind}}))
    assert outcome_of(result, "A-HOUSING") == "pass"


@pytest.mark.parametrize("subtype", ["name_or_hukou", "education"])
def test_housing_is_not_checked_for_an_info_change_other_than_address(subtype: str) -> None:
    # a lease that would fail: the rule must not run at all
    request = base_request(
        "info_change", {"applicant.housing": {"kind": "rented_residential", "lease_end": "2025-06-04"}}, subtype=subtype
    )
    result = assess(request)
    assert "A-HOUSING" not in rules_in(result)
    assert result.decision == "eligible"


@pytest.mark.parametrize("service", ["unit_opening", "unit_transfer", "employer_change", "children_change", "renewal"])
def test_housing_is_not_checked_outside_initial_and_address_change(service: str) -> None:
    assert "A-HOUSING" not in rules_in(assess(base_request(service)))


# --- A-INCOME (initial) ----------------------------------------------------------------------------------------------
# 2025-06-03 → 2023 wage 11761: 1.5 → 17641.5 a month, 211698 a year; 1.2 → 14113.2, 169358.4.
# 2021-03-01 → 2020 wage 9407: 1.5 → 169326; 1.2 → 135460.8.  2022-08-01 → 2021 wage 10628: 1.5 → 191304.
# 2026-11-26 → 2025 wage 12116: 1.5 → 218088.

THRESHOLDS: dict[str, tuple[str, str, str, str]] = {
    "enterprise_2025": ("enterprise", "2025-06-03", "211698", "1.5"),
    "public_institution_2025": ("public_institution", "2025-06-03", "169358.4", "1.2"),
    "private_non_enterprise_2025": ("private_non_enterprise", "2025-06-03", "169358.4", "1.2"),
    "social_organization_2025": ("social_organization", "2025-06-03", "169358.4", "1.2"),
    "foreign_branch_2025": ("foreign_branch", "2025-06-03", "211698", "1.5"),
    "domestic_branch_2025": ("domestic_branch", "2025-06-03", "211698", "1.5"),
    "foreign_rep_office_2025": ("foreign_rep_office", "2025-06-03", "211698", "1.5"),
    "enterprise_2021_03_01": ("enterprise", "2021-03-01", "169326", "1.5"),
    "public_institution_2021_03_01": ("public_institution", "2021-03-01", "135460.8", "1.2"),
    "enterprise_on_2021_01_01": ("enterprise", "2021-01-01", "169326", "1.5"),
    "enterprise_2022_08_01": ("enterprise", "2022-08-01", "191304", "1.5"),
    "enterprise_2026_11_26": ("enterprise", "2026-11-26", "218088", "1.5"),
}


def _fen_less(amount: str) -> str:
    return str(Decimal(amount) - Decimal("0.01"))


@pytest.mark.parametrize(("kind", "as_of", "threshold", "multiplier"), list(THRESHOLDS.values()), ids=list(THRESHOLDS))
def test_income_equal_to_threshold_passes(kind: str, as_of: str, threshold: str, multiplier: str) -> None:
    request = base_request("initial", {"unit.kind": kind, "applicant.taxable_income_12m": threshold}, as_of=as_of)
    result = assess(request)
    check = check_for(result, "A-INCOME")
    assert check.outcome == "pass"
    assert threshold in check.message
    assert result.income is not None
    assert result.income.annual_threshold == threshold
    assert result.income.multiplier == multiplier


@pytest.mark.parametrize(("kind", "as_of", "threshold", "multiplier"), list(THRESHOLDS.values()), ids=list(THRESHOLDS))
def test_income_one_fen_below_threshold_fails(kind: str, as_of: str, threshold: str, multiplier: str) -> None:
    request = base_request(
        "initial", {"unit.kind": kind, "applicant.taxable_income_12m": _fen_less(threshold)}, as_of=as_of
    )
    result = assess(request)
    check = check_for(result, "A-INCOME")
    assert check.outcome == "fail"
    assert threshold in check.message
    assert multiplier in check.message
    assert result.decision == "ineligible"


INCOME_NUMBERS: dict[str, tuple[Any, str]] = {
    "json_number_equal_to_a_fractional_threshold_passes": (169358.4, "pass"),
    "json_number_one_fen_below_a_fractional_threshold_fails": (169358.39, "fail"),
    "decimal_string_with_trailing_zeros_passes": ("169358.400", "pass"),
    "whole_number_above_passes": (169359, "pass"),
    "whole_number_below_fails": (169358, "fail"),
}


@pytest.mark.parametrize(("income", "expected"), list(INCOME_NUMBERS.values()), ids=list(INCOME_NUMBERS))
def test_income_compares_exactly_however_the_amount_is_written(income: Any, expected: str) -> None:
    request = base_request("initial", {"unit.kind": "public_institution", "applicant.taxable_income_12m": income})
    assert outcome_of(assess(request), "A-INCOME") == expected


def test_income_message_names_the_reference_year_and_wage() -> None:
    message = check_for(assess(base_request("initial", {"applicant.taxable_income_12m": 230000})), "A-INCOME").message
    for number in ("230000", "211698", "2023", "11761", "1.5"):
        assert number in message


GENERAL_INCOME_DATES = {
    "the_day_before_2021_has_no_general_income_rule": ("2020-12-31", False),
    "2020_declaration_has_no_general_income_rule": ("2020-06-01", False),
    "2018_declaration_has_no_general_income_rule": ("2018-06-01", False),
    "new_year_2021_applies_the_general_income_rule": ("2021-01-01", True),
    "2025_applies_the_general_income_rule": ("2025-06-03", True),
}


@pytest.mark.parametrize(("as_of", "applies"), list(GENERAL_INCOME_DATES.values()), ids=list(GENERAL_INCOME_DATES))
def test_general_income_rule_applies_from_2021_only(as_of: str, applies: bool) -> None:
    # an income of 0 would fail the rule wherever it applied
    result = assess(base_request("initial", {"applicant.taxable_income_12m": 0}, as_of=as_of))
    assert ("A-INCOME" in rules_in(result)) is applies
    if applies:
        assert outcome_of(result, "A-INCOME") == "fail"
    else:
        assert result.income is None
        assert result.decision == "eligible"


@pytest.mark.parametrize("condition", [4, 5])
def test_general_income_rule_is_not_applied_to_conditions_4_and_5(condition: int) -> None:
    qualification = "high_tech_enterprise" if condition == 4 else "law_firm"
    request = base_request(
        "initial",
        {
            "applicant.talent_condition": condition,
            "unit.qualifications": [qualification],
            "applicant.taxable_income_by_year": {"2022": 2_000_000, "2023": 2_000_000, "2024": 2_000_000},
            "applicant.taxable_income_12m": 0,
        },
    )
    result = assess(request)
    assert "A-INCOME" not in rules_in(result)
    assert result.decision == "eligible"


@pytest.mark.parametrize("condition", [1, 2, 3, 6, 7, 8, 9, 10])
def test_general_income_rule_applies_to_every_other_condition(condition: int) -> None:
    request = base_request(
        "initial",
        {
            "applicant.talent_condition": condition,
            "applicant.recommended_and_approved": False,
            "applicant.overseas_qualification": False,
            "applicant.taxable_income_12m": 0,
        },
    )
    assert outcome_of(assess(request), "A-INCOME") == "fail"


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "initial"])
def test_general_income_rule_is_only_for_a_first_application(service: str) -> None:
    result = assess(base_request(service, {"applicant.taxable_income_12m": 0}))
    assert "A-INCOME" not in rules_in(result)
    assert result.income is None


# --- A-INCOME-PAYER, A-SOCIAL-INSURANCE (initial, renewal) -----------------------------------------------------------

PAYERS = {"tax_withheld_by_the_unit_passes": (True, "pass"), "tax_withheld_by_a_third_party_fails": (False, "fail")}


@pytest.mark.parametrize("service", ["initial", "renewal"])
@pytest.mark.parametrize(("by_unit", "expected"), list(PAYERS.values()), ids=list(PAYERS))
def test_income_tax_is_withheld_by_the_applying_unit(service: str, by_unit: bool, expected: str) -> None:
    result = assess(base_request(service, {"applicant.income_paid_by_unit": by_unit}))
    assert outcome_of(result, "A-INCOME-PAYER") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


SOCIAL_INSURANCE_MONTHS = {
    "eleven_months_fail": (11, "fail"),
    "twelve_months_pass": (12, "pass"),
    "thirteen_months_pass": (13, "pass"),
    "no_months_fail": (0, "fail"),
}


@pytest.mark.parametrize("service", ["initial", "renewal"])
@pytest.mark.parametrize(
    ("months", "expected"), list(SOCIAL_INSURANCE_MONTHS.values()), ids=list(SOCIAL_INSURANCE_MONTHS)
)
def test_twelve_months_of_social_insurance_are_paid_by_the_unit(service: str, months: int, expected: str) -> None:
    result = assess(base_request(service, {"applicant.social_insurance_months_by_unit": months}))
    check = check_for(result, "A-SOCIAL-INSURANCE")
    assert check.outcome == expected
    assert str(months) in check.message
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


@pytest.mark.parametrize(
    "service", ["unit_opening", "unit_transfer", "employer_change", "children_change", "info_change"]
)
def test_income_payer_and_social_insurance_are_not_checked_for_other_items(service: str) -> None:
    assert not rules_in(assess(base_request(service))) & {"A-INCOME-PAYER", "A-SOCIAL-INSURANCE"}


# --- A-SI-TRANSFERRED (employer_change) ------------------------------------------------------------------------------

TRANSFERS = {
    "social_insurance_with_the_new_unit_passes": (True, "pass"),
    "social_insurance_not_yet_moved_fails": (False, "fail"),
}


@pytest.mark.parametrize(("matches", "expected"), list(TRANSFERS.values()), ids=list(TRANSFERS))
def test_social_insurance_has_moved_to_the_new_unit(matches: bool, expected: str) -> None:
    result = assess(base_request("employer_change", {"applicant.social_insurance_unit_matches": matches}))
    assert outcome_of(result, "A-SI-TRANSFERRED") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


# --- A-CONTRACT (initial, employer_change, renewal) ------------------------------------------------------------------

CONTRACTS: dict[str, tuple[str | None, str, str]] = {
    "open_ended_contract_passes": (None, "2025-06-03", "pass"),
    "contract_ending_exactly_three_months_ahead_passes": ("2025-09-03", "2025-06-03", "pass"),
    "contract_ending_a_day_short_of_three_months_fails": ("2025-09-02", "2025-06-03", "fail"),
    "three_months_from_nov_30_clamps_to_feb_28_and_passes": ("2026-02-28", "2025-11-30", "pass"),
    "the_day_before_the_clamped_feb_28_fails": ("2026-02-27", "2025-11-30", "fail"),
    "contract_ending_on_the_declaration_day_fails": ("2025-06-03", "2025-06-03", "fail"),
}


@pytest.mark.parametrize("service", ["initial", "employer_change", "renewal"])
@pytest.mark.parametrize(("contract_end", "as_of", "expected"), list(CONTRACTS.values()), ids=list(CONTRACTS))
def test_the_labour_contract_has_three_months_left(
    service: str, contract_end: str | None, as_of: str, expected: str
) -> None:
    result = assess(base_request(service, {"applicant.contract_end": contract_end}, as_of=as_of))
    check = check_for(result, "A-CONTRACT")
    assert check.outcome == expected
    if contract_end is not None:
        assert contract_end in check.message
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


@pytest.mark.parametrize("service", ["initial", "employer_change", "renewal"])
def test_a_contract_end_left_out_is_an_invalid_request(service: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        assess(base_request(service, {"applicant.contract_end": ABSENT}))
    assert "applicant.contract_end" in caught.value.fields


@pytest.mark.parametrize("service", ["children_change", "info_change"])
def test_the_contract_is_not_needed_where_a_contract_does_not_apply(service: str) -> None:
    result = assess(base_request(service, {"applicant.contract_end": ABSENT}))
    assert "A-CONTRACT" not in rules_in(result)
    assert result.decision == "eligible"


# --- A-NO-SPOUSE (initial, children_change) --------------------------------------------------------------------------

SPOUSES = {"no_spouse_requested_passes": (False, "pass"), "accompanying_spouse_requested_fails": (True, "fail")}


@pytest.mark.parametrize("service", ["initial", "children_change"])
@pytest.mark.parametrize(("spouse", "expected"), list(SPOUSES.values()), ids=list(SPOUSES))
def test_a_spouse_can_no_longer_accompany(service: str, spouse: bool, expected: str) -> None:
    result = assess(base_request(service, {"applicant.accompanying_spouse": spouse}))
    assert outcome_of(result, "A-NO-SPOUSE") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


# --- A-CHILDREN (children_change) ------------------------------------------------------------------------------------

CHILDREN: dict[str, tuple[list[dict[str, str]], str]] = {
    "no_child_fails": ([], "fail"),
    "one_child_in_policy_passes": ([{"case": "in_policy"}], "pass"),
    "one_child_out_of_policy_passes": ([{"case": "out_of_policy"}], "pass"),
    "one_child_out_of_wedlock_passes": ([{"case": "out_of_wedlock"}], "pass"),
    "one_child_of_divorced_parents_passes": ([{"case": "divorced_custody"}], "pass"),
    "two_children_of_different_cases_pass": ([{"case": "in_policy"}, {"case": "divorced_custody"}], "pass"),
}


@pytest.mark.parametrize(("children", "expected"), list(CHILDREN.values()), ids=list(CHILDREN))
def test_a_children_change_names_at_least_one_child_with_a_case(children: list[dict[str, str]], expected: str) -> None:
    result = assess(base_request("children_change", {"applicant.children": children}))
    check = check_for(result, "A-CHILDREN")
    assert check.outcome == expected
    assert check.clause.startswith("G5")
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


def test_children_left_out_count_as_none_and_fail() -> None:
    result = assess(base_request("children_change", {"applicant.children": ABSENT}))
    assert outcome_of(result, "A-CHILDREN") == "fail"


def test_children_of_a_first_application_are_not_checked_by_the_children_rule() -> None:
    assert "A-CHILDREN" not in rules_in(assess(base_request("initial", {"applicant.children": []})))
