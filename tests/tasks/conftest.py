"""Fixtures of the task tests.

Backends: the tests run on the platform's own default, the database backend (django-tasks-db), with queued tasks
run in-process by `run_queue()` (django-tasks-db's worker in batch mode: the same code `wrp worker` runs). The
immediate backend (`immediate_tasks`) is used only where a test needs a job to run inside the call that enqueues it
(the 400-day simulation, to stay fast); the RQ backend only in test_rq.py, against the local Redis.

`jobs`: the registry of periodic jobs, emptied for the test (the real jobs are put back afterwards); a test registers
its own with `periodic`.
"""

from __future__ import annotations

import pytest

from tests.tasks.helpers import run_queue  # noqa: F401 - re-exported for the tests


@pytest.fixture
def jobs(monkeypatch):
    from wrp.tasks import registry

    monkeypatch.setattr(registry, "JOBS", {})
    return registry.JOBS


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.TASKS
