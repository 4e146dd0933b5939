"""Calendar periods: "60日内", "满1年", "尚有三个月以上" (POLICY §3).

A period is counted in calendar days, months or years from a start date, and the start day itself is not counted
(民法典 第201条: 按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算). So "满1年 since D" holds from
D + 1 year on, and "D 之日起 60 日内" ends with D + 60 days. Month and year arithmetic clamps to the last day of
the month when the day does not exist there (2024-02-29 + 1 year = 2025-02-28; 2025-01-31 + 1 month = 2025-02-28).
All dates are Asia/Shanghai calendar dates; nothing here looks at the clock.
"""

from __future__ import annotations

from calendar import isleap
from datetime import date, timedelta

__all__ = ["add_months", "add_years", "at_least_left", "completed", "within_days"]


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(d: date, n: int) -> date:
    """The date n months after d (before it when n < 0), clamped to the month's last day."""
    months = d.year * 12 + d.month - 1 + n
    year, month = divmod(months, 12)
    day = d.day
    if day > 28:
        last = _MONTH_DAYS[month] if month != 1 else (29 if isleap(year) else 28)
        day = min(day, last)
    return date(year, month + 1, day)


def add_years(d: date, n: int) -> date:
    """The date n years after d (before it when n < 0); 2月29日 becomes 2月28日 in a common year."""
    return add_months(d, 12 * n)


def completed(since: date, *, on: date, years: int = 0, months: int = 0) -> bool:
    """“满N年/满N个月”: on `on`, at least `years` years and `months` months have passed since `since`."""
    if years < 0 or months < 0:
        raise ValueError(f"a period cannot be negative (years={years}, months={months})")
    end = add_months(since, 12 * years + months)
    return end <= on


def at_least_left(end: date, *, on: date, months: int) -> bool:
    """“尚有N个月以上”: on `on`, `end` is at least `months` months away (end ≥ on + N months)."""
    if months < 0:
        raise ValueError(f"a period cannot be negative (months={months})")
    return end >= add_months(on, months)


def within_days(start: date, *, on: date, days: int) -> bool:
    """“自…之日起N日内”: `on` is no later than the N-th day after `start` (the start day is not counted)."""
    if days < 0:
        raise ValueError(f"a period cannot be negative (days={days})")
    return on <= start + timedelta(days=days)
