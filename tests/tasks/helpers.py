"""Helpers of the task tests: run the database queue in-process, count what was enqueued."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django_tasks.signals import task_enqueued


def run_queue() -> int:
    """Run every task ready on the database queue (django-tasks-db's worker, batch mode, no signal handlers);
    return how many ran. The worker's `close_old_connections` is skipped: it would close the test's connection (in
    its transaction, on PostgreSQL) once the frozen clock has moved past CONN_MAX_AGE."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
        worker_id="test-worker", excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections", return_value=None):
        worker.run()
    return worker._run_tasks


@contextmanager
def counting_enqueues() -> Iterator[Counter[str]]:
    """Count the tasks enqueued while the block runs, by "job period" of the ScheduledRun they carry (read once at
    the end of the block)."""
    from wrp.tasks.models import ScheduledRun

    by_run: Counter[int] = Counter()
    counts: Counter[str] = Counter()

    def heard(sender, task_result, **kwargs):
        if task_result.task.name != "run_scheduled":
            return  # another task (a notice's delivery): its argument is not a run's id
        by_run[task_result.args[0] if task_result.args else 0] += 1

    task_enqueued.connect(heard, weak=False)
    try:
        yield counts
    finally:
        task_enqueued.disconnect(heard)
        names = {pk: f"{job} {period}" for pk, job, period in ScheduledRun.objects.values_list("pk", "job", "period")}
        for pk, times in by_run.items():
            counts[names.get(pk, "?")] += times
