"""Days start at midnight in Beijing, whatever the server's own zone (wrp.core.days)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from wrp.core.days import day_start, days_range


def test_a_day_starts_at_midnight_in_beijing():
    assert day_start(date(2026, 12, 4)) == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)


def test_a_range_of_days_ends_where_the_day_after_the_last_begins():
    assert days_range(date(2026, 12, 31), date(2026, 12, 31)) == (
        datetime(2026, 12, 30, 16, 0, tzinfo=UTC), datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
