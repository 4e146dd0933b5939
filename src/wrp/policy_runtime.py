"""The policy's data as the running platform sees it: the holiday calendar and the wage table.

Both start from the data shipped in `wrp.policy`; the calendar adds the administrator's notices file named by
`WRP_CALENDAR_FILE` (the same file `wrp workdays` and `wrp assess` read, so every door answers alike).
"""

from __future__ import annotations

from django.conf import settings

from wrp.policy.wages import WageTable, builtin_table
from wrp.policy.workdays import Calendar, default_calendar


def policy_calendar() -> Calendar:
    return default_calendar(settings.CALENDAR_FILE)


def policy_wages() -> WageTable:
    return builtin_table()
