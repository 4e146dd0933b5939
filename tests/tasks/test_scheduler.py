"""The scheduler and the runner: once per period, jobs run for their day, retries with backoff, failures recorded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.clock import beijing
from tests.tasks.helpers import run_queue
from wrp.tasks.models import RunStatus, ScheduledRun
from wrp.tasks.registry import PeriodicJob, periodic
from wrp.tasks.runner import backoff, enqueue_run, run_scheduled
from wrp.tasks.scheduler import recover_stalled, scheduler_tick

pytestmark = pytest.mark.django_db


def test_periods_are_beijing_days_and_hours():
    job = PeriodicJob(name="x", every="day", func=print)
    hourly = PeriodicJob(name="y", every="hour", func=print)
    late_evening_utc = beijing(2025, 9, 2, 0, 30)  # 2025-09-01 16:30 UTC
    assert job.period_of(late_evening_utc) == "2025-09-02"
    assert hourly.period_of(late_evening_utc) == "2025-09-02T00"


def test_registering_twice_or_with_an_unknown_period_is_refused(jobs):
    periodic("one")(lambda *, today: 1)
    with pytest.raises(ValueError, match="registered twice"):
        periodic("one")(lambda *, today: 2)
    with pytest.raises(ValueError, match="every must be"):
        periodic("two", every="week")


def test_each_job_is_enqueued_once_per_period(jobs, frozen_clock):
    calls = []
    periodic("daily")(lambda *, today: calls.append(("daily", today)))
    periodic("hourly", every="hour")(lambda *, today: calls.append(("hourly", today)))
    first = scheduler_tick()
    assert sorted(run.job for run in first) == ["daily", "hourly"]
    assert scheduler_tick() == []  # the same period: nothing new
    frozen_clock.shift(timedelta(hours=1))
    assert [run.job for run in scheduler_tick()] == ["hourly"]
    assert DBTaskResult.objects.count() == 3
    assert run_queue() == 3
    assert sorted(calls) == [("daily", date(2026, 11, 26)), ("hourly", date(2026, 11, 26)), ("hourly", date(2026, 11, 26))]
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}


def test_a_job_runs_for_its_period_and_keeps_its_summary(jobs, frozen_clock):
    periodic("count")(lambda *, today: {"day": today, "notices": 3})
    (run,) = scheduler_tick()
    frozen_clock.shift(timedelta(days=2))  # the worker was late: the job still runs for the day it was scheduled for
    run_queue()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (RunStatus.SUCCEEDED, 1, "")
    assert run.result == {"day": "2026-11-26", "notices": 3}
    assert run.task_id
    assert run.finished_at is not None


def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(jobs, frozen_clock, settings):
    settings.TASKS_RETRY_BASE_SECONDS = 60
    attempts = []

    def flaky(*, today):
        attempts.append(today)
        if len(attempts) < 3:
            raise ConnectionError(f"gateway down (attempt {len(attempts)})")
        return len(attempts)

    periodic("flaky")(flaky)
    (run,) = scheduler_tick()
    run_queue()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.RETRYING, 1)
    assert "gateway down (attempt 1)" in run.error
    assert run.next_attempt_at == beijing(2026, 11, 26) + timedelta(seconds=60)
    assert run_queue() == 0  # not before its time
    frozen_clock.shift(timedelta(seconds=60))
    run_queue()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.RETRYING, 2)
    assert run.next_attempt_at == beijing(2026, 11, 26) + timedelta(seconds=60 + 240)  # 4× longer each time
    frozen_clock.shift(timedelta(seconds=240))
    run_queue()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.result, run.error) == (RunStatus.SUCCEEDED, 3, 3, "")
    assert len(attempts) == 3
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 240, 960]


def test_a_job_that_keeps_failing_ends_failed_and_visible(jobs, frozen_clock, settings):
    settings.TASKS_MAX_ATTEMPTS = 2

    def broken(*, today):
        raise RuntimeError("no route to the SMS gateway")

    periodic("broken")(broken)
    (run,) = scheduler_tick()
    run_queue()
    frozen_clock.shift(timedelta(hours=1))
    run_queue()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.FAILED, 2)
    assert "no route to the SMS gateway" in run.error
    assert run.finished_at is not None
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "SUCCESSFUL"]  # the retried attempt returned; the last one raised
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "no route to the SMS gateway" in failed.traceback
    assert run_queue() == 0
    assert scheduler_tick() == []


def test_a_run_enqueued_twice_executes_once(jobs):
    calls = []
    periodic("once")(lambda *, today: calls.append(today))
    (run,) = scheduler_tick()
    enqueue_run(run)
    assert run_queue() == 2
    assert len(calls) == 1
    skipped = DBTaskResult.objects.filter(return_value={"skipped": True})
    assert skipped.count() == 1


def test_an_unknown_job_fails_its_run(jobs, settings):
    settings.TASKS_MAX_ATTEMPTS = 1
    run = ScheduledRun.objects.create(job="gone", period="2026-11-26")
    enqueue_run(run)
    run_queue()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "gone" in run.error


def test_runs_left_behind_are_put_back_on_the_queue(jobs, frozen_clock, settings):
    settings.TASKS_STALE_MINUTES = 60
    calls = []
    periodic("slow")(lambda *, today: calls.append(today))
    periodic("lost")(lambda *, today: calls.append(today))
    now = beijing(2026, 11, 26)
    dead = ScheduledRun.objects.create(job="slow", period="2026-11-26", status=RunStatus.RUNNING, started_at=now,
                                       attempts=1)
    lost = ScheduledRun.objects.create(job="lost", period="2026-11-26", created_at=now)  # never enqueued
    assert recover_stalled(now + timedelta(minutes=30)) == 0
    assert recover_stalled(now + timedelta(minutes=61)) == 2
    assert recover_stalled(now + timedelta(minutes=62)) == 0
    run_queue()
    dead.refresh_from_db()
    lost.refresh_from_db()
    assert (dead.status, dead.attempts, lost.status, lost.attempts) == (RunStatus.SUCCEEDED, 2, RunStatus.SUCCEEDED, 1)
    assert len(calls) == 2


def test_the_immediate_backend_runs_the_job_in_the_tick(jobs, immediate_tasks):
    calls = []
    periodic("now")(lambda *, today: calls.append(today))
    (run,) = scheduler_tick()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert len(calls) == 1
    assert run_scheduled.get_backend().supports_defer is False


def test_scheduler_and_worker_commands(jobs, frozen_clock, capsys, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # The test's connection and pytest's signal handlers stay as they are (see tests/tasks/helpers.run_queue).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)
    calls = []
    periodic("cmd")(lambda *, today: calls.append(today) or "done")
    call_command("scheduler", once=True)
    call_command("scheduler", once=True)
    call_command("worker", batch=True, verbosity=0)
    assert "enqueued cmd for 2026-11-26" in capsys.readouterr().out
    assert calls == [date(2026, 11, 26)]
    assert ScheduledRun.objects.get().result == "done"
