"""Several schedulers at the same instant on PostgreSQL (SQLite serialises writers and proves nothing): each job is
enqueued exactly once for its period, and a run enqueued twice is executed by one worker only."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.race import run_concurrently
from tests.tasks.helpers import run_queue
from wrp.tasks.models import RunStatus, ScheduledRun
from wrp.tasks.registry import periodic
from wrp.tasks.runner import enqueue_run, run_scheduled
from wrp.tasks.scheduler import scheduler_tick

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent inserts on the unique (job, period) row")


def test_schedulers_ticking_at_once_enqueue_each_job_once(jobs, frozen_clock):
    for name in ("a", "b", "c"):
        periodic(name)(lambda *, today: 1)
    periodic("h", every="hour")(lambda *, today: 1)
    results = run_concurrently(scheduler_tick, 4)
    assert not [result for result in results if isinstance(result, BaseException)], results
    created = Counter(run.job for result in results for run in result)
    assert created == {"a": 1, "b": 1, "c": 1, "h": 1}
    assert ScheduledRun.objects.count() == 4
    assert DBTaskResult.objects.count() == 4
    assert run_queue() == 4
    assert set(ScheduledRun.objects.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}


def test_two_workers_claiming_one_run_execute_it_once(jobs):
    calls = []
    periodic("once")(lambda *, today: calls.append(today))
    run = ScheduledRun.objects.create(job="once", period="2026-11-26")
    results = run_concurrently(lambda: run_scheduled.call(run.pk), 2)
    assert sorted(map(str, results)) == ["None", "{'skipped': True}"]
    assert len(calls) == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 1)
    enqueue_run(run)
    run_queue()
    assert len(calls) == 1
