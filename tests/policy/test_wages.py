"""The reference wage table of POLICY §4: which year a declaration uses, and thresholds in exact decimals.

"Reference row for a declaration on date D: among rows with year ≤ D.year − 1 and published ≤ D, the one with the
greatest year." No such row (before 2018) makes the assessment impossible only where an income rule needs it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.policy.factories import base_request, check_for, rules_in
from wrp.policy import InvalidRequest, assess
from wrp.policy.wages import Threshold, builtin_table

D = date.fromisoformat

# POLICY §4, verbatim: year → (monthly, published)
POLICY_TABLE = {
    2017: ("8467", "2018-01-01"),
    2018: ("7855", "2019-01-01"),
    2019: ("8847", "2020-01-01"),
    2020: ("9407", "2021-01-01"),
    2021: ("10628", "2022-07-19"),
    2022: ("11297", "2023-07-25"),
    2023: ("11761", "2024-07-26"),
    2024: ("11937", "2025-09-18"),
    2025: ("12116", "2026-08-21"),
}


def test_the_shipped_table_is_the_table_of_the_policy() -> None:
    shipped = {row.year: (row.monthly, row.published) for row in builtin_table().rows}
    expected = {year: (Decimal(monthly), D(published)) for year, (monthly, published) in POLICY_TABLE.items()}
    assert shipped == expected


def test_every_row_has_a_source_and_a_publication_date() -> None:
    for row in builtin_table().rows:
        assert row.source.strip(), f"{row.year} has no source"
        assert isinstance(row.published, date), f"{row.year} has no publication date"


def test_every_wage_is_an_exact_decimal() -> None:
    for row in builtin_table().rows:
        assert isinstance(row.monthly, Decimal)


# --- which row a declaration uses ------------------------------------------------------------------------------------

REFERENCES: dict[str, tuple[str, int | None]] = {
    # the policy's examples
    "2021_03_01_uses_2020": ("2021-03-01", 2020),
    "2022_03_01_still_uses_2020": ("2022-03-01", 2020),
    "2022_08_01_uses_2021": ("2022-08-01", 2021),
    "2026_11_26_uses_2025": ("2026-11-26", 2025),
    "2025_06_03_uses_2023": ("2025-06-03", 2023),
    # the day before and the day of each publication
    "2017_12_31_has_none": ("2017-12-31", None),
    "2018_01_01_uses_2017": ("2018-01-01", 2017),
    "2018_12_31_uses_2017": ("2018-12-31", 2017),
    "2019_01_01_uses_2018": ("2019-01-01", 2018),
    "2019_12_31_uses_2018": ("2019-12-31", 2018),
    "2020_01_01_uses_2019": ("2020-01-01", 2019),
    "2020_12_31_uses_2019": ("2020-12-31", 2019),
    "2021_01_01_uses_2020": ("2021-01-01", 2020),
    "2022_07_18_uses_2020": ("2022-07-18", 2020),
    "2022_07_19_uses_2021": ("2022-07-19", 2021),
    "2023_07_24_uses_2021": ("2023-07-24", 2021),
    "2023_07_25_uses_2022": ("2023-07-25", 2022),
    "2024_07_25_uses_2022": ("2024-07-25", 2022),
    "2024_07_26_uses_2023": ("2024-07-26", 2023),
    "2025_09_17_uses_2023": ("2025-09-17", 2023),
    "2025_09_18_uses_2024": ("2025-09-18", 2024),
    "2026_08_20_uses_2024": ("2026-08-20", 2024),
    "2026_08_21_uses_2025": ("2026-08-21", 2025),
    "2027_01_01_still_uses_2025": ("2027-01-01", 2025),
}


@pytest.mark.parametrize(("on", "year"), list(REFERENCES.values()), ids=list(REFERENCES))
def test_a_declaration_uses_the_latest_published_wage_of_an_earlier_year(on: str, year: int | None) -> None:
    row = builtin_table().reference(D(on))
    assert (row.year if row is not None else None) == year


ASSESSED_REFERENCES = {key: value for key, value in REFERENCES.items() if value[1] is not None and value[0] < "2027"}


@pytest.mark.parametrize(("on", "year"), list(ASSESSED_REFERENCES.values()), ids=list(ASSESSED_REFERENCES))
def test_the_assessment_reports_the_reference_year_it_used(on: str, year: int) -> None:
    # condition 4 applies an income threshold on any date from 2018 on
    request = base_request(
        "initial",
        {"applicant.talent_condition": 4, "unit.qualifications": ["high_tech_enterprise"],
         "applicant.taxable_income_by_year": None},
        as_of=on,
    )  # fmt: skip
    income = assess(request).income
    assert income is not None
    assert income.reference_year == year
    assert income.reference_monthly_wage == POLICY_TABLE[year][0]


# --- no reference row ------------------------------------------------------------------------------------------------

NO_WAGE = {
    "condition_4_on_2017_12_31": ("2017-12-31", 4),
    "condition_5_in_2017": ("2017-06-01", 5),
    "condition_4_in_2010": ("2010-06-01", 4),
}


@pytest.mark.parametrize(("as_of", "condition"), list(NO_WAGE.values()), ids=list(NO_WAGE))
def test_an_income_rule_before_2018_is_an_invalid_request_naming_as_of(as_of: str, condition: int) -> None:
    request = base_request(
        "initial",
        {"applicant.talent_condition": condition, "unit.qualifications": ["high_tech_enterprise", "law_firm"],
         "applicant.taxable_income_by_year": {}},
        as_of=as_of,
    )  # fmt: skip
    with pytest.raises(InvalidRequest) as caught:
        assess(request)
    assert "as_of" in caught.value.fields
    assert "reference wage" in caught.value.messages("en")["as_of"]


NO_INCOME_RULE: dict[str, tuple[str, dict[str, Any]]] = {
    "unit_opening_in_2017": ("unit_opening", {}),
    "first_application_with_condition_1_in_2017": ("initial", {}),
    "first_application_with_condition_9_in_2017": (
        "initial",
        {"applicant.talent_condition": 9, "applicant.recommended_and_approved": True},
    ),
    "renewal_in_2017": ("renewal", {}),
}


@pytest.mark.parametrize(("service", "changes"), list(NO_INCOME_RULE.values()), ids=list(NO_INCOME_RULE))
def test_a_date_before_2018_is_fine_where_no_income_rule_applies(service: str, changes: dict[str, Any]) -> None:
    result = assess(base_request(service, changes, as_of="2017-06-01"))
    assert result.income is None
    assert "A-INCOME" not in rules_in(result)
    assert result.decision == "eligible"


# --- thresholds in exact decimals ------------------------------------------------------------------------------------

EXACT = {
    "1_2_times_9407_is_11288_4_a_month": (2020, "1.2", "11288.4", "135460.8"),
    "1_5_times_9407_is_14110_5_a_month": (2020, "1.5", "14110.5", "169326"),
    "1_5_times_11761_is_17641_5_a_month": (2023, "1.5", "17641.5", "211698"),
    "1_2_times_11761_is_14113_2_a_month": (2023, "1.2", "14113.2", "169358.4"),
    "4_times_11761_is_47044_a_month": (2023, "4", "47044", "564528"),
    "8_times_11761_is_94088_a_month": (2023, "8", "94088", "1129056"),
}


@pytest.mark.parametrize(("year", "multiplier", "monthly", "annual"), list(EXACT.values()), ids=list(EXACT))
def test_thresholds_are_exact_decimals(year: int, multiplier: str, monthly: str, annual: str) -> None:
    row = next(row for row in builtin_table().rows if row.year == year)
    threshold = Threshold(row, Decimal(multiplier))
    assert threshold.monthly == Decimal(monthly)
    assert threshold.annual == Decimal(annual)


INCOME_OBJECTS = {
    "enterprise_2025_06_03": ("enterprise", "2025-06-03", 2023, "11761", "1.5", "17641.5", "211698"),
    "public_institution_2025_06_03": ("public_institution", "2025-06-03", 2023, "11761", "1.2", "14113.2", "169358.4"),
    "enterprise_2021_03_01": ("enterprise", "2021-03-01", 2020, "9407", "1.5", "14110.5", "169326"),
    "social_organization_2021_03_01": ("social_organization", "2021-03-01", 2020, "9407", "1.2", "11288.4",
                                       "135460.8"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "as_of", "year", "wage", "multiplier", "monthly", "annual"),
    list(INCOME_OBJECTS.values()),
    ids=list(INCOME_OBJECTS),
)
def test_the_income_object_carries_plain_decimal_strings(
    kind: str, as_of: str, year: int, wage: str, multiplier: str, monthly: str, annual: str
) -> None:
    result = assess(base_request("initial", {"unit.kind": kind}, as_of=as_of))
    assert result.income is not None
    assert result.as_json_dict()["income"] == {
        "reference_year": year,
        "reference_monthly_wage": wage,
        "multiplier": multiplier,
        "monthly_threshold": monthly,
        "annual_threshold": annual,
    }
    assert annual in check_for(result, "A-INCOME").message
