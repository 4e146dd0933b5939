"""With WEB_ACTIVE=N, at most N requests of a worker process run the platform's code at once; its other threads wait.

A gunicorn worker has WEB_THREADS threads (8) so that a request that waits — the API's upload answer polling for its
verdict, a client sending its body slowly — holds a thread, not the process. But only one thread of a process runs
Python at a time, and CPU-bound requests then take turns on that lock every few milliseconds. Admission bounds how many
take turns: each thread takes a slot before Django sees the request and gives it back when Django answers; a thread
waiting for a slot sleeps on a lock. Off by default (wrp.config.wsgi): on this shared 2-core machine the measurements
of 2026-12-03 did not settle whether it helps (docs/deploy.md §Server configuration) — 2 workers × 2 threads served
the heaviest pages more requests/s than 2 × 8 in 7 of 8 paired runs, and 2 × 8 with WEB_ACTIVE=2 fell between the
two.

Waits do not keep a slot: the request body is read before the slot is taken (up to MAX_REQUEST_BYTES; a longer one is
left to RequestSizeMiddleware to refuse unread), and code that waits on purpose steps out with `waiting()` — the API's
upload answer while it polls for the worker's verdict, the sign-in while it waits for the identity provider. The
response body is sent after the slot is given back, so a download to a slow client holds its thread only.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

READ_CHUNK = 64 * 1024
IN_MEMORY = 1024 * 1024  # a body up to this size is held in memory while it waits for its slot; a larger one on disk

_held = threading.local()


class Admission:
    """WSGI middleware: the wrapped application runs for at most `slots` requests at once."""

    def __init__(self, application: Callable[..., Iterable[bytes]], slots: int, *, body_limit: int) -> None:
        self.application = application
        self.size = slots
        self.slots = threading.BoundedSemaphore(slots)
        self.body_limit = body_limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _read_body_first(environ, self.body_limit)
        with self.slots:
            _held.semaphore = self.slots
            try:
                return self.application(environ, start_response)
            finally:
                _held.semaphore = None


@contextlib.contextmanager
def waiting() -> Iterator[None]:
    """Give this request's slot to another while the block waits (a sleep, a poll), and take one back after it."""
    semaphore = getattr(_held, "semaphore", None)
    if semaphore is None:  # not under Admission (tests, `make dev`, the worker): nothing to give back
        yield
        return
    semaphore.release()
    _held.semaphore = None
    try:
        yield
    finally:
        semaphore.acquire()
        _held.semaphore = semaphore


def _read_body_first(environ: dict[str, Any], limit: int) -> None:
    """Read a declared body of up to `limit` bytes now, so a slow sender waits without a slot; Django then reads it
    from memory (or a temporary file). A body longer than the limit, or without a length (chunked), is left as it
    arrived: the first is refused unread, the second read capped, by RequestSizeMiddleware."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length <= 0 or length > limit:
        return
    source = environ["wsgi.input"]
    body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 — Django reads it; closed with the request
    remaining = length
    while remaining:
        part = source.read(min(READ_CHUNK, remaining))
        if not part:
            break  # the client sent less than it declared: Django reads what arrived, as it would have
        body.write(part)
        remaining -= len(part)
    body.seek(0)
    environ["wsgi.input"] = body
