"""The RQ side (WRP_TASKS_BACKEND=rq): a worker on the configured queues that runs django-tasks jobs, with RQ's
scheduler built in (it starts the deferred retries when their time comes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def rq_worker(
    *, burst: bool = False, max_jobs: int | None = None, queues: list[str] | None = None, worker_class: Any = None
) -> Any:
    """Run an RQ worker for the django-tasks queues until stopped (or, with `burst`, until the queues are empty).
    RQ's default worker forks a process per job: the database connections are closed first so that no child shares
    its parent's; `worker_class=rq.SimpleWorker` runs the jobs in this process instead."""
    import django_rq
    from django.db import connections
    from django_tasks_rq import Job
    from rq import SimpleWorker

    names = queues or sorted(settings.RQ_QUEUES)
    worker = django_rq.get_worker(*names, job_class=Job, worker_class=worker_class)
    if not isinstance(worker, SimpleWorker):
        connections.close_all()
    worker.work(burst=burst, with_scheduler=True, max_jobs=max_jobs)
    return worker
