"""The chainer: the one writer of the chain, off the services' path.

Services only insert events (their content; `seq`, `prev_hash` and `hash` empty) and take no lock for it, so audited
writes no longer queue on one row. `audit_chain` then gives the events that are not yet chained, in the order it sees
them (by id), their place (`seq`, 1, 2, 3 …), their link to the one before and their keyed hash, in batches — each
batch under the head row's lock, which nothing but the chainer takes. An event whose transaction commits late is
simply chained later: the chain's order is `seq`, not id. The append-only triggers let the chain columns be set once,
from empty, and nothing else (wrp.audit.triggers).

Who runs it: after an audited transaction commits (`audit_chain_on_commit`), without waiting — when another chainer
holds the lock it skips, and that chainer looks again for events once it has let the lock go, so an event committed
while it worked is not left behind. A process chains after a commit at most once per AUDIT_CHAIN_INTERVAL_MS: the
first commit after a quiet moment chains at once; a commit within the interval leaves its events to one deferred run
of the process, at the end of the interval, in a thread of its own (or sooner, in the commit's thread, once
AUDIT_CHAIN_PENDING events of the process wait). Under load one run chains the events of many transactions in one
batch (one head lock, one UPDATE, one COMMIT) instead of a run per transaction whose statements cost more than the
transaction's own. `wrp audit verify`, `wrp audit anchor` and the hourly `audit.anchor` job chain first (the safety
net when a chainer failed, or a process died before its deferred run; one that exits normally chains first). An event
waits for its chain a moment after its commit (at most about the interval): tamper evidence for it starts then, and
the anchors name only chained events. AUDIT_CHAIN_INTERVAL_MS = 0 chains after every commit in the committing thread
(the tests: an event is chained as soon as its transaction commits).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wrp.audit.hashing import CONTENT_FIELDS, GENESIS, chain_digests
from wrp.audit.keys import CHAIN, subkey
from wrp.audit.models import AuditEvent, AuditHead

log = logging.getLogger("wrp.audit")

CHAIN_BATCH = 1000
# An after-commit run stops looking again after this many batches (a busy platform keeps one request chaining for
# everyone otherwise); whatever is left is chained by the next audited commit, or the hourly job.
AFTER_COMMIT_BATCHES = 50
AFTER_COMMIT_ROUNDS = 5
_chaining = threading.Lock()  # one after-commit chainer per process at a time
# The process's throttle (AUDIT_CHAIN_INTERVAL_MS, AUDIT_CHAIN_PENDING): when its last after-commit run started
# (time.monotonic) and how many events its commits inserted since. Read and written without a lock: a lost update
# only moves a run by one commit.
_throttle = {"started": float("-inf"), "waiting": 0}
DEFAULT_INTERVAL_MS = 200
DEFAULT_PENDING = CHAIN_BATCH
# The deferred run: one daemon thread per process (started on the first throttled commit), woken by `_wake`.
_wake = threading.Event()
_deferred: dict[str, threading.Thread | None] = {"thread": None}
# An event chained longer than this after its time is logged: a transaction that long, or a row someone inserted.
LATE = timedelta(minutes=10)


def audit_chain(limit: int | None = None, *, wait: bool = True, batch: int = CHAIN_BATCH,
                max_batches: int | None = None) -> int:
    """Chain the events waiting for it (at most `limit`); how many were chained.

    `wait=False` gives up at once when another chainer holds the lock (it chains what is left). Each batch is its own
    transaction (unless the caller's transaction holds them all). When a batch finds fewer events than it could take,
    the chainer looks once more after letting the lock go, for events committed meanwhile whose own after-commit run
    skipped because this one held the lock.
    """
    chained = batches = 0
    while limit is None or chained < limit:
        if max_batches is not None and batches >= max_batches:
            break
        size = batch if limit is None else min(batch, limit - chained)
        done = _chain_batch(size, wait=wait)
        batches += 1
        if done is None:
            break  # another chainer holds the lock; it looks again once it lets go
        chained += done
        if done < size and not AuditEvent.objects.filter(hash__isnull=True).exists():
            break
    return chained


def audit_chain_on_commit(events: int = 1) -> None:
    """Chain the new events (`events` of them) once the running transaction commits (at once outside a transaction),
    never waiting, and at most once per AUDIT_CHAIN_INTERVAL_MS in this process (see the module's text)."""
    transaction.on_commit(lambda: _chain_after_commit(events))


def _interval() -> float:
    return max(0, getattr(settings, "AUDIT_CHAIN_INTERVAL_MS", DEFAULT_INTERVAL_MS)) / 1000


def _throttled(events: int) -> bool:
    """Count the committed events; whether this process chained less than AUDIT_CHAIN_INTERVAL_MS ago and fewer than
    AUDIT_CHAIN_PENDING events wait since (then the deferred run chains them). Otherwise the run starts now."""
    interval = _interval()
    waiting = _throttle["waiting"] = _throttle["waiting"] + events
    now = time.monotonic()
    if interval > 0 and now - _throttle["started"] < interval and \
            waiting < getattr(settings, "AUDIT_CHAIN_PENDING", DEFAULT_PENDING):
        return True
    _throttle["started"], _throttle["waiting"] = now, 0
    return False


def _chain_after_commit(events: int = 1) -> None:
    """Chain, unless this process chained a moment ago (`_throttled`: then its deferred run will), a thread of this
    process already does (it looks again once it is done) or a chainer of another process holds the database lock
    (likewise). The in-process lock spares the other threads any round trip."""
    if _throttled(events):
        _defer()
        return
    _chain_rounds()


def _defer() -> None:
    """Have the process's deferred run chain at the end of the interval (starting its thread the first time)."""
    _wake.set()
    thread = _deferred["thread"]
    if thread is None or not thread.is_alive():
        thread = threading.Thread(target=_deferred_loop, name="wrp-audit-chainer", daemon=True)
        _deferred["thread"] = thread
        thread.start()


def _deferred_loop() -> None:
    """The deferred run's thread: woken by a throttled commit, wait for the end of the interval, then chain."""
    while True:
        _wake.wait()
        _deferred_once()


def _deferred_once() -> None:
    """One deferred run: wait until the interval since the last run has passed, then chain as a commit would."""
    delay = _throttle["started"] + _interval() - time.monotonic()
    if delay > 0:
        time.sleep(delay)  # the throttle itself: the commits of the interval are chained together after it
    _wake.clear()  # a commit from now on wakes the thread again
    _throttle["started"], _throttle["waiting"] = time.monotonic(), 0
    try:
        _chain_rounds()
    finally:  # this thread's own connection, closed between runs: nothing held open while the process idles
        connection.close()


def _chain_rounds() -> None:
    for _round in range(AFTER_COMMIT_ROUNDS):
        if not _chaining.acquire(blocking=False):
            return
        try:
            audit_chain(wait=False, max_batches=AFTER_COMMIT_BATCHES)
        except Exception:  # the change is committed: its request must not fail; the next run chains the events
            log.exception("audit chainer failed; the events wait for the next run")
            return
        finally:
            _chaining.release()
        # Threads that committed while this one chained skipped: their events are seen now, after the release.
        if not AuditEvent.objects.filter(hash__isnull=True).exists():
            return


def _at_exit() -> None:
    """A process that ends with a deferred run due (a command, a recycled server worker) chains before it goes."""
    if _wake.is_set():
        try:
            _chain_rounds()
        except Exception:  # the database is gone already: the next commit or the hourly job chains them
            log.exception("audit chainer at exit failed; the events wait for the next run")


atexit.register(_at_exit)


def _after_fork() -> None:
    """A forked process (a server's worker) starts with no deferred thread, no lock held, and its own throttle."""
    global _chaining, _wake
    _chaining, _wake = threading.Lock(), threading.Event()
    _deferred["thread"] = None
    _throttle["started"], _throttle["waiting"] = float("-inf"), 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _chain_batch(size: int, *, wait: bool) -> int | None:
    """Chain up to `size` events under the head's lock; None when `wait` is off and another chainer holds it."""
    with transaction.atomic():
        head = _head_locked(wait=wait)
        if head is None:
            return None
        rows = list(AuditEvent.objects.filter(hash__isnull=True).order_by("id")
                    .values_list("id", *CONTENT_FIELDS)[:size])
        if not rows:
            return 0
        links = [head.last_hash, *chain_digests(head.last_hash, (row[1:] for row in rows), subkey(CHAIN))]
        chain = [(row[0], head.count + n, links[n - 1], links[n]) for n, row in enumerate(rows, start=1)]
        _chain_columns_write(chain)
        head.count, head.last_hash = chain[-1][1], chain[-1][3]
        head.save(update_fields=["last_hash", "count"])
    _log_late([(row[0], row[1]) for row in rows])
    return len(rows)


def _chain_columns_write(chain: list[tuple[int, int, str, str]]) -> None:
    """Set the chain columns (id, seq, prev_hash, hash) of the events in one statement, joined on their ids (a CASE
    per column, as bulk_update writes it, costs each row a scan of every branch)."""
    rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, %s)"] * len(chain))
    params = [value for link in chain for value in link]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH chained (id, seq, prev_hash, hash) AS (VALUES {rows}) "
            "UPDATE audit_auditevent SET seq = chained.seq, prev_hash = chained.prev_hash, hash = chained.hash "
            "FROM chained WHERE audit_auditevent.id = chained.id",
            params,
        )


def _head_locked(*, wait: bool) -> AuditHead | None:
    """The head row, locked for this transaction; None when another chainer holds it and `wait` is off. The row is
    made on a new trail by an insert that does nothing when it exists (and waits on no lock: the same two statements
    every time). On SQLite the transaction's write lock (BEGIN IMMEDIATE) already makes the chainer single."""
    AuditHead.objects.bulk_create([AuditHead(id=1, last_hash=GENESIS, count=0)], ignore_conflicts=True)
    return AuditHead.objects.select_for_update(skip_locked=not wait).filter(id=1).first()


def _log_late(events: list[tuple[int, datetime]]) -> None:
    cutoff = timezone.now() - LATE
    late = [pk for pk, at in events if at < cutoff]
    if late:
        log.warning("audit chainer: %d events chained more than %s after their time (first id %s)", len(late), LATE,
                    late[0])
