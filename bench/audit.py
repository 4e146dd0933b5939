"""Benchmark: audited writes per second with concurrent writers (make bench-scale; PostgreSQL only, not a test).

On a scratch database of the PostgreSQL server at BENCH_PG (default postgres://postgres@127.0.0.1:5432), migrated for
the platform, BENCH_CLIENTS threads (default 8) run audited transactions back to back for BENCH_SECONDS (default 10)
each: a transaction records BENCH_EVENTS audit events (default 2, as a service writing a change and its timeline
does) through `audited_atomic` / `audit_record`. Three ways, in one run:

- `head lock` — the design before issue 14, inline here: each transaction locks the single head row
  (SELECT … FOR UPDATE), then hashes and saves its events one by one and updates the head, all before it commits;
- `chainer` — today's: the events inserted in one statement, no lock; the chainer chains after commit (never
  waiting: a writer that finds it busy goes on);
- `insert only` — the same inserts with no chaining at all (the ceiling: what the chain costs on top).

Then the chainer alone on BENCH_BACKLOG (default 50,000) events inserted unchained (events chained per second, as
after the sweep's INSERT … SELECT), and `audit_verify` over the whole trail. Prints each figure and the ratios.

    .venv/bin/python bench/audit.py            # BENCH_KEEP=1 keeps the scratch database
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
from common import PG as SERVER  # noqa: E402 — bench/ is the script's own folder (BENCH_PG)
from common import drop_database, recreate_database  # noqa: E402

DB = os.environ.get("BENCH_AUDIT_DB", "wrp_bench_audit")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "2"))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "50000"))

os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
os.environ.setdefault("WRP_DATA_DIR", tempfile.mkdtemp(prefix="wrp-bench-audit-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")
sys.path.insert(0, str(ROOT))


def audited_write(n: int) -> None:
    from wrp.audit.services import audit_record, audited_atomic

    with audited_atomic():
        for step in range(EVENTS):
            audit_record(actor=None, action="bench.write", object_type="bench.thing", object_id=f"{n}.{step}",
                         changes={"status": ["a", "b"]})


def run_threads(operation: Callable[[int], Any]) -> tuple[float, int]:
    """CLIENTS threads calling `operation(i)` back to back for SECONDS: (transactions per second, failures)."""
    from django.db import connections

    barrier = threading.Barrier(CLIENTS + 1)
    counts, failures = [0] * CLIENTS, [0] * CLIENTS
    stop = threading.Event()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            while not stop.is_set():
                try:
                    operation(index * 10_000_000 + counts[index])
                    counts[index] += 1
                except Exception:
                    failures[index] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    stop.wait(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - started), sum(failures)


@contextmanager
def head_lock_design() -> Iterator[None]:
    """The chain written inside each audited transaction under the head row's lock (the design before issue 14)."""
    from django.db import transaction

    from wrp.audit import services
    from wrp.audit.hashing import GENESIS, _content, _digest
    from wrp.audit.keys import CHAIN, subkey
    from wrp.audit.models import AuditHead

    def append(events: list[Any]) -> None:
        if not events:
            return
        with transaction.atomic():
            head, _ = AuditHead.objects.select_for_update().get_or_create(id=1, defaults={"last_hash": GENESIS,
                                                                                          "count": 0})
            key = subkey(CHAIN)
            for event in events:
                head.count += 1
                event.seq, event.prev_hash = head.count, head.last_hash
                event.hash = _digest(event.prev_hash, _content(event), key)
                event.save(force_insert=True)
                head.last_hash = event.hash
            head.save(update_fields=["last_hash", "count"])

    with mock.patch.object(services, "_insert", append):
        yield


@contextmanager
def insert_only() -> Iterator[None]:
    from wrp.audit import services

    with mock.patch.object(services, "audit_chain_on_commit", return_value=None):
        yield


def backlog_chained() -> tuple[float, int]:
    """Insert BACKLOG unchained events (as an INSERT … SELECT would), then chain them: (events/s, chained)."""
    from django.utils import timezone

    from wrp.audit.models import AuditEvent
    from wrp.audit.services import audit_chain

    now = timezone.now()
    AuditEvent.objects.bulk_create(
        (AuditEvent(at=now, actor_role="system", action="bench.backlog", object_type="permits.permit",
                    object_id=str(n), changes={"status": ["valid", "expired"]}) for n in range(BACKLOG)),
        batch_size=5000,
    )
    started = time.perf_counter()
    chained = audit_chain()
    return chained / (time.perf_counter() - started), chained


def hashing_cpu(count: int = 20000) -> tuple[float, float]:
    """CPU seconds per 1,000 events to read and hash `count` chained events as the chainer did before (model
    instances, `json.dumps` and a new HMAC per event) and as it does now (`values_list` rows, one encoder, the key's
    HMAC state copied: `chain_digests`); both must give the stored hashes."""
    import hashlib
    import hmac
    import json

    from wrp.audit.hashing import CONTENT_FIELDS, GENESIS, _content, chain_digests
    from wrp.audit.keys import CHAIN, subkey
    from wrp.audit.models import AuditEvent

    key = subkey(CHAIN)
    chained = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    stored = list(chained.values_list("hash", flat=True)[:count])

    def before() -> list[str]:
        digests, previous = [], GENESIS
        for event in chained[:count]:
            text = json.dumps(_content(event), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
            previous = hmac.new(key, (previous + text).encode(), hashlib.sha256).hexdigest()
            digests.append(previous)
        return digests

    def now() -> list[str]:
        return chain_digests(GENESIS, chained.values_list(*CONTENT_FIELDS)[:count], key)

    figures = []
    for way in (before, now):
        started = time.process_time()
        assert way() == stored, way.__name__
        figures.append((time.process_time() - started) / len(stored) * 1000)
    return figures[0], figures[1]


def main() -> None:
    recreate_database(DB)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from wrp.audit.services import audit_chain, audit_verify

        call_command("migrate", verbosity=0, interactive=False)
        print(f"audited writes: {CLIENTS} threads × {SECONDS:.0f} s, {EVENTS} events per transaction "
              f"(PostgreSQL, {SERVER})", flush=True)
        results: dict[str, float] = {}
        designs: list[tuple[str, Callable[[], Any]]] = [
            ("head lock (before)", head_lock_design), ("chainer (now)", nullcontext),
            ("insert only (ceiling)", insert_only),
        ]
        for label, design in designs:
            with design():
                tps, failed = run_threads(audited_write)
            results[label] = tps
            print(f"  {label:<24} {tps:9.0f} transactions/s  ({tps * EVENTS:.0f} events/s, {failed} failed)",
                  flush=True)
        audit_chain()  # what `insert only` left
        before, now, ceiling = results["head lock (before)"], results["chainer (now)"], results["insert only (ceiling)"]
        print(f"  chainer / head lock      {now / before:9.2f}×")
        print(f"  chainer / insert only    {now / ceiling:9.2f}")
        rate, chained = backlog_chained()
        print(f"chainer alone: {chained} events chained at {rate:.0f} events/s", flush=True)
        old_cpu, new_cpu = hashing_cpu()
        print(f"reading and hashing for the chain, CPU per 1,000 events: {old_cpu * 1000:.1f} ms before "
              f"(model instances, json.dumps, hmac.new each), {new_cpu * 1000:.1f} ms now (rows, chain_digests) = "
              f"{old_cpu / new_cpu:.2f}× less", flush=True)
        started = time.perf_counter()
        result = audit_verify(chain=True)
        elapsed = time.perf_counter() - started
        print(f"audit_verify: {'intact' if result.ok else 'BROKEN: ' + result.reason}, {result.checked} events in "
              f"{elapsed:.1f} s ({result.checked / elapsed:.0f} events/s)")
        if not result.ok:
            sys.exit(1)
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP"):
            drop_database(DB)


if __name__ == "__main__":
    main()
