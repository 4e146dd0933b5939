"""The scheduler over many days, as a reusable helper: time moves day by day (weekends and holidays included), a
number of schedulers tick each day — one after another, or at the same instant in threads on PostgreSQL — and the
queued runs are worked off. The caller checks the counts: runs per job, enqueues per (job, day), and whatever its
jobs produced (notices, expiries) against the data it made.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from typing import Any

from tests.clock import beijing
from tests.tasks.helpers import counting_enqueues, run_queue


@contextmanager
def quiet_task_logs() -> Iterator[None]:
    """The per-task INFO lines of thousands of runs cost more than the runs: warnings only while simulating."""
    loggers = [logging.getLogger(name) for name in ("wrp.tasks", "django_tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def recording_jobs(monkeypatch: Any) -> list[tuple[str, date]]:
    """Replace every registered job's body by a recorder of (job, day), keeping names, periods and priorities: the
    scheduler's own counts without the cost of the jobs. Returns the list the runs append to."""
    from wrp.tasks import registry

    calls: list[tuple[str, date]] = []

    def recorder(name: str, *, today: date) -> int:
        calls.append((name, today))
        return 1

    stubs = {name: replace(job, func=partial(recorder, name)) for name, job in registry.JOBS.items()}
    monkeypatch.setattr(registry, "JOBS", stubs)
    return calls


@dataclass
class Simulation:
    days: list[date] = field(default_factory=list)
    enqueued: Counter[str] = field(default_factory=Counter)  # "job period" -> times enqueued
    tasks_run: int = 0
    runs_per_job: dict[str, int] = field(default_factory=dict)
    each_day: list[Any] = field(default_factory=list)  # what `after_day` returned, day by day

    def duplicates(self) -> dict[str, int]:
        return {key: count for key, count in self.enqueued.items() if count != 1}


def simulate(
    clock: Any,
    *,
    start: date,
    days: int,
    schedulers: int = 2,
    concurrent: bool = False,
    hour: int = 1,
    work: Callable[[], int] | None = run_queue,
    after_day: Callable[[date], Any] | None = None,
) -> Simulation:
    """Tick `schedulers` schedulers once a day at `hour`:00 Beijing time from `start` for `days` days, working off the
    queue after each day with `work` (None when the backend runs tasks as they are enqueued); `clock` is the
    time-machine traveller of the `frozen_clock` fixture."""
    from tests.race import run_concurrently
    from wrp.tasks.models import ScheduledRun
    from wrp.tasks.scheduler import scheduler_tick

    result = Simulation()
    with quiet_task_logs(), counting_enqueues() as enqueued:
        for offset in range(days):
            day = start + timedelta(days=offset)
            clock.move_to(beijing(day.year, day.month, day.day, hour))
            if concurrent:
                outcomes = run_concurrently(scheduler_tick, schedulers)
                errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
                assert not errors, errors
            else:
                for _ in range(schedulers):
                    scheduler_tick()
            if work is not None:
                result.tasks_run += work()
            if after_day is not None:
                result.each_day.append(after_day(day))
            result.days.append(day)
    result.enqueued = enqueued
    result.runs_per_job = dict(Counter(ScheduledRun.objects.values_list("job", flat=True)))
    return result
