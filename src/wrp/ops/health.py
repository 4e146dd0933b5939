"""Health endpoints for the load balancer and the orchestrator.

`/health/live`: the process answers — no I/O at all, so a slow database never gets a node restarted.
`/health/ready`: the node can serve — each dependency checked once, cheaply, with its time in milliseconds:
the database (SELECT 1), private storage (wrp.core.storage.storage_ready), the shared cache (a write, a read and a
delete of one key), the task queue (its length: a count on the database backend, LLEN on Redis) and the workers'
heartbeat (wrp.tasks.heartbeat: its age, unready when older than HEALTH_WORKER_MAX_AGE_SECONDS; 0 turns that check
off). 200 when every check passes, 503 otherwise. The answer names checks and error classes only: no personal data,
no host names, no exception text (which could carry a connection string); the log has the details.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger("wrp.ops")


class CheckFailed(Exception):
    """A check that ran but found its dependency unfit (as opposed to one that raised on the way)."""

    def __init__(self, reason: str, **detail: Any) -> None:
        super().__init__(reason)
        self.detail = detail


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _media_root_writable() -> None:
    """The fallback while wrp.core.storage does not exist: the private folder takes a file."""
    root = str(settings.MEDIA_ROOT)
    os.makedirs(root, mode=0o700, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".health-", delete=True) as probe:
        probe.write(b"ok")
        probe.flush()


def check_storage() -> dict[str, Any]:
    try:
        from wrp.core.storage import storage_ready
    except ImportError as error:  # without the storage layer (issue 16 §1) the local private folder is the storage
        if error.name != "wrp.core.storage":
            raise
        _media_root_writable()
        return {"backend": "local"}
    storage_ready()
    return {}


def check_cache() -> dict[str, Any]:
    cache = caches["default"]
    key, value = f"wrp:health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise CheckFailed("the cache did not return what was written")
    finally:
        cache.delete(key)
    return {}


def queue_lengths() -> dict[str, int]:
    """Tasks waiting per queue (ready to run, not yet running), on the configured backend."""
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        return {name: int(django_rq.get_queue(name).count) for name in sorted(settings.RQ_QUEUES)}
    from django.db.models import Count
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .values("queue_name")
        .annotate(n=Count("id"))
        .order_by("queue_name")
    )
    lengths = {name: 0 for name in settings.TASKS["default"].get("QUEUES", ["default"])}
    lengths.update({row["queue_name"]: row["n"] for row in rows})
    return lengths


def check_queue() -> dict[str, Any]:
    return {"backend": settings.TASKS_BACKEND, "waiting": sum(queue_lengths().values())}


def worker_heartbeat_age() -> float | None:
    """Seconds since the newest worker heartbeat, or None when no worker has beaten (within a day)."""
    from wrp.tasks.heartbeat import last_beat

    beat = last_beat()
    return None if beat is None else max(0.0, time.time() - beat)


def check_worker() -> dict[str, Any]:
    limit = settings.HEALTH_WORKER_MAX_AGE_SECONDS
    age = worker_heartbeat_age()
    answer: dict[str, Any] = {"heartbeat_age_seconds": None if age is None else round(age, 1)}
    if limit and (age is None or age > limit):
        reason = "no worker heartbeat" if age is None else "the newest worker heartbeat is too old"
        raise CheckFailed(reason, **answer)
    return answer


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "storage": check_storage,
    "cache": check_cache,
    "queue": check_queue,
    "worker": check_worker,
}


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run every check; (all passed, per check: status, milliseconds and what the check tells)."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check()
            status: dict[str, Any] = {"status": "ok", **detail}
        except CheckFailed as failed:
            status = {"status": "fail", "reason": str(failed), **failed.detail}
        except Exception as error:  # any failure of a dependency is "not ready"; its text stays in the log
            log.warning("health check %s failed", name, exc_info=True)
            status = {"status": "fail", "error": type(error).__name__}
        status["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = status
    return all(result["status"] == "ok" for result in results.values()), results


@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    ok, checks = readiness()
    return JsonResponse({"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503)
