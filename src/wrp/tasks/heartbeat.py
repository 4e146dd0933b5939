"""The workers' heartbeat: every running `wrp worker` writes the time into the shared cache every
HEARTBEAT_SECONDS, from a daemon thread, whichever backend runs its tasks (django-tasks-db or RQ). `/health/ready`
(wrp.ops.health) and the metrics read the newest beat's age: a queue with no live worker is work that waits unseen.

One key for all workers (the newest beat wins): the question is whether anyone works the queue, not who. The cache is
the shared one (the database cache by default, Redis when configured), so every node sees every worker's beat.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.db import close_old_connections, connections

log = logging.getLogger("wrp.tasks")

HEARTBEAT_KEY = "wrp:tasks:worker-heartbeat"
HEARTBEAT_SECONDS = 15
HEARTBEAT_TTL_SECONDS = 24 * 3600  # a beat older than a day is no beat at all


def worker_beat(now: float | None = None) -> None:
    """Record that a worker is alive now."""
    caches["default"].set(HEARTBEAT_KEY, now if now is not None else time.time(), timeout=HEARTBEAT_TTL_SECONDS)


def last_beat() -> float | None:
    """The time (epoch seconds) of the newest beat of any worker, or None."""
    value = caches["default"].get(HEARTBEAT_KEY)
    return float(value) if value is not None else None


def start_heartbeat(interval: float = HEARTBEAT_SECONDS) -> threading.Event:
    """Beat now and then every `interval` seconds from a daemon thread until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                close_old_connections()
                worker_beat()
            except Exception:  # a cache or database hiccup must not end the heartbeat (nor the worker)
                log.warning("worker heartbeat: could not be written", exc_info=True)
            if stop.wait(interval):
                break
        connections.close_all()

    threading.Thread(target=loop, name="wrp-worker-heartbeat", daemon=True).start()
    return stop
