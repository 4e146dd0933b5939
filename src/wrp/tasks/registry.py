"""The periodic jobs: each a plain function `fn(*, today) -> result`, registered once under a name with its period.

`@periodic("sweep", every="day")` puts the function in `JOBS`; `wrp scheduler` enqueues every registered job once per
period (the local day in Asia/Shanghai, or the local hour) and the worker runs it. A job must be idempotent — safe
to run again for the same day — because a retry after a failure runs it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone

Every = Literal["day", "hour"]
JobFunction = Callable[..., Any]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: Every
    func: JobFunction
    priority: int = 0  # higher runs first when several wait (the sweep before the reminders that read its marks)

    def period_of(self, now: datetime) -> str:
        """The period `now` falls in, as stored on the run: "2025-09-01" for a day, "2025-09-01T10" for an hour."""
        local = timezone.localtime(now)
        return local.date().isoformat() if self.every == "day" else local.strftime("%Y-%m-%dT%H")


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: Every = "day", priority: int = 0) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the periodic job `name` (run once per `every`)."""
    if every not in ("day", "hour"):
        raise ValueError(f"periodic job {name!r}: every must be 'day' or 'hour', not {every!r}")

    def register(func: JobFunction) -> JobFunction:
        existing = JOBS.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"periodic job {name!r} is registered twice")
        JOBS[name] = PeriodicJob(name=name, every=every, func=func, priority=priority)
        return func

    return register


def day_of(period: str) -> date:
    """The day a stored period belongs to (the `today` its job runs for)."""
    return date.fromisoformat(period[:10])
