"""The ten talent conditions of POLICY §7 (G3.申请条件.2), each through A-CONDITION, on both sides of its thresholds.

The declaration date is 2025-06-03 throughout: income years 2022–2024, reference wage 2023 (11761), so condition 4 needs
12 × 4 × 11761 = 564528 in each year and condition 5 needs 12 × 8 × 11761 = 1129056. "以上" includes the number.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy.factories import base_request, check_for, rules_in
from wrp.policy import assess

NUMERALS = "一二三四五六七八九十"
THREE_YEARS = ("2022", "2023", "2024")
FOUR_TIMES = "564528"
EIGHT_TIMES = "1129056"


def claim(condition: int, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """A valid first application claiming `condition`, the other conditions' facts left as in the base request."""
    changes: dict[str, Any] = {
        "applicant.talent_condition": condition,
        "applicant.recommended_and_approved": False,
        "applicant.overseas_qualification": False,
    }
    changes.update(facts or {})
    return base_request("initial", changes, as_of="2025-06-03")


def condition_outcome(request: dict[str, Any]) -> str:
    return str(check_for(assess(request), "A-CONDITION").outcome)


# --- clause and income object ----------------------------------------------------------------------------------------

MET: dict[int, dict[str, Any]] = {
    1: {"applicant.degree": "bachelor", "applicant.work_experience_years": 2},
    2: {"applicant.professional_title": "intermediate"},
    3: {"applicant.award": {"level": "provincial_ministerial", "grade": 2}},
    4: {"unit.qualifications": ["high_tech_enterprise"],
        "applicant.taxable_income_by_year": dict.fromkeys(THREE_YEARS, FOUR_TIMES)},
    5: {"unit.qualifications": ["law_firm"], "applicant.taxable_income_by_year": dict.fromkeys(THREE_YEARS, EIGHT_TIMES)},
    6: {"applicant.ip": {"author_rank": 2, "invention_patents": 1, "other_patents": 0, "software_copyrights": 0,
                         "commercialised_in_beijing": True}},
    7: {"applicant.startup": {"self_investment_3y": "5000000.01", "equity_financing": 0, "avg_annual_tax_3y": 0,
                              "shareholding_percent": 5, "shareholder_rank": 5}},
    8: {"applicant.annual_tax_paid": dict.fromkeys(THREE_YEARS, 200000)},
    9: {"applicant.recommended_and_approved": True},
    10: {"applicant.overseas_qualification": True},
}  # fmt: skip


@pytest.mark.parametrize("condition", list(MET), ids=[f"condition_{n}" for n in MET])
def test_a_met_condition_passes_and_cites_its_own_point(condition: int) -> None:
    result = assess(claim(condition, MET[condition]))
    check = check_for(result, "A-CONDITION")
    assert check.outcome == "pass"
    assert check.clause == f"G3.申请条件.2({NUMERALS[condition - 1]})"
    assert result.decision == "eligible"


@pytest.mark.parametrize("condition", list(MET), ids=[f"condition_{n}" for n in MET])
def test_an_unmet_condition_fails_and_cites_its_own_point(condition: int) -> None:
    # nothing of the condition's own facts: the condition cannot be met
    result = assess(claim(condition, {"applicant.degree": None, "applicant.work_experience_years": 0}))
    check = check_for(result, "A-CONDITION")
    assert check.outcome == "fail"
    assert check.clause == f"G3.申请条件.2({NUMERALS[condition - 1]})"
    assert result.decision == "ineligible"


def test_condition_4_cites_point_four() -> None:
    assert check_for(assess(claim(4, MET[4])), "A-CONDITION").clause == "G3.申请条件.2(四)"


INCOME_OBJECTS = {
    "condition_4_uses_four_times_the_wage": (4, "4", "47044", FOUR_TIMES),
    "condition_5_uses_eight_times_the_wage": (5, "8", "94088", EIGHT_TIMES),
}


@pytest.mark.parametrize(
    ("condition", "multiplier", "monthly", "annual"), list(INCOME_OBJECTS.values()), ids=list(INCOME_OBJECTS)
)
def test_income_conditions_report_the_threshold_used(
    condition: int, multiplier: str, monthly: str, annual: str
) -> None:
    result = assess(claim(condition, MET[condition]))
    assert result.income is not None
    assert result.income.reference_year == 2023
    assert result.income.reference_monthly_wage == "11761"
    assert result.income.multiplier == multiplier
    assert result.income.monthly_threshold == monthly
    assert result.income.annual_threshold == annual
    assert "A-INCOME" not in rules_in(result)
    assert annual in check_for(result, "A-CONDITION").message


# --- condition 1: degree and two years of experience ------------------------------------------------------------------

CONDITION_1 = {
    "no_degree_fails": (None, 10, "fail"),
    "bachelor_with_two_years_passes": ("bachelor", 2, "pass"),
    "bachelor_with_1_99_years_fails": ("bachelor", "1.99", "fail"),
    "bachelor_with_2_00_years_as_text_passes": ("bachelor", "2.00", "pass"),
    "master_with_two_years_passes": ("master", 2, "pass"),
    "doctor_with_two_years_passes": ("doctor", 2, "pass"),
    "doctor_with_1_99_years_fails": ("doctor", 1.99, "fail"),
    "bachelor_without_experience_fails": ("bachelor", 0, "fail"),
}


@pytest.mark.parametrize(("degree", "years", "expected"), list(CONDITION_1.values()), ids=list(CONDITION_1))
def test_condition_1_needs_a_bachelor_degree_and_two_years_of_work(
    degree: str | None, years: Any, expected: str
) -> None:
    request = claim(1, {"applicant.degree": degree, "applicant.work_experience_years": years})
    assert condition_outcome(request) == expected


# --- condition 2: professional title -------------------------------------------------------------------------------

CONDITION_2 = {
    "no_title_fails": (None, "fail"),
    "junior_title_fails": ("junior", "fail"),
    "intermediate_title_passes": ("intermediate", "pass"),
    "associate_senior_title_passes": ("associate_senior", "pass"),
    "senior_title_passes": ("senior", "pass"),
}


@pytest.mark.parametrize(("title", "expected"), list(CONDITION_2.values()), ids=list(CONDITION_2))
def test_condition_2_needs_an_intermediate_title_or_higher(title: str | None, expected: str) -> None:
    assert condition_outcome(claim(2, {"applicant.professional_title": title})) == expected


# --- condition 3: award ---------------------------------------------------------------------------------------------

CONDITION_3: dict[str, tuple[dict[str, Any] | None, str]] = {
    "no_award_fails": (None, "fail"),
    "national_special_prize_passes": ({"level": "national", "grade": 0}, "pass"),
    "national_first_prize_passes": ({"level": "national", "grade": 1}, "pass"),
    "national_second_prize_passes": ({"level": "national", "grade": 2}, "pass"),
    "national_third_prize_fails": ({"level": "national", "grade": 3}, "fail"),
    "provincial_special_prize_passes": ({"level": "provincial_ministerial", "grade": 0}, "pass"),
    "provincial_second_prize_passes": ({"level": "provincial_ministerial", "grade": 2}, "pass"),
    "provincial_third_prize_fails": ({"level": "provincial_ministerial", "grade": 3}, "fail"),
    "other_level_special_prize_fails": ({"level": "other", "grade": 0}, "fail"),
    "other_level_second_prize_fails": ({"level": "other", "grade": 2}, "fail"),
}


@pytest.mark.parametrize(("award", "expected"), list(CONDITION_3.values()), ids=list(CONDITION_3))
def test_condition_3_needs_a_provincial_second_prize_or_better(award: dict[str, Any] | None, expected: str) -> None:
    assert condition_outcome(claim(3, {"applicant.award": award})) == expected


# --- conditions 4 and 5: qualification and three years of income ----------------------------------------------------


def _one_fen_less(amount: str) -> str:
    return f"{int(amount) - 1}.99"


def _income_cases(threshold: str) -> dict[str, tuple[dict[str, Any] | None, str]]:
    short = _one_fen_less(threshold)
    return {
        "each_year_equal_to_the_threshold_passes": (dict.fromkeys(THREE_YEARS, threshold), "pass"),
        "2022_one_fen_short_fails": ({"2022": short, "2023": threshold, "2024": threshold}, "fail"),
        "2023_one_fen_short_fails": ({"2022": threshold, "2023": short, "2024": threshold}, "fail"),
        "2024_one_fen_short_fails": ({"2022": threshold, "2023": threshold, "2024": short}, "fail"),
        "a_missing_year_fails": ({"2023": threshold, "2024": threshold}, "fail"),
        "the_declaration_year_does_not_replace_a_missing_year": (
            {"2023": threshold, "2024": threshold, "2025": threshold}, "fail"),
        "a_year_before_the_three_does_not_count": ({"2021": threshold, "2023": threshold, "2024": threshold}, "fail"),
        "no_income_given_fails": (None, "fail"),
        "a_great_sum_does_not_make_up_for_a_short_year": (
            {"2022": "99999999", "2023": "0", "2024": "99999999"}, "fail"),
    }  # fmt: skip


CONDITION_4_INCOME = _income_cases(FOUR_TIMES)
CONDITION_5_INCOME = _income_cases(EIGHT_TIMES)


@pytest.mark.parametrize(("incomes", "expected"), list(CONDITION_4_INCOME.values()), ids=list(CONDITION_4_INCOME))
def test_condition_4_needs_four_times_the_wage_in_each_of_three_years(
    incomes: dict[str, Any] | None, expected: str
) -> None:
    request = claim(4, {"unit.qualifications": ["high_tech_enterprise"], "applicant.taxable_income_by_year": incomes})
    assert condition_outcome(request) == expected


@pytest.mark.parametrize(("incomes", "expected"), list(CONDITION_5_INCOME.values()), ids=list(CONDITION_5_INCOME))
def test_condition_5_needs_eight_times_the_wage_in_each_of_three_years(
    incomes: dict[str, Any] | None, expected: str
) -> None:
    request = claim(5, {"unit.qualifications": ["accounting_firm"], "applicant.taxable_income_by_year": incomes})
    assert condition_outcome(request) == expected


INNOVATION_QUALIFICATIONS = {
    "new_rnd_institution_passes": (["new_rnd_institution"], "pass"),
    "innovative_hq_passes": (["innovative_hq"], "pass"),
    "high_tech_enterprise_passes": (["high_tech_enterprise"], "pass"),
    "no_qualification_fails": ([], "fail"),
    "qualifications_left_null_fail": (None, "fail"),
    "a_service_entity_qualification_fails": (["law_firm"], "fail"),
    "a_service_entity_with_an_innovation_one_passes": (["financial_institution", "innovative_hq"], "pass"),
}


@pytest.mark.parametrize(
    ("qualifications", "expected"), list(INNOVATION_QUALIFICATIONS.values()), ids=list(INNOVATION_QUALIFICATIONS)
)
def test_condition_4_needs_an_innovation_entity(qualifications: list[str] | None, expected: str) -> None:
    request = claim(
        4,
        {
            "unit.qualifications": qualifications,
            "applicant.taxable_income_by_year": dict.fromkeys(THREE_YEARS, FOUR_TIMES),
        },
    )
    assert condition_outcome(request) == expected


SERVICE_QUALIFICATIONS = {
    "law_firm_passes": (["law_firm"], "pass"),
    "accounting_firm_passes": (["accounting_firm"], "pass"),
    "audit_firm_passes": (["audit_firm"], "pass"),
    "tax_firm_passes": (["tax_firm"], "pass"),
    "hr_service_agency_passes": (["hr_service_agency"], "pass"),
    "financial_institution_passes": (["financial_institution"], "pass"),
    "no_qualification_fails": ([], "fail"),
    "an_innovation_entity_qualification_fails": (["high_tech_enterprise"], "fail"),
}


@pytest.mark.parametrize(
    ("qualifications", "expected"), list(SERVICE_QUALIFICATIONS.values()), ids=list(SERVICE_QUALIFICATIONS)
)
def test_condition_5_needs_an_innovation_service_entity(qualifications: list[str], expected: str) -> None:
    request = claim(
        5,
        {
            "unit.qualifications": qualifications,
            "applicant.taxable_income_by_year": dict.fromkeys(THREE_YEARS, EIGHT_TIMES),
        },
    )
    assert condition_outcome(request) == expected


def test_condition_4_met_with_four_times_is_not_enough_for_condition_5() -> None:
    request = claim(
        5,
        {
            "unit.qualifications": ["law_firm"],
            "applicant.taxable_income_by_year": dict.fromkeys(THREE_YEARS, FOUR_TIMES),
        },
    )
    assert condition_outcome(request) == "fail"


BEFORE_2021 = {
    "2019_declaration_uses_the_2018_wage": ("2019-06-03", {"2016": "377040", "2017": "377040", "2018": "377040"},
                                             "pass", "377040"),
    "2019_declaration_one_fen_short_fails": ("2019-06-03", {"2016": "377040", "2017": "377039.99", "2018": "377040"},
                                             "fail", "377040"),
}  # fmt: skip


@pytest.mark.parametrize(("as_of", "incomes", "expected", "annual"), list(BEFORE_2021.values()), ids=list(BEFORE_2021))
def test_condition_4_applies_its_own_threshold_before_2021(
    as_of: str, incomes: dict[str, str], expected: str, annual: str
) -> None:
    # 2018 wage 7855 × 4 × 12 = 377040
    request = base_request(
        "initial",
        {"applicant.talent_condition": 4, "unit.qualifications": ["innovative_hq"],
         "applicant.taxable_income_by_year": incomes},
        as_of=as_of,
    )  # fmt: skip
    result = assess(request)
    assert check_for(result, "A-CONDITION").outcome == expected
    assert result.income is not None
    assert result.income.reference_year == 2018
    assert result.income.annual_threshold == annual


# --- condition 6: intellectual property -----------------------------------------------------------------------------

IP_BASE = {"author_rank": 1, "invention_patents": 1, "other_patents": 0, "software_copyrights": 0,
           "commercialised_in_beijing": True}  # fmt: skip
CONDITION_6: dict[str, tuple[dict[str, Any] | None, str]] = {
    "first_author_of_one_invention_patent_passes": ({}, "pass"),
    "second_author_passes": ({"author_rank": 2}, "pass"),
    "third_author_fails": ({"author_rank": 3}, "fail"),
    "no_invention_patent_and_two_of_each_other_fails": (
        {"invention_patents": 0, "other_patents": 2, "software_copyrights": 2}, "fail"),
    "three_other_patents_pass": ({"invention_patents": 0, "other_patents": 3}, "pass"),
    "two_other_patents_fail": ({"invention_patents": 0, "other_patents": 2}, "fail"),
    "three_software_copyrights_pass": ({"invention_patents": 0, "software_copyrights": 3}, "pass"),
    "two_software_copyrights_fail": ({"invention_patents": 0, "software_copyrights": 2}, "fail"),
    "not_commercialised_in_beijing_fails": ({"commercialised_in_beijing": False}, "fail"),
    "no_ip_given_fails": (None, "fail"),
}  # fmt: skip


@pytest.mark.parametrize(("ip_changes", "expected"), list(CONDITION_6.values()), ids=list(CONDITION_6))
def test_condition_6_needs_rank_two_patents_or_copyrights_commercialised_in_beijing(
    ip_changes: dict[str, Any] | None, expected: str
) -> None:
    ip = None if ip_changes is None else IP_BASE | ip_changes
    assert condition_outcome(claim(6, {"applicant.ip": ip})) == expected


# --- condition 7: start-up shareholder ------------------------------------------------------------------------------

STARTUP_BASE = {"self_investment_3y": 6_000_000, "equity_financing": 0, "avg_annual_tax_3y": 0,
                "shareholding_percent": 10, "shareholder_rank": 1}  # fmt: skip
CONDITION_7: dict[str, tuple[dict[str, Any] | None, str]] = {
    "top_shareholder_of_a_team_investing_six_million_passes": ({}, "pass"),
    "shareholding_of_exactly_5_percent_passes": ({"shareholding_percent": 5}, "pass"),
    "shareholding_of_4_99_percent_fails": ({"shareholding_percent": "4.99"}, "fail"),
    "fifth_shareholder_passes": ({"shareholder_rank": 5}, "pass"),
    "sixth_shareholder_fails": ({"shareholder_rank": 6}, "fail"),
    "self_investment_of_exactly_five_million_fails": ({"self_investment_3y": 5_000_000}, "fail"),
    "self_investment_one_fen_over_five_million_passes": ({"self_investment_3y": "5000000.01"}, "pass"),
    "equity_financing_of_exactly_ten_million_fails": ({"self_investment_3y": 0, "equity_financing": 10_000_000},
                                                      "fail"),
    "equity_financing_one_fen_over_ten_million_passes": ({"self_investment_3y": 0, "equity_financing": "10000000.01"},
                                                         "pass"),
    "average_tax_of_exactly_five_million_passes": ({"self_investment_3y": 0, "avg_annual_tax_3y": 5_000_000}, "pass"),
    "average_tax_one_fen_under_five_million_fails": ({"self_investment_3y": 0, "avg_annual_tax_3y": "4999999.99"},
                                                     "fail"),
    "no_investment_financing_or_tax_fails": ({"self_investment_3y": 0}, "fail"),
    "no_startup_given_fails": (None, "fail"),
}  # fmt: skip


@pytest.mark.parametrize(("startup_changes", "expected"), list(CONDITION_7.values()), ids=list(CONDITION_7))
def test_condition_7_needs_a_top_five_shareholder_of_a_substantial_team(
    startup_changes: dict[str, Any] | None, expected: str
) -> None:
    startup = None if startup_changes is None else STARTUP_BASE | startup_changes
    assert condition_outcome(claim(7, {"applicant.startup": startup})) == expected


# --- condition 8: tax of 200000 in each of three years ---------------------------------------------------------------

CONDITION_8: dict[str, tuple[dict[str, Any] | None, str]] = {
    "200000_in_each_year_passes": (dict.fromkeys(THREE_YEARS, 200000), "pass"),
    "2022_one_fen_short_fails": ({"2022": "199999.99", "2023": 200000, "2024": 200000}, "fail"),
    "2023_one_fen_short_fails": ({"2022": 200000, "2023": "199999.99", "2024": 200000}, "fail"),
    "2024_one_fen_short_fails": ({"2022": 200000, "2023": 200000, "2024": "199999.99"}, "fail"),
    "a_missing_year_fails": ({"2023": 200000, "2024": 200000}, "fail"),
    "the_declaration_year_does_not_count": ({"2023": 200000, "2024": 200000, "2025": 200000}, "fail"),
    "a_great_sum_does_not_make_up_for_a_short_year": ({"2022": 1000000, "2023": 0, "2024": 1000000}, "fail"),
    "no_tax_given_fails": (None, "fail"),
}


@pytest.mark.parametrize(("taxes", "expected"), list(CONDITION_8.values()), ids=list(CONDITION_8))
def test_condition_8_needs_200000_of_tax_in_each_of_three_years(taxes: dict[str, Any] | None, expected: str) -> None:
    check = check_for(assess(claim(8, {"applicant.annual_tax_paid": taxes})), "A-CONDITION")
    assert check.outcome == expected
    assert "200000" in check.message or "20万" in check.message


# --- conditions 9 and 10 --------------------------------------------------------------------------------------------

FLAGS = {
    "condition_9_recommended_and_approved_passes": (9, "applicant.recommended_and_approved", True, "pass"),
    "condition_9_not_recommended_fails": (9, "applicant.recommended_and_approved", False, "fail"),
    "condition_10_listed_overseas_qualification_passes": (10, "applicant.overseas_qualification", True, "pass"),
    "condition_10_without_a_listed_qualification_fails": (10, "applicant.overseas_qualification", False, "fail"),
}


@pytest.mark.parametrize(("condition", "path", "value", "expected"), list(FLAGS.values()), ids=list(FLAGS))
def test_conditions_9_and_10_follow_their_declared_fact(condition: int, path: str, value: bool, expected: str) -> None:
    assert condition_outcome(claim(condition, {path: value})) == expected


# --- the claimed condition only -------------------------------------------------------------------------------------


def test_only_the_claimed_condition_is_assessed() -> None:
    # the applicant would meet condition 1, but claims condition 2 without a title
    request = claim(2, {"applicant.degree": "doctor", "applicant.work_experience_years": 10,
                        "applicant.professional_title": "junior"})  # fmt: skip
    assert condition_outcome(request) == "fail"


# --- manual checks of POLICY §7 --------------------------------------------------------------------------------------

MANUAL = {
    "condition_1_has_degree_and_diploma_checks": (1, True),
    "condition_2_has_a_diploma_check": (2, True),
    "condition_3_has_none": (3, False),
    "condition_4_has_none": (4, False),
    "condition_5_has_none": (5, False),
    "condition_6_has_an_economic_benefit_check": (6, True),
    "condition_7_has_none": (7, False),
    "condition_8_has_an_outstanding_contribution_check": (8, True),
    "condition_9_has_none": (9, False),
    "condition_10_has_none": (10, False),
}


@pytest.mark.parametrize(("condition", "has_checks"), list(MANUAL.values()), ids=list(MANUAL))
def test_conditions_carry_the_reviewers_manual_checks(condition: int, has_checks: bool) -> None:
    result = assess(claim(condition, MET[condition]))
    assert bool(result.manual_checks) is has_checks


def test_condition_1_asks_to_verify_the_degree_on_the_degrees_site() -> None:
    # G3.办理材料.4 条件1: the degree certificate is checked on 中国学位与研究生教育信息网 (the contract's example too)
    assert assess(claim(1, MET[1])).manual_checks == ("学位证书经中国学位与研究生教育信息网查验",)


def test_condition_2_asks_to_verify_the_diploma_on_chsi() -> None:
    # G3.办理材料.4 条件2: the diploma is checked on 中国高等教育学生信息网 (学信网)
    assert assess(claim(2, MET[2])).manual_checks == ("学历证书经中国高等教育学生信息网查验",)
