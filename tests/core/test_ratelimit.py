"""The one rate-limit mechanism (wrp.core.ratelimit): rates, windows, turns, hashed keys, and counts that live in the
shared database cache — two cache connections (two worker processes) see one count, nothing is kept in memory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tests.clock import beijing
from wrp.config.env import env_rate
from wrp.core import ratelimit
from wrp.core.ratelimit import Rate, limit_clear, limit_hit, limit_peek, limit_turn, parse_rate

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "wrp"


@pytest.fixture
def frozen_moment():
    return beijing(2026, 11, 26, 10, 0, 30)  # half-way through a minute


@pytest.fixture(autouse=True)
def _fresh_cache(frozen_clock):
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.parametrize(
    ("text", "rate"),
    [("10/m", Rate(10, 60)), ("20/10s", Rate(20, 10)), ("30/h", Rate(30, 3600)), ("1/d", Rate(1, 86400)),
     ("5/15m", Rate(5, 900)), ("120/1m", Rate(120, 60))],
    ids=["per-minute", "per-ten-seconds", "per-hour", "per-day", "per-fifteen-minutes", "explicit-one"],
)
def test_a_rate_is_hits_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["10", "0/m", "10/x", "m/10", "10/0s", "-1/m", "ten/m", ""],
                         ids=["no-period", "zero-hits", "unknown-unit", "reversed", "zero-period", "negative", "words",
                              "empty"])
def test_a_malformed_rate_is_refused_by_the_parser_and_at_start_up(text, monkeypatch):
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(text)
    monkeypatch.setenv("RATE_LIMIT_TEST", text or "x")
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_TEST"):
        env_rate("RATE_LIMIT_TEST", "10/m")


def test_hits_within_the_rate_pass_and_the_next_waits_for_the_window_to_end():
    decisions = [limit_hit("test", "203.0.113.7", rate="3/m") for _ in range(4)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 30  # the minute's window ends at :00, 30 seconds from now


def test_the_next_window_starts_afresh(frozen_clock):
    for _ in range(4):
        limit_hit("test", "203.0.113.7", rate="3/m")
    frozen_clock.shift(timedelta(seconds=31))
    assert limit_hit("test", "203.0.113.7", rate="3/m").allowed


def test_keys_and_scopes_are_counted_apart():
    for _ in range(3):
        limit_hit("test", "203.0.113.7", rate="3/m")
    assert not limit_hit("test", "203.0.113.7", rate="3/m").allowed
    assert limit_hit("test", "203.0.113.8", rate="3/m").allowed
    assert limit_hit("other", "203.0.113.7", rate="3/m").allowed


def test_peeking_counts_nothing_and_clearing_forgets():
    for _ in range(5):
        assert limit_peek("test", "alice", rate="2/m").allowed
    limit_hit("test", "alice", rate="2/m")
    limit_hit("test", "alice", rate="2/m")
    refused = limit_peek("test", "alice", rate="2/m")
    assert (refused.allowed, refused.retry_after, refused.count) == (False, 30, 2)
    limit_clear("test", "alice", rate="2/m")
    assert limit_peek("test", "alice", rate="2/m").allowed


def test_a_turn_lets_one_hit_through_per_interval_measured_from_that_hit(frozen_clock):
    assert limit_turn("test", "alice", seconds=30).allowed
    frozen_clock.shift(timedelta(seconds=10))
    waiting = limit_turn("test", "alice", seconds=30)
    assert (waiting.allowed, waiting.retry_after) == (False, 20)
    frozen_clock.shift(timedelta(seconds=21))
    assert limit_turn("test", "alice", seconds=30).allowed
    assert not limit_turn("test", "alice", seconds=30).allowed


def test_no_address_or_username_is_stored_in_clear_in_the_cache():
    limit_hit("signin:address", "203.0.113.7", rate="3/m")
    limit_turn("signin:account", "zhang.san", seconds=30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM wrp_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 2
    assert not any("203.0.113.7" in key or "zhang.san" in key for key in keys)


def test_two_cache_connections_count_one_count(monkeypatch):
    """Each hit through a cache client of its own, as if each came to another worker process: they add up."""
    monkeypatch.setattr(ratelimit, "_cache", lambda: caches.create_connection("default"))
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    decisions = [limit_hit("test", "203.0.113.7", rate="5/m") for _ in range(6)]
    assert [decision.count for decision in decisions] == [1, 2, 3, 4, 5, 6]
    assert not decisions[-1].allowed
    monkeypatch.setattr(ratelimit, "_cache", lambda: second)
    assert limit_peek("test", "203.0.113.7", rate="5/m").count == 6


def test_the_counts_live_in_the_database_table_not_in_process_memory(monkeypatch):
    for _ in range(3):
        limit_hit("test", "203.0.113.7", rate="3/m")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM wrp_cache WHERE cache_key LIKE %s", ["%wrp:rl:test:%"])
        assert cursor.fetchone()[0] == 1
    monkeypatch.setattr(ratelimit, "_cache", lambda: caches.create_connection("default"))  # a fresh process's client
    assert not limit_peek("test", "203.0.113.7", rate="3/m").allowed


def test_every_door_reads_the_client_address_from_one_place():
    """No module but wrp.core.clientaddr reads REMOTE_ADDR or X-Forwarded-For (a second reading would drift)."""
    readers = sorted(
        str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
        if path.name != "clientaddr.py" and any(name in path.read_text(encoding="utf-8")
                                                for name in ('"REMOTE_ADDR"', "HTTP_X_FORWARDED_FOR", "get_ident("))
    )
    assert readers == []
