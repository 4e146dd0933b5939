"""Abuse limits: the one mechanism every door uses — counters in the shared cache.

A rate such as `10/m`, `20/10s` or `30/h` allows that many hits per fixed window of time (windows start on the
clock: a minute's window starts at :00, so a client may spend two windows' worth across a boundary, never more).
`limit_hit` counts one hit and says whether it was within the rate, and if not, how many seconds remain until the
window ends (the `Retry-After`); `limit_peek` asks the same without counting (for limits that count misses, decided
before the work and counted after it); `limit_turn` lets one hit through per so many seconds (an account under
attack is slowed, not locked). Scopes name what is limited (`signin:address`, `api:bad-token`, …); keys are whom
(an address, a username): they are hashed with the secret key before they reach the cache, so no address or
username lies there in clear.

The counters live in `settings.CACHES["default"]`: the database cache (`wrp.core.cache.DatabaseCache`, whose `incr`
counts under a row lock and keeps the expiry), shared by every worker process, or Redis when configured (its `incr`
is atomic and keeps the key's expiry too). Nothing is counted in a process's memory.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.utils.crypto import salted_hmac

RATE_SHAPE = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)?([smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
KEY_SALT = "wrp.core.ratelimit"


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Decision:
    """Whether the hit may go on; when not, the whole seconds until it may (at least 1)."""

    allowed: bool
    retry_after: int = 0
    count: int = 0


def parse_rate(text: str) -> Rate:
    """`N/m`, `N/30s`, `N/h`, `N/d` → Rate; ValueError for anything else."""
    match = RATE_SHAPE.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a rate: write hits/period, e.g. 10/m, 20/10s, 30/h")
    limit, multiple, unit = match.groups()
    return Rate(limit=int(limit), seconds=int(multiple or 1) * UNIT_SECONDS[unit])


def _rate(rate: str | Rate) -> Rate:
    return rate if isinstance(rate, Rate) else parse_rate(rate)


def _cache() -> BaseCache:
    return caches["default"]


def hashed(key: str) -> str:
    """The cache's name for a key: keyed (HMAC with the secret key), so a small space of addresses cannot be undone."""
    return salted_hmac(KEY_SALT, key, algorithm="sha256").hexdigest()[:32]


def _window(rate: Rate) -> tuple[int, int]:
    """The current window's number and the whole seconds left in it (at least 1)."""
    now = time.time()
    index = int(now // rate.seconds)
    return index, max(1, math.ceil((index + 1) * rate.seconds - now))


def window_left(rate: str | Rate) -> int:
    """Whole seconds until the current window of the rate ends (the same for every key)."""
    return _window(_rate(rate))[1]


def _counter(scope: str, key: str, rate: Rate, window: int) -> str:
    return f"wrp:rl:{scope}:{rate.seconds}:{hashed(key)}:{window}"


def limit_hit(scope: str, key: str, *, rate: str | Rate) -> Decision:
    """Count one hit of `key` in `scope`; allowed while the window's count stays within the rate."""
    checked = _rate(rate)
    window, left = _window(checked)
    cache, counter = _cache(), _counter(scope, key, checked, window)
    cache.add(counter, 0, timeout=left + 1)
    try:
        count = int(cache.incr(counter))
    except ValueError:  # expired between add and incr: the window has just turned
        cache.set(counter, 1, timeout=left + 1)
        count = 1
    allowed = count <= checked.limit
    return Decision(allowed=allowed, retry_after=0 if allowed else left, count=count)


def limit_peek(scope: str, key: str, *, rate: str | Rate) -> Decision:
    """Would one more hit be within the rate? Counts nothing."""
    checked = _rate(rate)
    window, left = _window(checked)
    count = int(_cache().get(_counter(scope, key, checked, window)) or 0)
    allowed = count < checked.limit
    return Decision(allowed=allowed, retry_after=0 if allowed else left, count=count)


def limit_clear(scope: str, key: str, *, rate: str | Rate) -> None:
    """Forget the current window's count (a success that ends a run of failures)."""
    checked = _rate(rate)
    window, _left = _window(checked)
    _cache().delete(_counter(scope, key, checked, window))


def limit_turn(scope: str, key: str, *, seconds: int) -> Decision:
    """One hit per `seconds` for `key`, measured from the hit let through (not from the clock's windows)."""
    cache, name = _cache(), f"wrp:rl:{scope}:turn:{hashed(key)}"
    now = time.time()
    if cache.add(name, now + seconds, timeout=seconds):
        return Decision(allowed=True, count=1)
    next_turn = cache.get(name)
    if next_turn is None:  # lapsed between the two calls: take the turn
        cache.set(name, now + seconds, timeout=seconds)
        return Decision(allowed=True, count=1)
    return Decision(allowed=False, retry_after=max(1, math.ceil(float(next_turn) - now)), count=2)
