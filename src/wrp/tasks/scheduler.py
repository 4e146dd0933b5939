"""The scheduler: `scheduler_tick(now)` enqueues each registered job once for the period `now` is in.

Several schedulers may tick at once (one per node, or a cron line and a loop): each creates the job's `ScheduledRun`
for the period on the unique (job, period) row, and only the one whose insert wins enqueues it (the others' inserts
fail on the constraint, or they see the row and skip it).
On the database backend the queue row is written in the same transaction as the run row; on another backend (Redis)
after the run row is committed, and a run whose enqueue was lost (the process died in between) or whose worker died
mid-run is put on the queue again by a later tick once it is older than TASKS_STALE_MINUTES.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from wrp.tasks import registry
from wrp.tasks.models import RunStatus, ScheduledRun
from wrp.tasks.runner import backend_shares_database, enqueue_run

log = logging.getLogger("wrp.tasks")


def scheduler_tick(now: datetime | None = None) -> list[ScheduledRun]:
    """Enqueue every job not yet enqueued for its current period; return the runs this tick created."""
    now = now or timezone.now()
    in_transaction = backend_shares_database()
    created: list[ScheduledRun] = []
    due = {job.name: job.period_of(now) for job in registry.JOBS.values()}
    known = set(ScheduledRun.objects.filter(period__in=set(due.values())).values_list("job", "period"))
    for job in sorted(registry.JOBS.values(), key=lambda job: (-job.priority, job.name)):
        if (job.name, due[job.name]) in known:
            continue  # the common case for every scheduler but the first: one query, no write
        with transaction.atomic(savepoint=False):  # a transaction, not a savepoint, when already in one
            try:
                with transaction.atomic():
                    run = ScheduledRun.objects.create(job=job.name, period=due[job.name], created_at=now)
            except IntegrityError:
                continue  # another scheduler created it a moment ago: it enqueues it
            if in_transaction:
                enqueue_run(run)
        if not in_transaction:
            enqueue_run(run)
        created.append(run)
        log.info("scheduler: enqueued %s for %s", run.job, run.period)
    recover_stalled(now)
    return created


def recover_stalled(now: datetime) -> int:
    """Put back on the queue the runs left behind: never enqueued, or claimed by a worker that died (still `running`
    long after it started). The claim in the runner makes a doubly enqueued run execute once."""
    stale = now - timedelta(minutes=getattr(settings, "TASKS_STALE_MINUTES", 120))
    lost = ScheduledRun.objects.filter(
        Q(status=RunStatus.PENDING, task_id="", created_at__lt=stale)
        | Q(status=RunStatus.RUNNING, started_at__lt=stale)
    )
    recovered = 0
    for run in lost:
        moved = ScheduledRun.objects.filter(pk=run.pk, status=run.status, task_id=run.task_id).update(
            status=RunStatus.RETRYING, task_id="recovering"
        )
        if moved:
            log.warning("scheduler: run %s %s was %s too long; enqueued again", run.job, run.period, run.status)
            enqueue_run(run)
            recovered += 1
    return recovered
