"""Shared state on Redis (WRP_CACHE=redis, WRP_SESSIONS=cache) against the local Redis: the rate limits count on it
with their windows' expiry kept, sessions are read through it, and the settings switch to it by one variable each
while the embedded defaults stay the database's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.urls import reverse

from wrp.core import ratelimit

pytestmark = pytest.mark.django_db


def _settings_under(env: dict[str, str]) -> dict[str, str]:
    """CACHES backend and SESSION_ENGINE of the settings module read with `env` (a fresh interpreter)."""
    code = (
        "import json, wrp.config.settings as s;"
        "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'location': s.CACHES['default']['LOCATION'],"
        " 'sessions': s.SESSION_ENGINE}))"
    )
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("WRP_CACHE", "WRP_SESSIONS"))}
    done = subprocess.run([sys.executable, "-c", code], env={**keep, **env}, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_embedded_defaults_and_the_redis_switches():
    default = _settings_under({})
    assert default == {
        "cache": "wrp.core.cache.DatabaseCache",
        "location": "wrp_cache",
        "sessions": "django.contrib.sessions.backends.db",
    }
    shared = _settings_under({"WRP_CACHE": "redis", "WRP_SESSIONS": "cache", "REDIS_URL": "redis://10.0.0.7:6379/3"})
    assert shared == {
        "cache": "wrp.ops.redis_cache.RedisCache",
        "location": "redis://10.0.0.7:6379/3",
        "sessions": "django.contrib.sessions.backends.cached_db",
    }


def test_an_unknown_cache_choice_stops_start_up():
    keep = {name: value for name, value in os.environ.items() if name != "WRP_CACHE"}
    done = subprocess.run(
        [sys.executable, "-c", "import wrp.config.settings"],
        env={**keep, "WRP_CACHE": "memcached"},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "WRP_CACHE" in done.stderr


def test_rate_limit_counts_on_redis_and_keeps_the_windows_expiry(redis_cache):
    client, prefix = redis_cache
    decisions = [ratelimit.limit_hit("test", "203.0.113.9", rate="3/m") for _ in range(4)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert decisions[-1].count == 4
    assert 1 <= decisions[-1].retry_after <= 60
    (counter,) = list(client.scan_iter(match=f"{prefix}:*:wrp:rl:test:*"))
    assert int(client.get(counter)) == 4
    assert 0 < client.ttl(counter) <= 61  # INCR kept the expiry the window set
    assert ratelimit.limit_peek("test", "203.0.113.9", rate="3/m").allowed is False
    ratelimit.limit_clear("test", "203.0.113.9", rate="3/m")
    assert ratelimit.limit_peek("test", "203.0.113.9", rate="3/m").count == 0


def test_the_address_is_not_stored_in_clear_on_redis(redis_cache):
    client, prefix = redis_cache
    ratelimit.limit_hit("signin", "198.51.100.23", rate="5/m")
    keys = [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]
    assert keys
    assert not any("198.51.100.23" in key for key in keys)


def test_increment_of_a_missing_or_lapsed_key_is_refused_without_creating_it(redis_cache):
    client, prefix = redis_cache
    cache = caches["default"]
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert not list(client.scan_iter(match=f"{prefix}:*never-set"))
    cache.set("short", 5, timeout=30)
    assert cache.incr("short", 2) == 7
    assert cache.get("short") == 7
    assert cache.decr("short") == 6


def test_one_turn_per_interval_on_redis(redis_cache):
    first = ratelimit.limit_turn("signin-account", "alice", seconds=30)
    second = ratelimit.limit_turn("signin-account", "alice", seconds=30)
    assert first.allowed
    assert not second.allowed
    assert 1 <= second.retry_after <= 30


def test_sessions_are_read_through_the_redis_cache(redis_cache, settings, client, django_user_model):
    redis_client, prefix = redis_cache
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = django_user_model.objects.create_user(username="ops-session", password="x" * 12)
    client.force_login(user)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    cached = [key.decode() for key in redis_client.scan_iter(match=f"{prefix}:*")]
    assert any(session_key in key for key in cached)  # cached_db: in the cache …
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=session_key).exists()  # … and kept in the database
    answer = client.get(reverse("accounts:landing"))  # signed in: sent to a role's page, not to the sign-in page
    assert answer.status_code == 302
    assert reverse(settings.LOGIN_URL) not in answer["Location"]
