"""Running one scheduled run on a worker: claim it, call its job, record the outcome, retry with backoff.

django-tasks has no retries of its own, so `run_scheduled` does them: a failed attempt records its error on the
`ScheduledRun` and enqueues the run again to start after TASKS_RETRY_BASE_SECONDS × 4^(attempt-1); after
TASKS_MAX_ATTEMPTS attempts the run is `failed` and the exception is raised, so the queue's own record (the
django-tasks-db admin) shows the traceback too. A run is claimed by a conditional update, so a run enqueued twice (a
recovered enqueue, two workers) is executed once.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from wrp.tasks import registry
from wrp.tasks.models import RunStatus, ScheduledRun

log = logging.getLogger("wrp.tasks")

RUNNABLE = (RunStatus.PENDING, RunStatus.RETRYING)


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …): base × 4^(attempt-1)."""
    return timedelta(seconds=settings.TASKS_RETRY_BASE_SECONDS * 4 ** (attempt - 1))


def backend_shares_database() -> bool:
    """Whether the queue is a table of this database (django-tasks-db): then enqueueing joins the transaction."""
    from django_tasks_db import DatabaseBackend

    return isinstance(run_scheduled.get_backend(), DatabaseBackend)


def enqueue_run(run: ScheduledRun, *, run_after: datetime | None = None) -> None:
    """Put `run` on the queue (after `run_after` where the backend can defer) and note the queue's id on it."""
    queued = run_scheduled
    if run_after is not None and queued.get_backend().supports_defer:
        queued = queued.using(run_after=run_after)
    result = queued.enqueue(run.pk)
    if not result.is_finished:  # the immediate backend (tests) has run it already: nothing to point at
        ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])


@task()
def run_scheduled(run_id: int) -> Any:
    """The one django-tasks task: run the periodic job of ScheduledRun `run_id` once, retrying it on failure."""
    now = timezone.now()
    claimed = ScheduledRun.objects.filter(pk=run_id, status__in=RUNNABLE).update(
        status=RunStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, next_attempt_at=None
    )
    if not claimed:
        log.info("scheduled run %s: not runnable (already running, done or gone), skipped", run_id)
        return {"skipped": True}
    run = ScheduledRun.objects.get(pk=run_id)
    job = registry.JOBS.get(run.job)
    try:
        if job is None:
            raise LookupError(f"no periodic job is registered under {run.job!r}")
        outcome = json.loads(json.dumps(job.func(today=run.day), cls=DjangoJSONEncoder))
    except Exception as error:
        return _failed(run, error)
    ScheduledRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, result=outcome, error="", finished_at=timezone.now()
    )
    log.info("scheduled run %s %s: done after %s attempt(s): %s", run.job, run.period, run.attempts, outcome)
    return outcome


def _failed(run: ScheduledRun, error: Exception) -> Any:
    text = "".join(traceback.format_exception(error))[-8000:]
    now = timezone.now()
    if run.attempts < settings.TASKS_MAX_ATTEMPTS:
        retry_at = now + backoff(run.attempts)
        with transaction.atomic():
            ScheduledRun.objects.filter(pk=run.pk).update(status=RunStatus.RETRYING, error=text, next_attempt_at=retry_at)
            enqueue_run(run, run_after=retry_at)
        log.warning("scheduled run %s %s: attempt %s failed (%s); retry at %s", run.job, run.period, run.attempts,
                    error, retry_at)
        return {"retry_at": retry_at.isoformat(), "attempt": run.attempts}
    ScheduledRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=text, finished_at=now)
    log.error("scheduled run %s %s: failed after %s attempts: %s", run.job, run.period, run.attempts, error)
    raise error
