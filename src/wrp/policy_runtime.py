"""The policy's data as the running platform sees it: the holiday calendar and the wage table.

Both start from the data shipped in `wrp.policy`. The calendar adds the administrator's notices file named by
`WRP_CALENDAR_FILE` (which `wrp workdays` and `wrp assess` read too); both add what administrators entered in the
admin site (wrp.reference), re-read at most once a minute so that every process sees a change within a minute.
The command-line doors read the files only: put a notice in the file to make it count there as well.
"""

from __future__ import annotations

import time
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError

from wrp.policy.wages import WageRow, WageTable, builtin_table
from wrp.policy.workdays import Calendar, YearNotice, default_calendar, notice_from_table

REFRESH_SECONDS = 60
_cache: dict[str, tuple[float, object]] = {}


def _fresh(key: str) -> object | None:
    hit = _cache.get(key)
    return hit[1] if hit is not None and time.monotonic() - hit[0] < REFRESH_SECONDS else None


def _db_notices() -> list[YearNotice]:
    from datetime import date

    from wrp.reference.models import HolidayNotice

    notices = []
    for row in HolidayNotice.objects.all():
        table = {"source": row.source, "published": row.published,
                 "holidays": [date.fromisoformat(d) for d in row.holidays],
                 "workdays": [date.fromisoformat(d) for d in row.workdays]}
        notices.append(notice_from_table(row.year, table))
    return notices


def _db_wages() -> list[WageRow]:
    from wrp.reference.models import WageRow as WageRecord

    return [WageRow(r.year, Decimal(r.monthly), r.published, r.source) for r in WageRecord.objects.all()]


def policy_calendar() -> Calendar:
    calendar = _fresh("calendar")
    if calendar is None:
        try:
            calendar = default_calendar(settings.CALENDAR_FILE).extended(_db_notices())
        except DatabaseError:  # before `wrp migrate`
            calendar = default_calendar(settings.CALENDAR_FILE)
        _cache["calendar"] = (time.monotonic(), calendar)
    assert isinstance(calendar, Calendar)
    return calendar


def policy_wages() -> WageTable:
    wages = _fresh("wages")
    if wages is None:
        try:
            wages = builtin_table().merged(_db_wages())
        except DatabaseError:
            wages = builtin_table()
        _cache["wages"] = (time.monotonic(), wages)
    assert isinstance(wages, WageTable)
    return wages


def policy_data_changed() -> None:
    """Forget the cached data in this process (the reference services call it; other processes refresh by time)."""
    _cache.clear()
