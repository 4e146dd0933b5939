"""The tests' calendar: the frozen moment every date-dependent test starts from (Thursday 2026-11-26, 10:00 in
Beijing, a working day), and `beijing()` for other moments. The `frozen_moment`, `frozen_clock` and `today` fixtures
of tests/conftest.py freeze time there; a directory or module that needs another day overrides `frozen_moment`.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
TODAY = date(2026, 11, 26)


def beijing(year: int, month: int, day: int, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    """A moment in Asia/Shanghai (10:00 unless told)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
