"""/health/live answers without I/O; /health/ready checks the database, storage, cache, queue and the workers'
heartbeat, turns 503 when one fails, and says which without any personal data or error text."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from wrp.tasks.heartbeat import worker_beat

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive():
    worker_beat()


def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get("/health/live")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "no-cache" in answer["Cache-Control"]


def test_ready_when_every_dependency_answers(client, worker_alive):
    answer = client.get("/health/ready")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "cache", "queue", "worker"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["checks"]["queue"]["waiting"] == 0
    assert 0 <= body["checks"]["worker"]["heartbeat_age_seconds"] < 60


def test_unready_when_the_database_is_unreachable(client, worker_alive):
    refused = OperationalError('connection to server at "10.1.2.3", port 5432 failed: password authentication')
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=refused):
        answer = client.get("/health/ready")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {
        "status": "fail",
        "error": "OperationalError",
        "ms": body["checks"]["database"]["ms"],
    }
    assert "10.1.2.3" not in answer.content.decode()  # the error's text (hosts, users) stays in the log


def test_unready_when_storage_fails(client, worker_alive):
    try:
        import wrp.core.storage  # noqa: F401 - the storage layer (issue 16 §1), when present
    except ImportError:
        target = "wrp.ops.health._media_root_writable"
    else:
        target = "wrp.core.storage.storage_ready"
    with mock.patch(target, side_effect=OSError("bucket wrp-private: AccessDenied")):
        answer = client.get("/health/ready")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["storage"]["status"] == "fail"
    assert checks["storage"]["error"] == "OSError"
    assert checks["database"]["status"] == "ok"
    assert "AccessDenied" not in answer.content.decode()


def test_unready_when_the_cache_loses_what_it_was_given(client, worker_alive):
    with mock.patch("wrp.ops.health.caches") as caches:
        caches.__getitem__.return_value.get.return_value = None
        answer = client.get("/health/ready")
    assert answer.status_code == 503
    assert answer.json()["checks"]["cache"]["status"] == "fail"


def test_unready_without_a_worker_heartbeat_unless_the_check_is_off(client, settings):
    answer = client.get("/health/ready")
    assert answer.status_code == 503
    worker = answer.json()["checks"]["worker"]
    assert worker == {
        "status": "fail",
        "reason": "no worker heartbeat",
        "heartbeat_age_seconds": None,
        "ms": worker["ms"],
    }
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 0
    assert client.get("/health/ready").status_code == 200


def test_unready_when_the_newest_heartbeat_is_too_old(client, settings):
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 120
    worker_beat(time.time() - 600)
    answer = client.get("/health/ready")
    assert answer.status_code == 503
    assert answer.json()["checks"]["worker"]["heartbeat_age_seconds"] >= 600
    worker_beat()
    assert client.get("/health/ready").status_code == 200


def test_the_queue_check_counts_waiting_tasks(client, worker_alive, jobs_enqueued):
    answer = client.get("/health/ready")
    assert answer.json()["checks"]["queue"]["waiting"] == jobs_enqueued


@pytest.fixture
def jobs_enqueued():
    from wrp.tasks.models import ScheduledRun
    from wrp.tasks.runner import enqueue_run

    for job in ("a", "b"):
        enqueue_run(ScheduledRun.objects.create(job=job, period="2026-11-26"))
    return 2


def test_the_worker_command_beats_while_it_runs_and_stops_beating_after():
    from wrp.tasks.management.commands import worker

    stop = mock.Mock()
    with (
        mock.patch.object(worker, "start_heartbeat", return_value=stop) as start,
        mock.patch.object(worker.Command, "_work", side_effect=lambda options: stop.set.assert_not_called()),
    ):
        worker.Command().handle(batch=False, interval=1.0, max_tasks=None, verbosity=0)
    start.assert_called_once_with()
    stop.set.assert_called_once_with()


def test_the_heartbeat_thread_beats_at_once_and_stops_when_told(monkeypatch):
    from wrp.tasks import heartbeat

    beats = []
    monkeypatch.setattr(heartbeat, "worker_beat", lambda: beats.append(1))
    monkeypatch.setattr(heartbeat, "close_old_connections", lambda: None)
    monkeypatch.setattr(heartbeat.connections, "close_all", lambda: None)
    stop = heartbeat.start_heartbeat(interval=3600)
    stop.set()
    thread = next(t for t in __import__("threading").enumerate() if t.name == "wrp-worker-heartbeat")
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert beats == [1]
