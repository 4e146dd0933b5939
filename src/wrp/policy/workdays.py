"""The working-day calendar (工作日) and the pausable time-limit clock (POLICY §3).

A working day is Monday to Friday, minus the statutory holidays, plus the weekend days declared working days
(调休上班), as the State Council announces each year in its notice on holiday arrangements
(国务院办公厅关于…年部分节假日安排的通知).
The notices for 2004–2026 ship with the `chinese_calendar` package; an administrator adds a newly published year to a
TOML file (see `builtin_notices_file()` for the format). A time limit of N working days accepted on date A ends on the
N-th working day after A; A itself never counts. A computation that needs a year whose notice is not loaded never
guesses silently: it raises `CalendarYearNotLoaded`, or, when asked to, assumes weekends only for that year and marks
its result provisional. While a case is returned for correction (补正) its clock stops; on resubmission it resumes with
the working days that were left.
"""

from __future__ import annotations

import os
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "Calendar",
    "CalendarYearNotLoaded",
    "Clock",
    "DueDate",
    "YearNotice",
    "builtin_notices_file",
    "clock_pause",
    "clock_resume",
    "clock_start",
    "default_calendar",
    "load_notices",
    "notice_from_table",
    "working_days_left",
]

_ONE_DAY = timedelta(days=1)


class CalendarYearNotLoaded(Exception):
    """A computation needs a year whose holiday notice is not loaded."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年的节假日安排通知尚未载入 (holiday notice for {year} not loaded)")


@dataclass(frozen=True)
class YearNotice:
    """One year's official notice: the days off it declares and the weekend days it makes working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""
    published: date | None = None


@dataclass(frozen=True)
class DueDate:
    """A deadline; `provisional` when a year it needed was not loaded and weekends only were assumed for it."""

    date: date
    provisional: bool


@lru_cache(maxsize=256)
def _notice_workdays(notice: YearNotice) -> tuple[int, ...]:
    """The working days of a notice's year, as sorted ordinals."""
    first = date(notice.year, 1, 1).toordinal()
    last = date(notice.year, 12, 31).toordinal()
    days: list[int] = []
    for ordinal in range(first, last + 1):
        d = date.fromordinal(ordinal)
        if d in notice.workdays or (d.weekday() < 5 and d not in notice.holidays):
            days.append(ordinal)
    return tuple(days)


@lru_cache(maxsize=64)
def _weekdays_only(year: int) -> tuple[int, ...]:
    """Monday to Friday of a year whose notice is not loaded, as sorted ordinals (the provisional assumption)."""
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    return tuple(o for o in range(first, last + 1) if date.fromordinal(o).weekday() < 5)


class Calendar:
    """Working days for the years whose notices it holds."""

    def __init__(self, notices: Mapping[int, YearNotice]) -> None:
        for year, notice in notices.items():
            if notice.year != year:
                raise ValueError(f"notice for {notice.year} filed under year {year}")
        self._notices: dict[int, YearNotice] = dict(sorted(notices.items()))
        self._days: dict[int, tuple[int, ...]] = {y: _notice_workdays(n) for y, n in self._notices.items()}
        self._day_sets: dict[int, frozenset[int]] = {y: frozenset(days) for y, days in self._days.items()}
        self._deadlines: dict[tuple[date, int], DueDate] = {}  # asked for again and again (every assessment)

    def __repr__(self) -> str:
        years = sorted(self._notices)
        shown = f"{years[0]}–{years[-1]}, {len(years)} years" if years else "no years"
        return f"<Calendar {shown}>"

    @classmethod
    def builtin(cls) -> Calendar:
        """The notices carried by the chinese_calendar package (2004–2026)."""
        return _builtin_calendar()

    def extended(self, notices: Iterable[YearNotice]) -> Calendar:
        """A new calendar with these notices added; a notice replaces its year entirely."""
        merged = dict(self._notices)
        for notice in notices:
            merged[notice.year] = notice
        return Calendar(merged)

    def years(self) -> frozenset[int]:
        """The years whose notice is loaded."""
        return frozenset(self._notices)

    def is_loaded(self, year: int) -> bool:
        """Whether the notice for `year` is loaded."""
        return year in self._notices

    def notice(self, year: int) -> YearNotice:
        """The loaded notice for `year`; CalendarYearNotLoaded if there is none."""
        try:
            return self._notices[year]
        except KeyError:
            raise CalendarYearNotLoaded(year) from None

    def is_workday(self, d: date, *, provisional: bool = False) -> bool:
        """Whether d is a working day (工作日); weekends only for an unloaded year when provisional."""
        day_set = self._day_sets.get(d.year)
        if day_set is not None:
            return d.toordinal() in day_set
        if provisional:
            return d.weekday() < 5
        raise CalendarYearNotLoaded(d.year)

    def add_workdays(self, start: date, n: int, *, provisional: bool = False) -> date:
        """The n-th working day after start (before it when n < 0; start itself never counts; n == 0 is start)."""
        result, _ = self._walk(start, n, provisional=provisional)
        return result

    def deadline(self, start: date, n: int) -> DueDate:
        """“N个工作日”: the N-th working day after start, provisional when an unloaded year had to be assumed."""
        due = self._deadlines.get((start, n))
        if due is None:
            result, guessed = self._walk(start, n, provisional=True)
            due = DueDate(result, guessed)
            if len(self._deadlines) < 20_000:
                self._deadlines[(start, n)] = due
        return due

    def workdays_between(self, after: date, until: date, *, provisional: bool = False) -> int:
        """Working days in (after, until]; negative count of those in (until, after] when until is earlier."""
        count, _ = self._count(after, until, provisional=provisional)
        return count

    def _year_days(self, year: int, *, provisional: bool) -> tuple[tuple[int, ...], bool]:
        """The working days of a year and whether they are the weekends-only assumption."""
        days = self._days.get(year)
        if days is not None:
            return days, False
        if not provisional:
            raise CalendarYearNotLoaded(year)
        return _weekdays_only(year), True

    def _walk(self, start: date, n: int, *, provisional: bool) -> tuple[date, bool]:
        """The n-th working day after (n > 0) or before (n < 0) start, and whether an unloaded year was assumed."""
        if n == 0:
            return start, False
        if n > 0:
            return self._walk_forward(start, n, provisional=provisional)
        return self._walk_backward(start, -n, provisional=provisional)

    def _walk_forward(self, start: date, n: int, *, provisional: bool) -> tuple[date, bool]:
        origin = start.toordinal()
        year = (start + _ONE_DAY).year
        guessed = False
        while True:
            days, assumed = self._year_days(year, provisional=provisional)
            guessed = guessed or assumed
            index = bisect_right(days, origin) + n - 1
            if index < len(days):
                return date.fromordinal(days[index]), guessed
            n = index - len(days) + 1
            year += 1

    def _walk_backward(self, start: date, n: int, *, provisional: bool) -> tuple[date, bool]:
        origin = start.toordinal()
        year = (start - _ONE_DAY).year
        guessed = False
        while True:
            days, assumed = self._year_days(year, provisional=provisional)
            guessed = guessed or assumed
            index = bisect_left(days, origin) - n
            if index >= 0:
                return date.fromordinal(days[index]), guessed
            n = -index
            year -= 1

    def _count(self, after: date, until: date, *, provisional: bool) -> tuple[int, bool]:
        """Working days in (after, until] (negated when until < after) and whether an unloaded year was assumed."""
        if until == after:
            return 0, False
        sign = 1
        if until < after:
            after, until, sign = until, after, -1
        low, high = after.toordinal(), until.toordinal()
        count, guessed = 0, False
        for year in range((after + _ONE_DAY).year, until.year + 1):
            days, assumed = self._year_days(year, provisional=provisional)
            guessed = guessed or assumed
            count += bisect_right(days, high) - bisect_right(days, low)
        return sign * count, guessed


# --- notices files -------------------------------------------------------------------------------------------------

_YEAR_KEYS = frozenset({"source", "published", "holidays", "workdays"})
_REQUIRED_YEAR_KEYS = ("source", "holidays", "workdays")


def builtin_notices_file() -> Path:
    """The notices file shipped with the package, which an administrator extends when a new notice is published."""
    return Path(__file__).parent / "data" / "calendar.toml"


def load_notices(text: str) -> list[YearNotice]:
    """Parse a TOML notices file (format: see the bundled calendar.toml); ValueError naming the bad year and value."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"节假日安排文件不是有效的TOML (notices file is not valid TOML): {error}") from error
    unknown = sorted(set(document) - {"years"})
    if unknown:
        names = ", ".join(unknown)
        raise ValueError(f"未知的项 (unknown top-level key): {names}; only [years.YYYY] tables are allowed")
    years = document.get("years", {})
    if not isinstance(years, dict):
        raise ValueError("years 应为表 (years must be a table of [years.YYYY] sections)")
    return [_parse_year(key, table) for key, table in years.items()]


def notice_from_table(year: int, table: Mapping[str, Any]) -> YearNotice:
    """One year's notice from plain values (source, published, holidays, workdays as date lists), checked exactly as
    a [years.YYYY] table of a notices file is — for notices an administrator enters in the admin site."""
    return _parse_year(f"{year:04d}", dict(table))


def _parse_year(key: str, table: Any) -> YearNotice:
    """One [years.YYYY] table, checked against the rules of a State Council notice."""
    where = f"[years.{key}]"
    if not (len(key) == 4 and key.isascii() and key.isdigit()):
        raise ValueError(f"{where}: 年份应为四位数字 (the year must be four digits, e.g. [years.2027])")
    year = int(key)
    if not isinstance(table, dict):
        raise ValueError(f"{where}: 应为表 (must be a table)")
    unknown = sorted(set(table) - _YEAR_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_YEAR_KEYS))
        raise ValueError(f"{where}: 未知的项 (unknown key) {', '.join(unknown)}; allowed: {allowed}")
    missing = [k for k in _REQUIRED_YEAR_KEYS if k not in table]
    if missing:
        raise ValueError(f"{where}: 缺少 (missing) {', '.join(missing)}")
    source = table["source"]
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{where} source: 应写明通知的名称和文号 (must name the notice and its number)")
    published = table.get("published")
    if published is not None and not _is_plain_date(published):
        raise ValueError(f"{where} published: {published!r} 不是日期 (is not a TOML date such as 2026-11-12)")
    holidays = _parse_dates(where, "holidays", table["holidays"], year)
    workdays = _parse_dates(where, "workdays", table["workdays"], year)
    for d in sorted(workdays):
        if d.weekday() < 5:
            raise ValueError(
                f"{where} workdays: {d.isoformat()} 是工作日而非周末，不能列为调休上班日 "
                f"(is a weekday; only Saturdays and Sundays can be declared working days)"
            )
    both = sorted(holidays & workdays)
    if both:
        raise ValueError(f"{where}: {both[0].isoformat()} 同时列为放假和上班 (is listed in both holidays and workdays)")
    return YearNotice(year=year, holidays=holidays, workdays=workdays, source=source.strip(), published=published)


def _parse_dates(where: str, name: str, value: Any, year: int) -> frozenset[date]:
    """A list of dates of the given year, each listed once."""
    if not isinstance(value, list):
        raise ValueError(f"{where} {name}: 应为日期列表 (must be a list of dates, e.g. [{year}-01-01])")
    seen: set[date] = set()
    for item in value:
        if not _is_plain_date(item):
            raise ValueError(
                f"{where} {name}: {item!r} 不是日期 (is not a TOML date; write {year}-01-01 without quotes)"
            )
        if item.year != year:
            raise ValueError(f"{where} {name}: {item.isoformat()} 不在{year}年内 (is outside the year {year})")
        if item in seen:
            raise ValueError(f"{where} {name}: {item.isoformat()} 重复列出 (is listed twice)")
        seen.add(item)
    return frozenset(seen)


def _is_plain_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


# --- the calendars in use ------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtin_calendar() -> Calendar:
    """Built once: the chinese_calendar tables, read as data (never its per-day functions, which reject other years)."""
    import chinese_calendar  # type: ignore[import-untyped, unused-ignore]
    from chinese_calendar import constants  # type: ignore[import-untyped, unused-ignore]

    source = f"chinese_calendar {chinese_calendar.__version__}（国务院办公厅历年部分节假日安排的通知）"
    holidays: dict[int, set[date]] = {}
    workdays: dict[int, set[date]] = {}
    for d in constants.holidays:
        holidays.setdefault(d.year, set()).add(d)
    for d in constants.workdays:
        workdays.setdefault(d.year, set()).add(d)
    notices = {
        year: YearNotice(
            year=year,
            holidays=frozenset(holidays.get(year, ())),
            workdays=frozenset(workdays.get(year, ())),
            source=source,
        )
        for year in sorted(set(holidays) | set(workdays))
    }
    return Calendar(notices)


@lru_cache(maxsize=16)
def _calendar_from_files(bundled: str, bundled_mtime: int, extra: str | None, extra_mtime: int | None) -> Calendar:
    """The builtin calendar extended by the bundled file, then the extra file (cached per path and mtime)."""
    calendar = Calendar.builtin().extended(load_notices(Path(bundled).read_text(encoding="utf-8")))
    if extra is not None:
        try:
            notices = load_notices(Path(extra).read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{extra}: {error}") from error
        calendar = calendar.extended(notices)
    return calendar


def default_calendar(extra_file: str | Path | None = None) -> Calendar:
    """The calendar in use: builtin years, the bundled calendar.toml, then the administrator's extra file if named."""
    bundled = builtin_notices_file()
    extra = None if extra_file is None else os.fspath(extra_file)
    extra_mtime = None if extra is None else os.stat(extra).st_mtime_ns
    return _calendar_from_files(str(bundled), bundled.stat().st_mtime_ns, extra, extra_mtime)


# --- the pausable clock --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """A time limit in working days, stopped while the case is returned for correction (补正)."""

    time_limit: int
    accepted_on: date
    due: date
    paused_on: date | None = None
    days_left_at_pause: int | None = None
    provisional: bool = False

    @property
    def paused(self) -> bool:
        """Whether the clock is stopped."""
        return self.paused_on is not None


def clock_start(calendar: Calendar, *, accepted_on: date, time_limit: int) -> Clock:
    """“自受理之日起N个工作日内办结”: the clock of a case accepted on `accepted_on`."""
    if time_limit < 1:
        raise ValueError(f"a time limit is at least one working day (got {time_limit})")
    due = calendar.deadline(accepted_on, time_limit)
    return Clock(time_limit=time_limit, accepted_on=accepted_on, due=due.date, provisional=due.provisional)


def clock_pause(calendar: Calendar, clock: Clock, *, on: date) -> Clock:
    """“补正期间不计入办理时限”: stop the clock on `on`, keeping the working days left after that day."""
    if clock.paused_on is not None:
        raise ValueError(f"the clock is already paused (since {clock.paused_on.isoformat()})")
    if on < clock.accepted_on:
        raise ValueError(f"cannot pause on {on.isoformat()}, before acceptance on {clock.accepted_on.isoformat()}")
    left = calendar.workdays_between(on, clock.due, provisional=True)
    guessed = not all(calendar.is_loaded(y) for y in _years_spanned(on, clock.due))
    return replace(clock, paused_on=on, days_left_at_pause=left, provisional=clock.provisional or guessed)


def clock_resume(calendar: Calendar, clock: Clock, *, on: date) -> Clock:
    """“补正后重新计算”: restart the clock on resubmission with the working days that were left.

    The new due date is the `left`-th working day after `on`; `on` itself when none was left; when the case was
    already overdue, the working day before which `-left` working days up to `on` have passed.
    """
    if clock.paused_on is None or clock.days_left_at_pause is None:
        raise ValueError("the clock is not paused")
    if on < clock.paused_on:
        raise ValueError(f"cannot resume on {on.isoformat()}, before the pause on {clock.paused_on.isoformat()}")
    left = clock.days_left_at_pause
    anchor, guessed = on, False
    if left < 0 and not calendar.is_workday(on, provisional=True):
        # Overdue and resubmitted on a rest day: count back from the last working day, so that on the day of
        # resubmission the case is overdue by exactly the working days it was overdue by when paused.
        previous = calendar.deadline(on, -1)
        anchor, guessed = previous.date, previous.provisional or not calendar.is_loaded(on.year)
    due = calendar.deadline(anchor, left)
    provisional = clock.provisional or guessed or due.provisional
    return replace(clock, due=due.date, paused_on=None, days_left_at_pause=None, provisional=provisional)


def _years_spanned(a: date, b: date) -> range:
    """The years of the days counted between a and b, whichever comes first."""
    low, high = min(a, b), max(a, b)
    if low == high:
        return range(0)
    return range((low + _ONE_DAY).year, high.year + 1)


def working_days_left(calendar: Calendar, clock: Clock, *, today: date) -> int:
    """Working days left until the due date (frozen while paused); negative when overdue by that many."""
    if clock.days_left_at_pause is not None:
        return clock.days_left_at_pause
    return calendar.workdays_between(today, clock.due, provisional=clock.provisional)
