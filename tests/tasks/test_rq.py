"""The Redis backend (WRP_TASKS_BACKEND=rq, django-tasks-rq) against the Redis server on this machine: the scheduler
enqueues through RQ and a burst worker runs the runs. Skipped when Redis does not answer — except on CI (CI=true),
where that is a failure, as scripts/test.sh treats PostgreSQL. Each test uses a queue of its own name."""

from __future__ import annotations

import os
import signal
import uuid

import pytest

from wrp.tasks.models import RunStatus, ScheduledRun
from wrp.tasks.registry import periodic

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def rq_queue(settings, monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {REDIS_URL} and CI=true: the RQ backend must be tested on CI")
        pytest.skip(f"Redis does not answer at {REDIS_URL} ({error}): set REDIS_URL to test the RQ backend")
    import django_rq

    from wrp.tasks import runner

    name = f"wrp-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL}, "default": {"URL": REDIS_URL}}  # default: for get_result
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    monkeypatch.setattr(runner, "run_scheduled", runner.run_scheduled.using(queue_name=name))
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    queue = django_rq.get_queue(name)
    yield queue
    for signum, handler in handlers.items():  # the RQ worker installs its own; pytest's come back
        signal.signal(signum, handler)
    queue.empty()
    queue.delete(delete_jobs=True)


def _work(queue) -> None:
    from rq import SimpleWorker

    from wrp.tasks.rq import rq_worker

    rq_worker(burst=True, queues=[queue.name], worker_class=SimpleWorker)  # in this process: sees the test's rows


def test_the_scheduler_enqueues_through_redis_and_a_burst_worker_runs_it(jobs, rq_queue):
    from django_tasks_rq import RQBackend

    from wrp.tasks.runner import run_scheduled
    from wrp.tasks.scheduler import scheduler_tick

    calls = []
    periodic("via-redis")(lambda *, today: calls.append(today) or {"notices": 1})
    assert isinstance(run_scheduled.get_backend(), RQBackend)
    (run,) = scheduler_tick()
    assert scheduler_tick() == []
    assert rq_queue.count == 1
    run.refresh_from_db()
    assert run.task_id in rq_queue.job_ids
    _work(rq_queue)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.result) == (RunStatus.SUCCEEDED, 1, {"notices": 1})
    assert len(calls) == 1
    assert rq_queue.count == 0
    result = run_scheduled.get_result(run.task_id)
    assert result.status == "SUCCESSFUL"


def test_a_failure_through_redis_is_deferred_for_a_retry(jobs, rq_queue, settings):
    from rq.registry import ScheduledJobRegistry

    settings.TASKS_RETRY_BASE_SECONDS = 3600

    def broken(*, today):
        raise RuntimeError("smtp down")

    periodic("broken")(broken)
    from wrp.tasks.scheduler import scheduler_tick

    (run,) = scheduler_tick()
    _work(rq_queue)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.RETRYING, 1)
    assert "smtp down" in run.error
    assert ScheduledRun.objects.get(pk=run.pk).task_id in ScheduledJobRegistry(queue=rq_queue).get_job_ids()
