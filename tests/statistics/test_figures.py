"""The figures of the hand-built cases (tests/statistics/conftest.py), computed by the SQL aggregates on the frozen
day, Thursday 2026-11-26."""

from __future__ import annotations

from datetime import date

import pytest

from wrp.policy.workdays import Calendar
from wrp.statistics.calendar_table import calendar_rows, calendar_table_refresh
from wrp.statistics.durations import percentile
from wrp.statistics.live import last_working_day, live_figures
from wrp.statistics.models import WorkingDay

pytestmark = pytest.mark.django_db


def test_the_working_day_table_counts_across_the_national_day_holiday(today):
    calendar_table_refresh(today=today)
    ordinal = dict(
        WorkingDay.objects.filter(day__range=(date(2026, 9, 29), date(2026, 10, 13))).values_list("day", "ordinal")
    )
    assert ordinal[date(2026, 10, 9)] - ordinal[date(2026, 9, 29)] == 3  # 30 Sep, 8 Oct, 9 Oct
    assert ordinal[date(2026, 10, 13)] - ordinal[date(2026, 10, 9)] == 3  # Sat 10 Oct is a working day (调休)
    assert not WorkingDay.objects.get(day=date(2026, 10, 5)).workday
    assert calendar_table_refresh(today=today) == 0  # nothing changed: nothing written


def test_a_year_without_a_notice_is_filled_with_weekdays_and_marked_provisional():
    rows = calendar_rows(Calendar({}), first=date(2031, 1, 1), last=date(2031, 1, 7))
    assert [row.workday for row in rows] == [True, True, True, False, False, True, True]  # 1 Jan 2031 is a Wednesday
    assert all(row.provisional for row in rows)
    assert rows[-1].ordinal == 5


@pytest.mark.parametrize(
    ("distribution", "q", "expected"),
    [
        ({3: 1, 1: 1, 5: 1}, 0.5, 3),
        ({1: 1, 3: 1, 5: 1}, 0.9, 4.6),
        ({3: 2, 4: 1, 11: 1}, 0.5, 3.5),
        ({7: 1}, 0.9, 7),
        ({2: 10}, 0.5, 2),
        ({}, 0.5, None),
    ],
    ids=["odd-median", "p90-interpolated", "even-median", "one-value", "all-equal", "empty"],
)
def test_percentiles_are_read_off_the_distribution_as_percentile_cont_does(distribution, q, expected):
    found = percentile(distribution, q)
    assert found == pytest.approx(expected) if expected is not None else found is None


def test_stage_durations_in_working_days(snapshot):
    stages = snapshot.figures["stages"]
    # A 3, B 1, C 5, and the open G 1 and H 1 (D, deemed accepted, is counted apart)
    assert stages["acceptance"]["all"] == {"n": 5, "median": 1.0, "p90": 4.2}
    assert stages["acceptance"]["kinds"]["initial"] == {"n": 2, "median": 2.0, "p90": 2.8}  # A 3, H 1
    assert stages["review"]["all"] == {"n": 4, "median": 3.5, "p90": 8.9}  # A 3, B 3, C 4, D 11
    assert stages["approval"]["all"] == {"n": 2, "median": 3.5, "p90": 4.7}  # A 5, B 2
    assert stages["total"]["kinds"]["initial"]["median"] == 11.0  # 29 Sep → 20 Oct across the holiday
    assert stages["total"]["all"]["n"] == 4  # K (不予受理) is not a processing time


def test_shares_within_the_time_limits(snapshot):
    stages = snapshot.figures["stages"]
    assert stages["acceptance"]["within_limit"] == {"n": 6, "within": 5, "deemed": 1}  # D deemed: not in time
    total = stages["total"]["within_limit"]
    assert (total["n"], total["within"]) == (4, 3)  # C decided 20 Nov, due 18 Nov
    assert total["kinds"]["info_change"] == {"n": 1, "within": 0}
    assert (total["recent_n"], total["recent_within"]) == (4, 3)


def test_received_and_decided_per_kind_and_month(snapshot):
    by_month = snapshot.figures["monthly"]["by_month"]
    assert by_month["2026-09"] == {"initial": {"received": 1, "approved": 0, "rejected": 0}}
    assert by_month["2026-10"]["initial"] == {"received": 1, "approved": 1, "rejected": 0}  # H received, A approved
    november = by_month["2026-11"]
    assert sum(row["received"] for row in november.values()) == 7  # B C D E F J K (L is a draft)
    assert november["unit_opening"] == {"received": 1, "approved": 0, "rejected": 1}
    assert snapshot.figures["monthly"]["months"][-1] == "2026-11"


def test_outcomes_refusal_rules_ratings_and_quotas(snapshot):
    figures = snapshot.figures
    assert figures["outcomes"] == {"approved": 2, "rejected": 2, "not_accepted": 1, "withdrawn": 1}
    assert figures["refusals"] == {"rules": [["A-HOUSING", 2], ["A-CONTRACT", 1]], "rejected": 2}
    levels = dict(figures["ratings"]["levels"])
    assert (levels["very_satisfied"], levels["dissatisfied"], figures["ratings"]["total"]) == (1, 1, 2)
    assert figures["quotas"]["years"][-1] == {"year": 2026, "declared": 8, "granted": 5, "reserved": 1, "used": 2}
    assert figures["quotas"]["units"][0]["granted"] == 5


def test_live_figures_overdue_now_and_the_oldest_case_awaiting_acceptance(hand_built, today):
    live = live_figures(today, cached=False)
    assert live["overdue"] == {"renewal": 1}  # G; H is due today, I's clock is stopped
    assert live["oldest_waiting"] == "2026-11-20"  # E; G and H are accepted


def test_overdue_begins_on_the_first_working_day_after_the_due_date():
    assert last_working_day(date(2026, 10, 4)) == date(2026, 9, 30)  # in the holiday: the last day worked
    assert last_working_day(date(2026, 11, 26)) == date(2026, 11, 26)


def test_the_daily_job_is_idempotent_for_its_day(hand_built, today):
    from wrp.statistics.models import FigureSnapshot
    from wrp.tasks.registry import JOBS

    first = JOBS["statistics.figures"].func(today=today)
    again = JOBS["statistics.figures"].func(today=today)
    assert first["decided"] == again["decided"] == 4  # approved or rejected (K, 不予受理, apart)
    assert FigureSnapshot.objects.filter(day=today).count() == 1
