"""Running calls at the same instant, for the PostgreSQL concurrency tests (SQLite serialises every writer and proves
nothing): one thread per call, all released by one barrier, each closing its own database connections at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections


def run_concurrently(
    calls: Callable[[], Any] | Sequence[Callable[[], Any]], times: int | None = None, *, timeout: float = 120
) -> list[Any]:
    """Run each call (or `calls` itself `times` times) in its own thread, released together; return, in the order of
    the calls, what each returned or the exception it raised. Fails if a thread is still running after `timeout`."""
    if callable(calls):
        calls = [calls] * (times or 1)
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [RuntimeError("did not finish")] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as error:  # the caller decides which exceptions are outcomes and which are failures
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in time"
    return results
