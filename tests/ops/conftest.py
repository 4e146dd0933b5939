"""Fixtures of the operations tests (wrp.ops): a cache on the local Redis under a key prefix of the test's own, and
the `two_nodes` marker (tests/ops/test_two_nodes.py: the two-node deployment of scripts/two_nodes.sh).

Redis: skipped when it does not answer — except on CI (CI=true), where that is a failure, as tests/tasks/test_rq.py
treats it."""

from __future__ import annotations

import os
import uuid

import pytest

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "two_nodes: starts scripts/two_nodes.sh (PostgreSQL, Redis, nginx; about a minute)"
    )


def redis_or_skip():
    """A client of the local Redis, or the test skipped (failed on CI) with the reason."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {REDIS_URL} and CI=true: the Redis settings must be tested on CI")
        pytest.skip(f"Redis does not answer at {REDIS_URL} ({error}): set REDIS_URL to test the Redis settings")
    return client


@pytest.fixture
def redis_cache(settings):
    """settings.CACHES on Redis (wrp.ops.redis_cache) under a prefix of this test's own; its keys deleted after."""
    client = redis_or_skip()
    prefix = f"wrp-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {"BACKEND": "wrp.ops.redis_cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    }
    yield client, prefix
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
