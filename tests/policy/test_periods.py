"""Calendar periods of POLICY §3: clamping month arithmetic, "满N年", "尚有N个月以上", "N日内"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from wrp.policy.periods import add_months, add_years, at_least_left, completed, within_days

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D("2025-01-31"), 1, D("2025-02-28")),
        (D("2024-01-31"), 1, D("2024-02-29")),
        (D("2025-05-31"), 1, D("2025-06-30")),
        (D("2025-03-31"), -1, D("2025-02-28")),
        (D("2025-12-15"), 1, D("2026-01-15")),
        (D("2025-01-15"), -1, D("2024-12-15")),
        (D("2025-08-31"), 6, D("2026-02-28")),
        (D("2025-01-31"), 0, D("2025-01-31")),
    ],
    ids=[
        "jan_31_plus_a_month_is_feb_28",
        "jan_31_plus_a_month_is_feb_29_in_a_leap_year",
        "may_31_plus_a_month_is_june_30",
        "mar_31_minus_a_month_is_feb_28",
        "a_month_crosses_the_new_year",
        "a_month_back_crosses_the_new_year",
        "six_months_from_aug_31_clamps_to_feb_28",
        "zero_months_is_the_same_day",
    ],
)
def test_add_months_clamps_to_the_last_day_of_the_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (D("2024-02-29"), 1, D("2025-02-28")),
        (D("2024-02-29"), 4, D("2028-02-29")),
        (D("2024-02-29"), -1, D("2023-02-28")),
        (D("2025-06-03"), 1, D("2026-06-03")),
        (D("2025-06-03"), -3, D("2022-06-03")),
    ],
    ids=[
        "feb_29_plus_a_year_is_feb_28",
        "feb_29_plus_four_years_is_feb_29",
        "feb_29_minus_a_year_is_feb_28",
        "an_ordinary_day_plus_a_year",
        "an_ordinary_day_minus_three_years",
    ],
)
def test_add_years_clamps_feb_29_in_a_common_year(start: date, years: int, expected: date) -> None:
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("since", "on", "years", "months", "expected"),
    [
        (D("2024-06-03"), D("2025-06-02"), 1, 0, False),
        (D("2024-06-03"), D("2025-06-03"), 1, 0, True),
        (D("2024-06-03"), D("2025-06-04"), 1, 0, True),
        (D("2024-02-29"), D("2025-02-27"), 1, 0, False),
        (D("2024-02-29"), D("2025-02-28"), 1, 0, True),
        (D("2025-11-30"), D("2026-02-27"), 0, 3, False),
        (D("2025-11-30"), D("2026-02-28"), 0, 3, True),
        (D("2023-08-31"), D("2025-02-27"), 1, 6, False),
        (D("2023-08-31"), D("2025-02-28"), 1, 6, True),
        (D("2025-06-03"), D("2025-06-02"), 0, 0, False),
        (D("2025-06-03"), D("2025-06-03"), 0, 0, True),
    ],
    ids=[
        "one_year_not_complete_the_day_before_the_anniversary",
        "one_year_complete_on_the_anniversary",
        "one_year_complete_after_the_anniversary",
        "from_feb_29_not_complete_on_feb_27",
        "from_feb_29_complete_on_feb_28",
        "three_months_from_nov_30_not_complete_on_feb_27",
        "three_months_from_nov_30_complete_on_feb_28",
        "a_year_and_a_half_not_complete_the_day_before",
        "a_year_and_a_half_complete_on_the_clamped_day",
        "an_empty_period_is_not_complete_before_it_starts",
        "an_empty_period_is_complete_on_its_start",
    ],
)
def test_completed_holds_from_the_end_of_the_period_on(
    since: date, on: date, years: int, months: int, expected: bool
) -> None:
    assert completed(since, on=on, years=years, months=months) is expected


@pytest.mark.parametrize(
    ("end", "on", "months", "expected"),
    [
        (D("2025-09-02"), D("2025-06-03"), 3, False),
        (D("2025-09-03"), D("2025-06-03"), 3, True),
        (D("2025-12-02"), D("2025-06-03"), 6, False),
        (D("2025-12-03"), D("2025-06-03"), 6, True),
        (D("2026-02-27"), D("2025-08-31"), 6, False),
        (D("2026-02-28"), D("2025-08-31"), 6, True),
        (D("2027-01-09"), D("2025-06-03"), 3, True),
        (D("2025-06-03"), D("2025-06-03"), 0, True),
        (D("2025-06-02"), D("2025-06-03"), 0, False),
    ],
    ids=[
        "three_months_less_a_day_left_is_not_enough",
        "exactly_three_months_left_is_enough",
        "six_months_less_a_day_left_is_not_enough",
        "exactly_six_months_left_is_enough",
        "six_months_from_aug_31_end_feb_27_is_not_enough",
        "six_months_from_aug_31_end_feb_28_is_enough",
        "a_contract_ending_in_2027_has_three_months_left",
        "zero_months_left_on_the_end_day",
        "zero_months_left_after_the_end_day_is_not_enough",
    ],
)
def test_at_least_left_needs_the_end_on_or_after_the_date_plus_the_months(
    end: date, on: date, months: int, expected: bool
) -> None:
    assert at_least_left(end, on=on, months=months) is expected


@pytest.mark.parametrize(
    ("start", "on", "days", "expected"),
    [
        (D("2026-01-01"), D("2026-03-02"), 60, True),
        (D("2026-01-01"), D("2026-03-03"), 60, False),
        (D("2025-01-01"), D("2025-03-02"), 60, True),
        (D("2025-01-01"), D("2025-03-03"), 60, False),
        (D("2024-01-01"), D("2024-03-01"), 60, True),
        (D("2024-01-01"), D("2024-03-02"), 60, False),
        (D("2026-01-01"), D("2026-01-01"), 60, True),
        (D("2026-01-01"), D("2026-01-01"), 0, True),
        (D("2026-01-01"), D("2026-01-02"), 0, False),
    ],
    ids=[
        "release_on_day_60_after_leaving_is_in_time",
        "release_on_day_61_after_leaving_is_late",
        "day_60_in_another_common_year_is_in_time",
        "day_61_in_another_common_year_is_late",
        "day_60_in_a_leap_year_is_mar_1",
        "day_61_in_a_leap_year_is_late",
        "the_start_day_itself_is_in_time",
        "a_zero_day_period_ends_on_its_start",
        "a_zero_day_period_is_over_the_next_day",
    ],
)
def test_within_days_does_not_count_the_start_day(start: date, on: date, days: int, expected: bool) -> None:
    assert within_days(start, on=on, days=days) is expected


@pytest.mark.parametrize(
    "call",
    [
        lambda: completed(D("2025-01-01"), on=D("2025-06-01"), years=-1),
        lambda: completed(D("2025-01-01"), on=D("2025-06-01"), months=-1),
        lambda: at_least_left(D("2025-01-01"), on=D("2025-06-01"), months=-3),
        lambda: within_days(D("2025-01-01"), on=D("2025-06-01"), days=-60),
    ],
    ids=["negative_years", "negative_months", "negative_months_left", "negative_days"],
)
def test_a_negative_period_is_refused(call: Callable[[], bool]) -> None:
    with pytest.raises(ValueError, match="negative"):
        call()
