"""The few SQL fragments that differ between PostgreSQL and SQLite, and running a raw aggregate.

Aware datetimes are stored in UTC; the figures count Beijing days (POLICY §3), so a moment's day is taken in the
platform's time zone: `AT TIME ZONE` on PostgreSQL, the fixed offset on SQLite (Asia/Shanghai keeps no daylight
saving time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection


def postgres() -> bool:
    return connection.vendor == "postgresql"


def local_day(column: str) -> str:
    """SQL for the Beijing calendar day of a timestamp column (a trusted column expression, never user input)."""
    if postgres():
        return f"(({column}) AT TIME ZONE '{settings.TIME_ZONE}')::date"
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(datetime(2000, 1, 1))
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return f"date({column}, '{hours:+d} hours')"


def checks_of(column: str) -> tuple[str, str, str]:
    """(FROM item, rule expression, outcome expression) that spread the checks of a frozen assessment (its Chinese
    response, `{"zh": {"checks": [{"rule", "outcome", …}]}}`) into one row per check."""
    if postgres():
        checks = f"{column}->'zh'->'checks'"
        spread = (
            f"jsonb_array_elements(CASE WHEN jsonb_typeof({checks}) = 'array' THEN {checks} "
            f"ELSE '[]'::jsonb END) AS chk"
        )
        return spread, "chk->>'rule'", "chk->>'outcome'"
    return (
        f"json_each(CASE WHEN json_type({column}, '$.zh.checks') = 'array' THEN {column} ELSE "
        f"'{{\"zh\": {{\"checks\": []}}}}' END, '$.zh.checks') AS chk",
        "json_extract(chk.value, '$.rule')",
        "json_extract(chk.value, '$.outcome')",
    )


def rows(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [tuple(row) for row in cursor.fetchall()]
