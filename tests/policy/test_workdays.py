"""The working-day calendar and the pausable clock of POLICY §3."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wrp.policy.workdays import (
    Calendar,
    CalendarYearNotLoaded,
    Clock,
    DueDate,
    YearNotice,
    builtin_notices_file,
    clock_pause,
    clock_resume,
    clock_start,
    default_calendar,
    load_notices,
    working_days_left,
)

D = date.fromisoformat
BUILTIN = Calendar.builtin()

NOTICE_2027 = """
[years.2027]
source = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"
published = 2026-11-12
holidays = [2027-01-01, 2027-01-02, 2027-01-03, 2027-02-06, 2027-02-07, 2027-02-08, 2027-02-09, 2027-02-10,
            2027-02-11, 2027-02-12, 2027-02-13]
workdays = [2027-02-14, 2027-02-20]
"""


def with_2027() -> Calendar:
    return BUILTIN.extended(load_notices(NOTICE_2027))


# --- the builtin data ------------------------------------------------------------------------------------------------


def test_builtin_calendar_holds_every_year_from_2004_to_2026() -> None:
    assert BUILTIN.years() == frozenset(range(2004, 2027))
    assert BUILTIN.is_loaded(2026)
    assert not BUILTIN.is_loaded(2027)
    assert not BUILTIN.is_loaded(2003)


def test_builtin_calendar_is_built_once() -> None:
    assert Calendar.builtin() is Calendar.builtin()


def test_builtin_calendar_agrees_with_chinese_calendar_on_every_day_from_2004_to_2026() -> None:
    day, last = D("2004-01-01"), D("2026-12-31")
    disagreements = []
    while day <= last:
        if BUILTIN.is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += timedelta(days=1)
    assert disagreements == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D("2025-09-28"), True),
        (D("2025-10-11"), True),
        (D("2025-10-12"), False),
        (D("2025-10-01"), False),
        (D("2025-10-08"), False),
        (D("2025-10-09"), True),
        (D("2025-01-26"), True),
        (D("2025-02-08"), True),
        (D("2025-01-28"), False),
        (D("2026-01-04"), True),
        (D("2026-02-14"), True),
        (D("2026-02-28"), True),
        (D("2026-06-19"), False),
        (D("2025-06-07"), False),
        (D("2025-06-09"), True),
    ],
    ids=[
        "sunday_2025_09_28_is_an_adjustment_working_day",
        "saturday_2025_10_11_is_an_adjustment_working_day",
        "the_sunday_after_it_is_a_rest_day",
        "national_day_is_a_holiday",
        "the_last_day_of_the_golden_week_is_a_holiday",
        "the_thursday_after_the_golden_week_is_a_working_day",
        "sunday_before_spring_festival_2025_is_a_working_day",
        "saturday_after_spring_festival_2025_is_a_working_day",
        "spring_festival_eve_2025_is_a_holiday",
        "sunday_2026_01_04_is_a_working_day",
        "saturday_before_spring_festival_2026_is_a_working_day",
        "saturday_after_spring_festival_2026_is_a_working_day",
        "dragon_boat_friday_2026_is_a_holiday",
        "an_ordinary_saturday_is_a_rest_day",
        "an_ordinary_monday_is_a_working_day",
    ],
)
def test_is_workday_follows_the_state_council_notice(day: date, expected: bool) -> None:
    assert BUILTIN.is_workday(day) is expected


# --- deadlines -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D("2025-09-29"), 7, D("2025-10-15")),
        (D("2025-09-26"), 1, D("2025-09-28")),
        (D("2025-10-10"), 1, D("2025-10-11")),
        (D("2025-09-30"), 1, D("2025-10-09")),
        (D("2025-01-24"), 1, D("2025-01-26")),
        (D("2025-01-27"), 1, D("2025-02-05")),
        (D("2025-01-27"), 4, D("2025-02-08")),
        (D("2025-04-03"), 1, D("2025-04-07")),
        (D("2025-04-25"), 1, D("2025-04-27")),
        (D("2025-04-30"), 1, D("2025-05-06")),
        (D("2025-05-30"), 1, D("2025-06-03")),
        (D("2025-06-03"), 20, D("2025-07-01")),
        (D("2025-12-31"), 1, D("2026-01-04")),
        (D("2024-12-31"), 1, D("2025-01-02")),
        (D("2026-02-13"), 1, D("2026-02-14")),
        (D("2026-02-13"), 2, D("2026-02-24")),
        (D("2026-02-27"), 1, D("2026-02-28")),
        (D("2026-04-03"), 1, D("2026-04-07")),
        (D("2026-04-30"), 1, D("2026-05-06")),
        (D("2026-05-08"), 1, D("2026-05-09")),
        (D("2026-06-18"), 1, D("2026-06-22")),
        (D("2026-09-18"), 1, D("2026-09-20")),
        (D("2026-09-24"), 1, D("2026-09-28")),
        (D("2026-09-30"), 1, D("2026-10-08")),
        (D("2026-09-30"), 3, D("2026-10-10")),
        (D("2026-11-26"), 20, D("2026-12-24")),
    ],
    ids=[
        "deadline_skips_national_day_and_counts_the_adjustment_saturday",
        "adjustment_sunday_before_national_day_2025_counts",
        "adjustment_saturday_after_national_day_2025_counts",
        "the_day_after_the_golden_week_2025_is_the_first_day",
        "adjustment_sunday_before_spring_festival_2025_counts",
        "spring_festival_2025_is_skipped",
        "adjustment_saturday_after_spring_festival_2025_counts",
        "qingming_2025_is_skipped",
        "adjustment_sunday_before_labour_day_2025_counts",
        "labour_day_2025_is_skipped",
        "dragon_boat_2025_is_skipped",
        "twenty_days_from_june_3_2025_end_on_july_1",
        "new_year_2026_is_skipped_and_its_adjustment_sunday_counts",
        "new_year_2025_is_skipped",
        "adjustment_saturday_before_spring_festival_2026_counts",
        "spring_festival_2026_is_skipped",
        "adjustment_saturday_after_spring_festival_2026_counts",
        "qingming_2026_is_skipped",
        "labour_day_2026_is_skipped",
        "adjustment_saturday_after_labour_day_2026_counts",
        "dragon_boat_2026_is_skipped",
        "adjustment_sunday_before_mid_autumn_2026_counts",
        "mid_autumn_2026_is_skipped",
        "national_day_2026_is_skipped",
        "adjustment_saturday_after_national_day_2026_counts",
        "twenty_days_from_november_26_2026_end_on_december_24",
    ],
)
def test_deadline_is_the_nth_working_day_after_acceptance(start: date, n: int, expected: date) -> None:
    assert BUILTIN.add_workdays(start, n) == expected
    assert BUILTIN.deadline(start, n) == DueDate(expected, provisional=False)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D("2025-10-01"), D("2025-10-09")),
        (D("2025-10-11"), D("2025-10-13")),
        (D("2025-09-28"), D("2025-09-29")),
        (D("2025-06-07"), D("2025-06-09")),
        (D("2025-06-09"), D("2025-06-10")),
    ],
    ids=[
        "start_on_a_holiday",
        "start_on_an_adjustment_saturday",
        "start_on_an_adjustment_sunday",
        "start_on_an_ordinary_saturday",
        "start_on_an_ordinary_monday",
    ],
)
def test_the_start_day_never_counts_whatever_kind_of_day_it_is(start: date, expected: date) -> None:
    assert BUILTIN.add_workdays(start, 1) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D("2025-10-09"), -1, D("2025-09-30")),
        (D("2025-10-13"), -1, D("2025-10-11")),
        (D("2025-10-13"), -3, D("2025-10-09")),
        (D("2026-01-05"), -2, D("2025-12-31")),
        (D("2025-10-01"), 0, D("2025-10-01")),
        (D("2025-10-09"), 0, D("2025-10-09")),
    ],
    ids=[
        "one_working_day_before_the_end_of_the_golden_week",
        "one_working_day_before_is_the_adjustment_saturday",
        "three_working_days_back_across_the_adjustment_saturday",
        "two_working_days_back_across_new_year",
        "zero_days_from_a_holiday_is_the_holiday",
        "zero_days_from_a_working_day_is_that_day",
    ],
)
def test_add_workdays_goes_backwards_for_negative_n_and_stays_for_zero(start: date, n: int, expected: date) -> None:
    assert BUILTIN.add_workdays(start, n) == expected


# --- years whose notice is not loaded --------------------------------------------------------------------------------


def test_an_unloaded_year_is_refused_with_a_bilingual_message() -> None:
    with pytest.raises(CalendarYearNotLoaded) as raised:
        BUILTIN.is_workday(D("2027-01-04"))
    assert raised.value.year == 2027
    assert str(raised.value) == "2027年的节假日安排通知尚未载入 (holiday notice for 2027 not loaded)"


@pytest.mark.parametrize(
    "call",
    [
        lambda: BUILTIN.add_workdays(D("2026-12-24"), 20),
        lambda: BUILTIN.add_workdays(D("2026-12-31"), 1),
        lambda: BUILTIN.add_workdays(D("2027-03-01"), -1),
        lambda: BUILTIN.workdays_between(D("2026-12-24"), D("2027-01-21")),
        lambda: BUILTIN.workdays_between(D("2027-01-21"), D("2026-12-24")),
    ],
    ids=[
        "twenty_days_into_2027",
        "one_day_after_new_years_eve_2026",
        "backwards_inside_2027",
        "counting_into_2027",
        "counting_back_from_2027",
    ],
)
def test_a_computation_reaching_into_an_unloaded_year_raises(call: Callable[[], object]) -> None:
    with pytest.raises(CalendarYearNotLoaded, match="2027"):
        call()


def test_a_computation_reaching_back_before_2004_raises() -> None:
    with pytest.raises(CalendarYearNotLoaded) as raised:
        BUILTIN.add_workdays(D("2004-01-02"), -2)
    assert raised.value.year == 2003


def test_an_unloaded_start_year_is_not_needed_when_every_counted_day_is_loaded() -> None:
    assert BUILTIN.deadline(D("2003-12-31"), 1) == DueDate(D("2004-01-02"), provisional=False)
    assert BUILTIN.deadline(D("2026-12-30"), 1) == DueDate(D("2026-12-31"), provisional=False)


@pytest.mark.parametrize(
    ("day", "expected"),
    [(D("2027-01-01"), True), (D("2027-01-02"), False), (D("2027-01-04"), True)],
    ids=["new_year_friday_assumed_working", "saturday_assumed_rest", "monday_assumed_working"],
)
def test_provisional_is_workday_assumes_weekends_only(day: date, expected: bool) -> None:
    assert BUILTIN.is_workday(day, provisional=True) is expected


def test_provisional_add_workdays_counts_weekends_only_in_the_unloaded_year() -> None:
    assert BUILTIN.add_workdays(D("2026-12-24"), 20, provisional=True) == D("2027-01-21")


def test_provisional_counting_is_exact_in_the_loaded_year() -> None:
    # 2026-12-25..31: five working days; 2027-01-01..21 weekends only: fifteen.
    assert BUILTIN.workdays_between(D("2026-12-24"), D("2027-01-21"), provisional=True) == 20


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D("2026-12-24"), 20, DueDate(D("2027-01-21"), provisional=True)),
        (D("2026-12-31"), 1, DueDate(D("2027-01-01"), provisional=True)),
        (D("2027-06-01"), 1, DueDate(D("2027-06-02"), provisional=True)),
        (D("2026-11-26"), 20, DueDate(D("2026-12-24"), provisional=False)),
    ],
    ids=[
        "deadline_into_2027_is_provisional",
        "one_day_into_2027_is_provisional",
        "a_deadline_inside_2027_is_provisional",
        "a_deadline_inside_2026_is_exact",
    ],
)
def test_deadline_never_raises_but_marks_an_assumed_year_provisional(start: date, n: int, expected: DueDate) -> None:
    assert BUILTIN.deadline(start, n) == expected


def test_a_2027_notice_loaded_from_toml_makes_the_deadline_exact() -> None:
    calendar = with_2027()
    assert calendar.is_loaded(2027)
    assert calendar.deadline(D("2026-12-31"), 1) == DueDate(D("2027-01-04"), provisional=False)
    assert calendar.deadline(D("2027-02-05"), 1) == DueDate(D("2027-02-14"), provisional=False)
    assert calendar.deadline(D("2026-12-24"), 20) == DueDate(D("2027-01-22"), provisional=False)


def test_extending_a_calendar_leaves_the_original_unchanged() -> None:
    with_2027()
    assert not BUILTIN.is_loaded(2027)


def test_a_notice_replaces_a_builtin_year_entirely() -> None:
    calendar = BUILTIN.extended([YearNotice(year=2025, holidays=frozenset({D("2025-10-01")}), workdays=frozenset())])
    assert not calendar.is_workday(D("2025-10-01"))
    assert calendar.is_workday(D("2025-10-02"))
    assert not calendar.is_workday(D("2025-09-28"))
    assert calendar.is_workday(D("2026-01-04"))
    assert BUILTIN.is_workday(D("2025-10-02")) is False


def test_a_notice_filed_under_another_year_is_refused() -> None:
    notice = YearNotice(year=2027, holidays=frozenset(), workdays=frozenset())
    with pytest.raises(ValueError, match="2028"):
        Calendar({2028: notice})


# --- counting working days -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "until", "expected"),
    [
        (D("2025-09-29"), D("2025-10-15"), 7),
        (D("2025-10-15"), D("2025-09-29"), -7),
        (D("2025-10-15"), D("2025-10-15"), 0),
        (D("2025-10-01"), D("2025-10-15"), 6),
        (D("2025-09-30"), D("2025-10-08"), 0),
        (D("2025-10-08"), D("2025-10-09"), 1),
        (D("2025-10-09"), D("2025-10-08"), -1),
        (D("2025-12-31"), D("2026-01-04"), 1),
        (D("2025-01-01"), D("2025-12-31"), 248),
    ],
    ids=[
        "the_policy_example_counts_seven",
        "reversed_counts_negative",
        "the_same_day_counts_zero",
        "counting_from_a_holiday",
        "the_golden_week_counts_zero",
        "the_end_day_is_counted",
        "reversed_the_later_day_is_counted",
        "across_new_year_only_the_adjustment_sunday_counts",
        "a_whole_year",
    ],
)
def test_workdays_between_counts_after_exclusive_until_inclusive(after: date, until: date, expected: int) -> None:
    assert BUILTIN.workdays_between(after, until) == expected


# --- notices files ---------------------------------------------------------------------------------------------------


def test_a_notice_is_read_with_its_source_and_dates() -> None:
    [notice] = load_notices(NOTICE_2027)
    assert notice.year == 2027
    assert notice.source == "国务院办公厅关于2027年部分节假日安排的通知（测试用）"
    assert notice.published == D("2026-11-12")
    assert D("2027-02-10") in notice.holidays
    assert notice.workdays == frozenset({D("2027-02-14"), D("2027-02-20")})


def test_the_bundled_file_holds_no_year_of_its_own() -> None:
    assert load_notices(builtin_notices_file().read_text(encoding="utf-8")) == []


def test_the_example_in_the_bundled_file_is_a_valid_notice_when_uncommented() -> None:
    text = builtin_notices_file().read_text(encoding="utf-8")
    example = text[text.index("# [years.2027]") :]
    uncommented = "\n".join(line.removeprefix("#").removeprefix(" ") for line in example.splitlines())
    [notice] = load_notices(uncommented)
    assert notice.year == 2027


def test_an_empty_file_holds_no_notice() -> None:
    assert load_notices("# nothing yet\n") == []


def _notice(body: str, header: str = "[years.2027]") -> str:
    return f'{header}\nsource = "国办发明电〔2026〕1号"\n{body}\n'


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (_notice("holidays = [2026-12-31]\nworkdays = []"), ["[years.2027]", "2026-12-31", "outside the year 2027"]),
        (_notice("holidays = [2028-01-01]\nworkdays = []"), ["[years.2027]", "2028-01-01"]),
        (_notice("holidays = []\nworkdays = [2027-01-04]"), ["[years.2027] workdays", "2027-01-04", "weekday"]),
        (
            _notice("holidays = [2027-02-06]\nworkdays = [2027-02-06]"),
            ["[years.2027]", "2027-02-06", "both holidays and workdays"],
        ),
        (_notice("holidays = []\nworkdays = []\nholiday = []"), ["[years.2027]", "unknown key", "holiday"]),
        (_notice("holidays = []"), ["[years.2027]", "missing", "workdays"]),
        (
            _notice("holidays = ['2027-01-01']\nworkdays = []"),
            ["[years.2027] holidays", "'2027-01-01'", "without quotes"],
        ),
        (_notice("holidays = [2027-01-01T00:00:00]\nworkdays = []"), ["[years.2027] holidays", "not a TOML date"]),
        (_notice("holidays = [2027-01-01, 2027-01-01]\nworkdays = []"), ["2027-01-01", "listed twice"]),
        (_notice("holidays = 2027-01-01\nworkdays = []"), ["[years.2027] holidays", "list of dates"]),
        (_notice("published = '2026-11'\nholidays = []\nworkdays = []"), ["[years.2027] published", "'2026-11'"]),
        (_notice("holidays = []\nworkdays = []", header="[years.next]"), ["[years.next]", "four digits"]),
        (_notice("holidays = []\nworkdays = []", header="[year.2027]"), ["unknown top-level key", "year"]),
        ("[years.2027]\nholidays = []\nworkdays = []\n", ["[years.2027]", "missing", "source"]),
        ('[years.2027]\nsource = " "\nholidays = []\nworkdays = []\n', ["[years.2027] source"]),
        ("[years.2027\n", ["not valid TOML"]),
    ],
    ids=[
        "a_date_in_the_previous_year",
        "a_date_in_the_next_year",
        "a_weekday_listed_as_an_adjustment_working_day",
        "a_date_both_off_and_working",
        "an_unknown_key_in_a_year",
        "a_missing_workdays_list",
        "a_quoted_date",
        "a_date_with_a_time",
        "a_date_listed_twice",
        "a_single_date_instead_of_a_list",
        "a_publication_date_that_is_not_a_date",
        "a_year_that_is_not_a_number",
        "an_unknown_top_level_table",
        "a_missing_source",
        "a_blank_source",
        "broken_toml",
    ],
)
def test_load_notices_refuses_bad_content_naming_the_year_and_value(text: str, fragments: list[str]) -> None:
    with pytest.raises(ValueError, match=re.escape(fragments[0])) as raised:
        load_notices(text)
    message = str(raised.value)
    for fragment in fragments[1:]:
        assert fragment in message


def test_default_calendar_reads_the_administrators_extra_file(tmp_path: Path) -> None:
    extra = tmp_path / "calendar.toml"
    extra.write_text(NOTICE_2027, encoding="utf-8")
    calendar = default_calendar(extra)
    assert calendar.is_loaded(2027)
    assert calendar.years() == frozenset(range(2004, 2028))
    assert default_calendar(str(extra)) is calendar


def test_default_calendar_without_an_extra_file_is_the_builtin_years() -> None:
    assert default_calendar().years() == frozenset(range(2004, 2027))
    assert default_calendar() is default_calendar()


def test_default_calendar_rereads_the_extra_file_when_it_changes(tmp_path: Path) -> None:
    extra = tmp_path / "calendar.toml"
    extra.write_text(NOTICE_2027, encoding="utf-8")
    before = default_calendar(extra)
    extra.write_text(NOTICE_2027.replace("workdays = [2027-02-14, 2027-02-20]", "workdays = []"), encoding="utf-8")
    stat = extra.stat()
    os.utime(extra, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = default_calendar(extra)
    assert before.is_workday(D("2027-02-14"))
    assert not after.is_workday(D("2027-02-14"))


def test_default_calendar_names_the_extra_file_when_it_is_bad(tmp_path: Path) -> None:
    extra = tmp_path / "bad.toml"
    extra.write_text(_notice("holidays = [2026-12-31]\nworkdays = []"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.toml"):
        default_calendar(extra)


# --- the pausable clock ----------------------------------------------------------------------------------------------


def test_a_clock_starts_with_the_deadline_of_its_time_limit() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2025-09-29"), time_limit=7)
    assert clock == Clock(time_limit=7, accepted_on=D("2025-09-29"), due=D("2025-10-15"))
    assert not clock.paused


def test_a_clock_needing_an_unloaded_year_is_provisional() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2026-12-24"), time_limit=20)
    assert clock.due == D("2027-01-21")
    assert clock.provisional


def test_correction_across_national_day_resumes_with_the_days_that_were_left() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2025-09-22"), time_limit=20)
    assert clock.due == D("2025-10-24")
    paused = clock_pause(BUILTIN, clock, on=D("2025-09-26"))
    assert paused.paused_on == D("2025-09-26")
    assert paused.days_left_at_pause == 16
    assert working_days_left(BUILTIN, paused, today=D("2025-10-08")) == 16
    resumed = clock_resume(BUILTIN, paused, on=D("2025-10-09"))
    assert resumed.due == D("2025-10-30")
    assert resumed.paused_on is None
    assert resumed.days_left_at_pause is None
    assert working_days_left(BUILTIN, resumed, today=D("2025-10-09")) == 16
    assert not resumed.provisional


def test_a_clock_paused_when_overdue_resumes_overdue_by_the_same_days() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2025-06-03"), time_limit=20)
    paused = clock_pause(BUILTIN, clock, on=D("2025-07-03"))
    assert paused.days_left_at_pause == -2
    resumed = clock_resume(BUILTIN, paused, on=D("2025-07-10"))
    assert resumed.due == D("2025-07-08")
    assert working_days_left(BUILTIN, resumed, today=D("2025-07-10")) == -2


@pytest.mark.parametrize(
    "resubmitted_on",
    [D("2025-07-10"), D("2025-07-12"), D("2025-07-13"), D("2025-10-01"), D("2025-10-11")],
    ids=["a_thursday", "a_saturday", "a_sunday", "national_day", "an_adjustment_saturday"],
)
def test_an_overdue_clock_resumed_on_any_day_is_overdue_by_the_same_days_that_day(resubmitted_on: date) -> None:
    paused = clock_pause(BUILTIN, clock_start(BUILTIN, accepted_on=D("2025-06-03"), time_limit=20), on=D("2025-07-03"))
    resumed = clock_resume(BUILTIN, paused, on=resubmitted_on)
    assert working_days_left(BUILTIN, resumed, today=resubmitted_on) == -2
    assert BUILTIN.is_workday(resumed.due)


@pytest.mark.parametrize(
    ("paused_on", "resubmitted_on"),
    [
        (D("2025-09-26"), D("2025-10-04")),
        (D("2025-09-26"), D("2025-10-11")),
        (D("2025-10-15"), D("2025-10-18")),
        (D("2025-10-24"), D("2025-10-25")),
        (D("2025-10-28"), D("2025-11-01")),
    ],
    ids=[
        "running_resumed_in_the_golden_week",
        "running_resumed_on_an_adjustment_saturday",
        "running_resumed_on_a_saturday",
        "due_that_day_resumed_on_a_saturday",
        "overdue_resumed_on_a_saturday",
    ],
)
def test_on_the_day_of_resubmission_the_clock_shows_the_days_left_at_the_pause(
    paused_on: date, resubmitted_on: date
) -> None:
    paused = clock_pause(BUILTIN, clock_start(BUILTIN, accepted_on=D("2025-09-22"), time_limit=20), on=paused_on)
    resumed = clock_resume(BUILTIN, paused, on=resubmitted_on)
    assert working_days_left(BUILTIN, resumed, today=resubmitted_on) == paused.days_left_at_pause


def test_a_clock_paused_on_its_due_day_is_due_on_the_day_of_resubmission() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2025-09-29"), time_limit=7)
    paused = clock_pause(BUILTIN, clock, on=D("2025-10-15"))
    assert paused.days_left_at_pause == 0
    assert clock_resume(BUILTIN, paused, on=D("2025-10-20")).due == D("2025-10-20")


@pytest.mark.parametrize(
    ("today", "expected"),
    [(D("2025-09-29"), 7), (D("2025-10-08"), 6), (D("2025-10-15"), 0), (D("2025-10-16"), -1), (D("2025-10-20"), -3)],
    ids=["on_acceptance", "during_the_golden_week", "on_the_due_day", "a_day_late", "three_working_days_late"],
)
def test_working_days_left_runs_down_and_turns_negative_when_overdue(today: date, expected: int) -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2025-09-29"), time_limit=7)
    assert working_days_left(BUILTIN, clock, today=today) == expected


def test_a_provisional_clock_stays_provisional_after_the_year_is_loaded() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2026-12-24"), time_limit=20)
    paused = clock_pause(BUILTIN, clock, on=D("2026-12-28"))
    resumed = clock_resume(with_2027(), paused, on=D("2027-01-05"))
    assert resumed.provisional


def test_pausing_into_an_unloaded_year_marks_the_clock_provisional() -> None:
    clock = clock_start(with_2027(), accepted_on=D("2026-12-24"), time_limit=20)
    assert not clock.provisional
    assert clock_pause(BUILTIN, clock, on=D("2026-12-28")).provisional


def test_working_days_left_on_an_exact_clock_refuses_to_guess_an_unloaded_year() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2026-11-26"), time_limit=20)
    with pytest.raises(CalendarYearNotLoaded):
        working_days_left(BUILTIN, clock, today=D("2027-01-05"))


def test_working_days_left_on_a_provisional_clock_assumes_weekends_only() -> None:
    clock = clock_start(BUILTIN, accepted_on=D("2026-12-24"), time_limit=20)
    assert working_days_left(BUILTIN, clock, today=D("2027-01-14")) == 5


def _running() -> Clock:
    return clock_start(BUILTIN, accepted_on=D("2025-09-22"), time_limit=20)


def _paused() -> Clock:
    return clock_pause(BUILTIN, _running(), on=D("2025-09-26"))


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda: clock_pause(BUILTIN, _paused(), on=D("2025-09-29")), "already paused"),
        (lambda: clock_resume(BUILTIN, _running(), on=D("2025-09-29")), "not paused"),
        (lambda: clock_pause(BUILTIN, _running(), on=D("2025-09-21")), "before acceptance"),
        (lambda: clock_resume(BUILTIN, _paused(), on=D("2025-09-25")), "before the pause"),
        (lambda: clock_start(BUILTIN, accepted_on=D("2025-09-22"), time_limit=0), "at least one working day"),
    ],
    ids=[
        "pausing_a_paused_clock",
        "resuming_a_running_clock",
        "pausing_before_acceptance",
        "resuming_before_the_pause",
        "a_time_limit_of_zero_days",
    ],
)
def test_an_impossible_clock_change_is_refused(call: Callable[[], Clock], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        call()


# --- properties ------------------------------------------------------------------------------------------------------

exact_days = st.dates(min_value=D("2004-03-01"), max_value=D("2026-10-31"))
any_days = st.dates(min_value=D("2004-03-01"), max_value=D("2030-12-31"))
limits = st.integers(min_value=1, max_value=40)


def _walk_day_by_day(calendar: Calendar, start: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    day, left = start, abs(n)
    while left:
        day += step
        if calendar.is_workday(day, provisional=True):
            left -= 1
    return day


@settings(max_examples=200, deadline=None)
@given(start=exact_days, n=limits)
def test_a_deadline_is_always_a_working_day(start: date, n: int) -> None:
    assert BUILTIN.is_workday(BUILTIN.add_workdays(start, n))
    assert BUILTIN.is_workday(BUILTIN.add_workdays(start, -n))


@settings(max_examples=200, deadline=None)
@given(start=exact_days, n=limits)
def test_a_larger_time_limit_never_gives_an_earlier_deadline(start: date, n: int) -> None:
    assert BUILTIN.add_workdays(start, n) < BUILTIN.add_workdays(start, n + 1)
    assert BUILTIN.add_workdays(start, -n - 1) < BUILTIN.add_workdays(start, -n)


@settings(max_examples=200, deadline=None)
@given(start=exact_days, n=st.integers(min_value=0, max_value=40))
def test_counting_the_working_days_to_a_deadline_gives_back_its_time_limit(start: date, n: int) -> None:
    assert BUILTIN.workdays_between(start, BUILTIN.add_workdays(start, n)) == n


@settings(max_examples=200, deadline=None)
@given(start=exact_days, n=limits)
def test_counting_back_counts_the_start_day_but_not_the_day_reached(start: date, n: int) -> None:
    # The n-th working day before `start` is reached by counting [result, start); workdays_between counts
    # (result, start], so the two agree exactly when `start` is itself a working day.
    counted = BUILTIN.workdays_between(start, BUILTIN.add_workdays(start, -n))
    assert counted == -n + (0 if BUILTIN.is_workday(start) else 1)


@settings(max_examples=200, deadline=None)
@given(after=any_days, until=any_days)
def test_workdays_between_changes_sign_when_the_dates_are_swapped(after: date, until: date) -> None:
    calendar = with_2027()
    forward = calendar.workdays_between(after, until, provisional=True)
    assert calendar.workdays_between(until, after, provisional=True) == -forward
    if forward > 0:
        assert until > after


@settings(max_examples=200, deadline=None)
@given(start=any_days, n=st.integers(min_value=-40, max_value=40).filter(bool))
def test_add_workdays_agrees_with_walking_day_by_day(start: date, n: int) -> None:
    calendar = with_2027()
    assert calendar.add_workdays(start, n, provisional=True) == _walk_day_by_day(calendar, start, n)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=D("2004-01-01"), max_value=D("2026-12-31")), n=limits)
def test_a_deadline_is_provisional_exactly_when_it_reaches_past_2026(start: date, n: int) -> None:
    due = BUILTIN.deadline(start, n)
    assert due.provisional is (due.date.year > 2026)
