"""Unit rules of POLICY §5 (U-*), on both sides of every boundary, written from POLICY.md's text.

Each case starts from a valid request of the service (factories.base_request) and varies one fact; the assertion is
on the outcome of the rule concerned, its presence or absence, and the numbers its message shows.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy.factories import (
    PERSONAL_SERVICES,
    SERVICES,
    UNIT_SERVICES,
    base_request,
    check_for,
    outcome_of,
    rules_in,
)
from wrp.policy import assess

# --- U-KIND ----------------------------------------------------------------------------------------------------------

UNIT_KINDS: dict[str, tuple[str, bool, str]] = {
    "other_kind_fails_even_as_a_legal_person": ("other", True, "fail"),
    "other_kind_without_legal_personality_fails": ("other", False, "fail"),
    "legal_person_enterprise_passes": ("enterprise", True, "pass"),
    "enterprise_without_legal_personality_fails": ("enterprise", False, "fail"),
    "legal_person_public_institution_passes": ("public_institution", True, "pass"),
    "public_institution_without_legal_personality_fails": ("public_institution", False, "fail"),
    "private_non_enterprise_unit_passes": ("private_non_enterprise", True, "pass"),
    "social_organization_passes": ("social_organization", True, "pass"),
    "foreign_branch_passes_without_legal_personality": ("foreign_branch", False, "pass"),
    "domestic_branch_passes_without_legal_personality": ("domestic_branch", False, "pass"),
    "foreign_rep_office_passes_without_legal_personality": ("foreign_rep_office", False, "pass"),
}


@pytest.mark.parametrize("service", UNIT_SERVICES)
@pytest.mark.parametrize(("kind", "legal_person", "expected"), list(UNIT_KINDS.values()), ids=list(UNIT_KINDS))
def test_unit_kind_decides_whether_the_unit_may_hold_an_account(
    service: str, kind: str, legal_person: bool, expected: str
) -> None:
    result = assess(base_request(service, {"unit.kind": kind, "unit.legal_person": legal_person}))
    check = check_for(result, "U-KIND")
    assert check.outcome == expected
    assert check.clause.startswith("G1.申请条件")
    if expected == "fail":
        assert result.decision == "ineligible"


# --- U-REGISTERED ----------------------------------------------------------------------------------------------------

REGISTRATIONS = {
    "registered_in_chaoyang_passes": ("chaoyang", "pass"),
    "registered_in_haidian_needs_review": ("haidian", "review"),
    "registered_outside_beijing_needs_review": ("outside_beijing", "review"),
}


@pytest.mark.parametrize("service", UNIT_SERVICES)
@pytest.mark.parametrize(("district", "expected"), list(REGISTRATIONS.values()), ids=list(REGISTRATIONS))
def test_registration_outside_chaoyang_is_for_staff_to_decide(service: str, district: str, expected: str) -> None:
    result = assess(base_request(service, {"unit.registered_district": district}))
    assert outcome_of(result, "U-REGISTERED") == expected
    assert result.decision == ("eligible" if expected == "pass" else "needs_review")


# --- U-TAX-YEAR ------------------------------------------------------------------------------------------------------

TAX_YEARS = {
    "a_full_year_on_the_anniversary_passes": ("chaoyang", "2024-11-26", "2025-11-26", "pass"),
    "one_day_short_of_a_full_year_needs_review": ("chaoyang", "2024-11-26", "2025-11-25", "review"),
    "more_than_a_year_passes": ("chaoyang", "2020-01-01", "2025-11-25", "pass"),
    "leap_day_start_is_a_full_year_on_feb_28": ("chaoyang", "2024-02-29", "2025-02-28", "pass"),
    "leap_day_start_is_short_on_feb_27": ("chaoyang", "2024-02-29", "2025-02-27", "review"),
    "tax_paid_since_the_declaration_day_needs_review": ("chaoyang", "2025-06-03", "2025-06-03", "review"),
    "no_tax_paid_since_date_needs_review": ("chaoyang", None, "2025-06-03", "review"),
    "taxed_in_another_district_needs_review": ("haidian", "2019-05-01", "2025-06-03", "review"),
}


@pytest.mark.parametrize("service", UNIT_SERVICES)
@pytest.mark.parametrize(("district", "since", "as_of", "expected"), list(TAX_YEARS.values()), ids=list(TAX_YEARS))
def test_a_full_year_of_tax_in_chaoyang_counts_from_the_day_after_the_start(
    service: str, district: str, since: str | None, as_of: str, expected: str
) -> None:
    request = base_request(service, {"unit.tax_district": district, "unit.tax_paid_since": since}, as_of=as_of)
    result = assess(request)
    check = check_for(result, "U-TAX-YEAR")
    assert check.outcome == expected
    assert result.decision == ("eligible" if expected == "pass" else "needs_review")


def test_tax_year_review_message_names_the_start_date() -> None:
    result = assess(base_request("unit_opening", {"unit.tax_paid_since": "2024-11-26"}, as_of="2025-11-25"))
    assert "2024-11-26" in check_for(result, "U-TAX-YEAR").message


# --- U-CAPITAL -------------------------------------------------------------------------------------------------------

CAPITALS: dict[str, tuple[Any, str]] = {
    "capital_of_one_million_passes": (1_000_000, "pass"),
    "capital_one_fen_under_a_million_needs_review": ("999999.99", "review"),
    "capital_as_json_number_one_fen_under_needs_review": (999999.99, "review"),
    "capital_written_with_decimals_equal_to_a_million_passes": ("1000000.00", "pass"),
    "capital_above_a_million_passes": (5_000_000, "pass"),
    "no_capital_needs_review": (0, "review"),
}


@pytest.mark.parametrize("service", UNIT_SERVICES)
@pytest.mark.parametrize(("capital", "expected"), list(CAPITALS.values()), ids=list(CAPITALS))
def test_registered_capital_of_a_legal_person_enterprise_is_at_least_a_million(
    service: str, capital: Any, expected: str
) -> None:
    result = assess(base_request(service, {"unit.registered_capital": capital}))
    check = check_for(result, "U-CAPITAL")
    assert check.outcome == expected
    assert result.decision == ("eligible" if expected == "pass" else "needs_review")


def test_capital_message_shows_the_capital_and_the_threshold() -> None:
    message = check_for(assess(base_request("unit_opening", {"unit.registered_capital": "999999.99"})), "U-CAPITAL")
    assert "999999.99" in message.message
    assert "1000000" in message.message or "100万" in message.message


NOT_LEGAL_PERSON_ENTERPRISES = {
    "public_institution": ("public_institution", True),
    "private_non_enterprise": ("private_non_enterprise", True),
    "social_organization": ("social_organization", True),
    "foreign_branch": ("foreign_branch", False),
    "domestic_branch": ("domestic_branch", False),
    "foreign_rep_office": ("foreign_rep_office", False),
    "other": ("other", True),
    "enterprise_without_legal_personality": ("enterprise", False),
}


@pytest.mark.parametrize("service", UNIT_SERVICES)
@pytest.mark.parametrize(
    ("kind", "legal_person"), list(NOT_LEGAL_PERSON_ENTERPRISES.values()), ids=list(NOT_LEGAL_PERSON_ENTERPRISES)
)
def test_capital_and_tax_amount_are_absent_for_a_unit_that_is_not_a_legal_person_enterprise(
    service: str, kind: str, legal_person: bool
) -> None:
    # a small capital and no tax at all: were the rules applied they would ask for review
    request = base_request(
        service,
        {"unit.kind": kind, "unit.legal_person": legal_person, "unit.registered_capital": 0, "unit.annual_tax": {}},
    )
    rules = rules_in(assess(request))
    assert "U-CAPITAL" not in rules
    assert "U-TAX-AMOUNT" not in rules


@pytest.mark.parametrize("service", UNIT_SERVICES)
def test_capital_and_tax_amount_apply_to_a_legal_person_enterprise(service: str) -> None:
    rules = rules_in(assess(base_request(service)))
    assert {"U-CAPITAL", "U-TAX-AMOUNT"} <= rules


@pytest.mark.parametrize("service", PERSONAL_SERVICES)
def test_unit_opening_conditions_are_not_checked_for_personal_items(service: str) -> None:
    rules = rules_in(assess(base_request(service)))
    assert not rules & {"U-KIND", "U-REGISTERED", "U-TAX-YEAR", "U-CAPITAL", "U-TAX-AMOUNT"}


# --- U-TAX-AMOUNT (as_of 2025-06-03: last year 2024, three years 2022–2024) ------------------------------------------

TAX_AMOUNTS: dict[str, tuple[dict[str, Any], str]] = {
    "last_year_199999_and_three_years_599999_needs_review": (
        {"2022": 200000, "2023": 200000, "2024": 199999},
        "review",
    ),
    "last_year_exactly_200000_passes": ({"2022": 0, "2023": 0, "2024": 200000}, "pass"),
    "last_year_200000_alone_passes_with_other_years_missing": ({"2024": 200000}, "pass"),
    "last_year_one_fen_short_and_sum_one_fen_short_needs_review": (
        {"2022": 200000, "2023": 200000, "2024": "199999.99"},
        "review",
    ),
    "three_years_exactly_600000_passes_with_a_small_last_year": ({"2022": 300000, "2023": 300000, "2024": 0}, "pass"),
    "a_missing_last_year_counts_zero_and_the_sum_still_passes": ({"2022": 400000, "2023": 200000}, "pass"),
    "a_missing_year_counts_zero_and_the_sum_falls_short": ({"2023": 400000, "2024": 199999}, "review"),
    "a_year_before_the_three_does_not_count": ({"2021": 1000000, "2024": 100000}, "review"),
    "the_declaration_year_does_not_count": ({"2025": 1000000}, "review"),
    "no_tax_at_all_needs_review": ({}, "review"),
    "amounts_as_decimal_strings_pass_when_equal": ({"2024": "200000.00"}, "pass"),
}


@pytest.mark.parametrize("service", UNIT_SERVICES)
@pytest.mark.parametrize(("annual_tax", "expected"), list(TAX_AMOUNTS.values()), ids=list(TAX_AMOUNTS))
def test_tax_amount_is_200000_last_year_or_600000_over_three_years(
    service: str, annual_tax: dict[str, Any], expected: str
) -> None:
    result = assess(base_request(service, {"unit.annual_tax": annual_tax}, as_of="2025-06-03"))
    assert outcome_of(result, "U-TAX-AMOUNT") == expected
    assert result.decision == ("eligible" if expected == "pass" else "needs_review")


def test_a_missing_annual_tax_counts_as_no_tax_and_needs_review() -> None:
    request = base_request("unit_opening")
    del request["unit"]["annual_tax"]
    assert outcome_of(assess(request), "U-TAX-AMOUNT") == "review"


def test_tax_amount_message_shows_last_year_and_the_three_year_sum() -> None:
    result = assess(base_request("unit_opening", {"unit.annual_tax": {"2022": 200000, "2023": 200000, "2024": 199999}}))
    message = check_for(result, "U-TAX-AMOUNT").message
    assert "199999" in message
    assert "599999" in message


# --- U-NOT-OPEN (unit_opening) ---------------------------------------------------------------------------------------

NOT_OPEN = {
    "no_account_passes": ({"status": "none"}, "pass"),
    "closed_account_passes": ({"status": "closed", "district": "haidian"}, "pass"),
    "account_open_in_chaoyang_fails": ({"status": "open", "district": "chaoyang"}, "fail"),
    "account_open_in_another_district_fails": ({"status": "open", "district": "haidian"}, "fail"),
}


@pytest.mark.parametrize(("account", "expected"), list(NOT_OPEN.values()), ids=list(NOT_OPEN))
def test_a_unit_opens_an_account_only_when_it_has_none_open(account: dict[str, str], expected: str) -> None:
    result = assess(base_request("unit_opening", {"unit.account": account}))
    assert outcome_of(result, "U-NOT-OPEN") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


def test_a_unit_open_elsewhere_is_told_to_use_unit_transfer() -> None:
    request = base_request("unit_opening", {"unit.account": {"status": "open", "district": "haidian"}})
    assert "unit_transfer" in check_for(assess(request, lang="en"), "U-NOT-OPEN").message


# --- U-OPEN-ELSEWHERE (unit_transfer) --------------------------------------------------------------------------------

OPEN_ELSEWHERE = {
    "open_in_haidian_passes": ({"status": "open", "district": "haidian"}, "pass"),
    "open_in_dongcheng_passes": ({"status": "open", "district": "dongcheng"}, "pass"),
    "open_in_chaoyang_already_fails": ({"status": "open", "district": "chaoyang"}, "fail"),
    "no_account_fails": ({"status": "none"}, "fail"),
    "closed_account_in_another_district_fails": ({"status": "closed", "district": "haidian"}, "fail"),
}


@pytest.mark.parametrize(("account", "expected"), list(OPEN_ELSEWHERE.values()), ids=list(OPEN_ELSEWHERE))
def test_a_transfer_needs_a_valid_account_in_another_district(account: dict[str, str], expected: str) -> None:
    result = assess(base_request("unit_transfer", {"unit.account": account}))
    assert outcome_of(result, "U-OPEN-ELSEWHERE") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


# --- U-OPEN-HERE (the five personal items) ---------------------------------------------------------------------------

OPEN_HERE = {
    "open_in_chaoyang_passes": ({"status": "open", "district": "chaoyang"}, "pass"),
    "open_in_another_district_fails": ({"status": "open", "district": "haidian"}, "fail"),
    "closed_in_chaoyang_fails": ({"status": "closed", "district": "chaoyang"}, "fail"),
    "no_account_fails": ({"status": "none"}, "fail"),
}


@pytest.mark.parametrize("service", PERSONAL_SERVICES)
@pytest.mark.parametrize(("account", "expected"), list(OPEN_HERE.values()), ids=list(OPEN_HERE))
def test_personal_items_need_the_units_account_open_in_chaoyang(
    service: str, account: dict[str, str], expected: str
) -> None:
    result = assess(base_request(service, {"unit.account": account}))
    assert outcome_of(result, "U-OPEN-HERE") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


@pytest.mark.parametrize("service", UNIT_SERVICES)
def test_open_here_is_absent_for_unit_items(service: str) -> None:
    assert "U-OPEN-HERE" not in rules_in(assess(base_request(service)))


# --- U-PENALTY (all seven items) -------------------------------------------------------------------------------------

PENALTIES = {
    "no_penalty_passes": (None, "pass"),
    "blacklisted_unit_fails": ("blacklisted", "fail"),
    "unit_with_service_terminated_fails": ("service_terminated", "fail"),
}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(("penalty", "expected"), list(PENALTIES.values()), ids=list(PENALTIES))
def test_a_penalised_unit_is_refused_every_item(service: str, penalty: str | None, expected: str) -> None:
    result = assess(base_request(service, {"unit.penalty": penalty}))
    check = check_for(result, "U-PENALTY")
    assert check.outcome == expected
    assert check.clause.startswith("G4.注意事项")
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


@pytest.mark.parametrize("service", SERVICES)
def test_a_penalty_left_out_means_none(service: str) -> None:
    request = base_request(service)
    del request["unit"]["penalty"]
    assert outcome_of(assess(request), "U-PENALTY") == "pass"


# --- U-QUOTA (initial, employer_change) ------------------------------------------------------------------------------

QUOTAS = {
    "no_quota_left_fails": (0, False, "fail"),
    "one_unit_of_quota_left_passes": (1, False, "pass"),
    "several_units_left_pass": (5, False, "pass"),
    "frozen_quota_fails_even_with_units_left": (5, True, "fail"),
    "frozen_quota_with_one_unit_left_fails": (1, True, "fail"),
}


@pytest.mark.parametrize("service", ["initial", "employer_change"])
@pytest.mark.parametrize(("remaining", "frozen", "expected"), list(QUOTAS.values()), ids=list(QUOTAS))
def test_items_that_consume_quota_need_one_unfrozen_unit_left(
    service: str, remaining: int, frozen: bool, expected: str
) -> None:
    result = assess(base_request(service, {"unit.quota_remaining": remaining, "unit.quota_frozen": frozen}))
    assert outcome_of(result, "U-QUOTA") == expected
    assert result.decision == ("eligible" if expected == "pass" else "ineligible")


@pytest.mark.parametrize("service", ["unit_opening", "unit_transfer", "children_change", "info_change", "renewal"])
def test_quota_is_not_checked_for_items_that_consume_none(service: str) -> None:
    request = base_request(service, {"unit.quota_remaining": 0, "unit.quota_frozen": True})
    result = assess(request)
    assert "U-QUOTA" not in rules_in(result)
    assert result.decision == "eligible"
