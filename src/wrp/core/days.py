"""Days as the platform counts them (Asia/Shanghai, the current time zone): the moments a day starts, so that a
filter on a day or a period compares stored moments with a range (an index on the moment serves it) rather than
converting every stored moment to its day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_start(day: date) -> datetime:
    """The first moment of `day` in the current time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def days_range(first: date, last: date) -> tuple[datetime, datetime]:
    """The moments from the start of `first` to the start of the day after `last`: `>= [0]` and `< [1]` is every
    moment of those days (both included)."""
    return day_start(first), day_start(last + timedelta(days=1))
