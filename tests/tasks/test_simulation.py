"""400 days of the scheduler (2025-09-01 on, across National Day, Spring Festival and every weekend) with two
schedulers ticking each day: each daily job is enqueued exactly once a day — 400 times — with no duplicate, and every
run succeeds (the immediate backend runs each as it is enqueued). On PostgreSQL, two schedulers tick at the same
instant every day for 40 days across National Day (threads released by one barrier, each committing for real) and
the database worker runs the queue. The job bodies are recorders here (the scheduler's counts are the point; 3,200
runs of the real finders take a minute); a shorter run of the real jobs shows they run clean day after day. The
lead's end-to-end simulation over the demo data reuses tests/tasks/simulation.py and adds the exact counts of
reminders, expiries and escalations."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection

from tests.tasks.simulation import recording_jobs, simulate
from tests.tasks.test_jobs import DAILY, HOURLY
from wrp.tasks import registry
from wrp.tasks.models import RunStatus, ScheduledRun

START = date(2025, 9, 1)
DAYS = 400
HOLIDAYS = (date(2025, 10, 1), date(2026, 2, 17), date(2026, 5, 1))


def _check(result, calls) -> None:
    names = set(registry.JOBS)
    assert names == DAILY | HOURLY  # the hourly job runs once a day too: the simulated schedulers tick once a day
    assert len(result.days) == DAYS
    assert set(HOLIDAYS) <= set(result.days)
    assert result.runs_per_job == {name: DAYS for name in names}
    assert result.duplicates() == {}
    assert sum(result.enqueued.values()) == DAYS * len(names)
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}
    assert Counter(calls) == {(name, START + timedelta(days=n)): 1 for name in names for n in range(DAYS)}


@pytest.mark.django_db
def test_400_days_with_two_schedulers_enqueue_each_daily_job_once_a_day(frozen_clock, monkeypatch, immediate_tasks):
    calls = recording_jobs(monkeypatch)
    result = simulate(frozen_clock, start=START, days=DAYS, schedulers=2, work=None)
    _check(result, calls)


@pytest.mark.django_db
def test_two_schedulers_and_the_database_worker_over_national_day(frozen_clock, monkeypatch):
    calls = recording_jobs(monkeypatch)
    result = simulate(frozen_clock, start=date(2025, 9, 20), days=30, schedulers=2)
    assert result.runs_per_job == {name: 30 for name in registry.JOBS}
    assert result.duplicates() == {}
    assert result.tasks_run == 30 * len(DAILY | HOURLY) == len(calls) == len(set(calls))
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_instant_every_day_across_national_day(frozen_clock, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two schedulers inserting the same (job, period) row at once")
    calls = recording_jobs(monkeypatch)
    result = simulate(frozen_clock, start=date(2025, 9, 25), days=40, schedulers=2, concurrent=True)
    assert result.runs_per_job == {name: 40 for name in registry.JOBS}
    assert result.duplicates() == {}
    assert result.tasks_run == 40 * len(registry.JOBS)
    assert Counter(calls) == {(name, date(2025, 9, 25) + timedelta(days=n)): 1 for name in registry.JOBS for n in range(40)}


@pytest.mark.django_db
def test_the_real_jobs_run_clean_across_national_day(frozen_clock, private_media, people):
    result = simulate(frozen_clock, start=date(2025, 9, 28), days=10, schedulers=2)
    assert result.runs_per_job == {name: 10 for name in registry.JOBS}
    assert result.duplicates() == {}
    failed = ScheduledRun.objects.exclude(status=RunStatus.SUCCEEDED).values_list("job", "period", "error")
    assert list(failed) == []

