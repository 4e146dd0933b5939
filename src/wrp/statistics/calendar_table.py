"""The working-day calendar as a table SQL can join (`WorkingDay`): every date from FIRST_DAY to two years ahead with
its working-day ordinal, computed from the platform's calendar (`wrp.policy_runtime.policy_calendar`, the shipped
notices plus the administrator's). Refreshed by the daily job, so a notice entered today counts tomorrow at the
latest; a year without a notice is filled with weekends only and marked provisional."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.db import transaction

from wrp.policy.workdays import Calendar, YearNotice
from wrp.policy_runtime import policy_calendar
from wrp.statistics.models import WorkingDay

FIRST_DAY = date(2004, 1, 1)  # the first year of the shipped notices
YEARS_AHEAD = 2


def calendar_rows(calendar: Calendar, *, first: date, last: date) -> list[WorkingDay]:
    """One row per date in [first, last]: the ordinal counts working days from `first` (itself included)."""
    return [WorkingDay(day=day, ordinal=ordinal, workday=workday, provisional=provisional)
            for day, ordinal, workday, provisional in _rows(_notices_of(calendar), first, last)]


def _notices_of(calendar: Calendar) -> tuple[YearNotice, ...]:
    """What decides every row: the notices the calendar holds (frozen, hashable)."""
    return tuple(calendar.notice(year) for year in sorted(calendar.years()))


@lru_cache(maxsize=4)
def _rows(notices: tuple[YearNotice, ...], first: date, last: date) -> tuple[tuple[date, int, bool, bool], ...]:
    """(day, ordinal, workday, provisional) for each date, computed once per set of notices and range (the daily job
    asks again every day; the answer changes only with a notice or a new year)."""
    calendar = Calendar({notice.year: notice for notice in notices})
    rows = []
    ordinal = 0
    day = first
    while day <= last:
        provisional = not calendar.is_loaded(day.year)
        workday = calendar.is_workday(day, provisional=True)
        ordinal += workday
        rows.append((day, ordinal, workday, provisional))
        day += timedelta(days=1)
    return tuple(rows)


def calendar_table_refresh(*, today: date) -> int:
    """Make the table match the calendar from FIRST_DAY to the end of today's year + YEARS_AHEAD; answers the number
    of rows written (0 when nothing changed)."""
    last = date(today.year + YEARS_AHEAD, 12, 31)
    wanted = _rows(_notices_of(policy_calendar()), FIRST_DAY, last)
    stored = {row[0]: row[1:] for row in WorkingDay.objects.values_list("day", "ordinal", "workday", "provisional")}
    changed = [WorkingDay(day=day, ordinal=ordinal, workday=workday, provisional=provisional)
               for day, ordinal, workday, provisional in wanted
               if stored.get(day) != (ordinal, workday, provisional)]
    if not changed and len(stored) == len(wanted):
        return 0
    with transaction.atomic():
        WorkingDay.objects.filter(day__gt=last).delete()
        WorkingDay.objects.bulk_create(
            changed,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["ordinal", "workday", "provisional"],
        )
    return len(changed)
