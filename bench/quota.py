"""Benchmark: quota reservations against `pgbench -N` (make bench-scale; PostgreSQL only, not part of the test suite).

On two scratch databases of the PostgreSQL server at BENCH_PG (default postgres://postgres@127.0.0.1:5432): one
migrated for the platform with BENCH_UNITS units, each with a large grant for this year; one initialised by pgbench.
BENCH_CLIENTS clients (default 8: threads split over BENCH_PROCESSES processes, default one per core as the server
runs) reserve one quota unit at a time for BENCH_SECONDS (default 10) each, every reservation its own transaction on
a unit drawn at random, through the service (`quota_reserve_if_left`: on PostgreSQL one statement that changes the
ledger and inserts its audit event; the chainer throttled by AUDIT_CHAIN_INTERVAL_MS); then the same with the chainer
run after every commit (AUDIT_CHAIN_INTERVAL_MS=0, as before the throttle), the reservation's UPDATE alone (no audit
event), and a bare `UPDATE … SET reserved = reserved + 1` in autocommit — against pgbench's simple-update
transactions with the same client count, run before and after (their mean is the reference). Also counts the
statements of one reservation. Target (issue 14): reservations ≥ 30 % of pgbench's TPS.

    .venv/bin/python bench/quota.py            # BENCH_KEEP=1 keeps the scratch databases
"""

from __future__ import annotations

import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
from common import PG as SERVER  # noqa: E402 — bench/ is the script's own folder (BENCH_PG)
from common import drop_database, recreate_database  # noqa: E402

WRP_DB = os.environ.get("BENCH_QUOTA_DB", "wrp_bench_quota")
PGBENCH_DB = os.environ.get("BENCH_PGBENCH_DB", "wrp_bench_pgbench")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
# The clients are threads of this many processes (default: one per core, as wrp.config.gunicorn starts its workers);
# BENCH_PROCESSES=1 is one process's threads, as the figures before the last round were measured.
PROCESSES = max(1, min(CLIENTS, int(os.environ.get("BENCH_PROCESSES", str(os.cpu_count() or 1)))))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
UNITS = int(os.environ.get("BENCH_UNITS", "1000"))
TARGET = 0.30
# Issue 14's count before: get_or_create + SELECT … FOR UPDATE, a savepointed UPDATE, a refresh, the head row's append.
BEFORE_STATEMENTS = 13

os.environ["DATABASE_URL"] = f"{SERVER}/{WRP_DB}"
os.environ.setdefault("WRP_DATA_DIR", tempfile.mkdtemp(prefix="wrp-bench-quota-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")
sys.path.insert(0, str(ROOT))


# --- pgbench ------------------------------------------------------------------------------------------------------


def pgbench_binary() -> str:
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True)
    found = shutil.which("pgbench") or next(iter(installed), None)
    if not found:
        sys.exit("pgbench not found: apt-get install -y postgresql-contrib (or the server's client package)")
    return found


def pgbench_init(binary: str) -> None:
    recreate_database(PGBENCH_DB)
    subprocess.run([binary, "-i", "-q", "-s", str(max(1, CLIENTS // 2)), f"{SERVER}/{PGBENCH_DB}"], check=True,
                   capture_output=True)


def pgbench_tps(binary: str) -> float:
    result = subprocess.run(
        [binary, "-N", "-n", "-c", str(CLIENTS), "-j", str(min(CLIENTS, os.cpu_count() or 2)), "-T", str(int(SECONDS)),
         f"{SERVER}/{PGBENCH_DB}"],
        check=True, capture_output=True, text=True,
    )
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", result.stdout)
    if match is None:
        sys.exit(f"could not read pgbench's tps:\n{result.stdout}\n{result.stderr}")
    return float(match.group(1))


# --- the platform ---------------------------------------------------------------------------------------------------


def prepare() -> tuple[list[int], int]:
    """Migrate the scratch database; make the units and their ledgers of this year with a grant that never runs out."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from tests.factories import make_unit

    from wrp.quotas.models import QuotaLedger

    call_command("migrate", verbosity=0, interactive=False)
    year = timezone.localdate().year
    units = [make_unit().pk for _ in range(UNITS)]
    QuotaLedger.objects.bulk_create(QuotaLedger(unit_id=pk, year=year, granted=2_000_000_000) for pk in units)
    return units, year


def run_threads(operation: Callable[[int], Any], units: list[int]) -> tuple[float, int]:
    """CLIENTS clients calling `operation(unit_id)` back to back for SECONDS, as threads split over PROCESSES forked
    processes (the server's shape: one worker process per core, threads in each): (operations per second, failures).
    All the clients start together (one barrier across the processes) and each process counts for SECONDS."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # no connection crosses the fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(CLIENTS)
    results = context.Queue()
    shares = [CLIENTS // PROCESSES + (index < CLIENTS % PROCESSES) for index in range(PROCESSES)]
    processes = [context.Process(target=_clients, args=(operation, units, first, share, barrier, results))
                 for first, share in zip(_firsts(shares), shares, strict=True) if share]
    for process in processes:
        process.start()
    rates, failed = zip(*(results.get() for _ in processes), strict=True)
    for process in processes:
        process.join()
    return sum(rates), sum(failed)


def _firsts(shares: list[int]) -> list[int]:
    return [sum(shares[:index]) for index in range(len(shares))]


def _clients(operation: Callable[[int], Any], units: list[int], first: int, share: int, barrier: Any,
             results: Any) -> None:
    """One process's clients (threads `first` … `first + share - 1`): its rate and failures, put on `results`."""
    from django.db import connections

    counts = [0] * share
    failures = [0] * share
    stop = threading.Event()

    def work(index: int) -> None:
        draw = random.Random(first + index).choice
        operation(draw(units))  # open the thread's connection before the clock starts
        barrier.wait()
        try:
            while not stop.is_set():
                try:
                    operation(draw(units))
                    counts[index] += 1
                except Exception:  # counted and reported: the figure is worthless if this is not 0
                    failures[index] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(share)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    from wrp.audit.chainer import _chain_rounds

    _chain_rounds()  # what this process's deferred run still owes, before it goes (as a recycled worker does)
    results.put((sum(counts) / elapsed, sum(failures)))


def reserve_through_the_service(year: int) -> Callable[[int], Any]:
    from wrp.quotas.services import quota_reserve_if_left
    from wrp.units.models import Unit

    def reserve(unit_id: int) -> None:
        if quota_reserve_if_left(unit=Unit(pk=unit_id), year=year) is None:
            raise RuntimeError("quota exhausted")

    return reserve


def bare_update(year: int) -> Callable[[int], Any]:
    from django.db import connection

    def update(unit_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE quotas_quotaledger SET reserved = reserved + 1 WHERE unit_id = %s AND year = %s",
                           [unit_id, year])

    return update


def update_alone(year: int) -> Callable[[int], Any]:
    """The reservation's conditional UPDATE … RETURNING without its audit event (what the audit record costs)."""
    from django.db import connection

    from wrp.quotas.services import _RETURNING, _TABLE

    def update(unit_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_TABLE} SET reserved = reserved + 1 WHERE unit_id = %s AND year = %s "
                           f"AND granted - reserved - used >= 1 {_RETURNING}", [unit_id, year])
            if cursor.fetchone() is None:
                raise RuntimeError("quota exhausted")

    return update


@contextmanager
def chained_after_each_commit() -> Iterator[None]:
    """The chainer as it ran before its throttle: after every commit, in the committing thread."""
    from django.test import override_settings

    with override_settings(AUDIT_CHAIN_INTERVAL_MS=0):
        yield


def chain_complete() -> str:
    """After the runs: what the deferred runs left, chained, and the chain verified (it must be whole)."""
    from wrp.audit.models import AuditEvent
    from wrp.audit.services import audit_chain, audit_verify

    events = AuditEvent.objects.count()
    left = audit_chain()
    result = audit_verify()
    state = "intact" if result.ok and not result.unchained and result.checked == events else f"BROKEN {result}"
    return f"{events} audit events, {left} left for the final chainer run, chain {state}"


def statements(year: int, unit_id: int) -> dict[str, int]:
    """The statements of one reservation in its own transaction (after a first one: the steady state), split into its
    transaction and what runs after its commit (the audit chainer); and of the race tests' lock-then-reserve path."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from wrp.quotas.services import quota_lock, quota_reserve, quota_reserve_if_left
    from wrp.units.models import Unit

    unit = Unit(pk=unit_id)
    quota_reserve_if_left(unit=unit, year=year)
    with CaptureQueriesContext(connection) as single:
        quota_reserve_if_left(unit=unit, year=year)
    with CaptureQueriesContext(connection) as locked, transaction.atomic():
        quota_reserve(ledger=quota_lock(unit=unit, year=year))
    sql = [query["sql"] for query in single.captured_queries]
    commit = next((index for index, text in enumerate(sql) if text.strip().upper() == "COMMIT"), len(sql) - 1)
    own = sql[: commit + 1]
    return {
        "transaction": len(own),
        "quota": sum("quotas_quotaledger" in text for text in own),
        "audit": sum("audit_" in text for text in own),
        "after_commit": len(sql) - len(own),
        "lock_then_reserve": len(locked.captured_queries),
    }


def main() -> None:
    binary = pgbench_binary()
    recreate_database(WRP_DB)
    try:
        units, year = prepare()
        pgbench_init(binary)
        from django.db import connections

        counted = statements(year, units[0])
        connections.close_all()
        figures: dict[str, tuple[float, int]] = {}
        before = pgbench_tps(binary)
        figures["service"] = run_threads(reserve_through_the_service(year), units)
        with chained_after_each_commit():
            figures["service, chained per commit"] = run_threads(reserve_through_the_service(year), units)
        chain_check = chain_complete()
        figures["its UPDATE, no audit event"] = run_threads(update_alone(year), units)
        figures["bare UPDATE"] = run_threads(bare_update(year), units)
        after = pgbench_tps(binary)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            from django.db import connections

            connections.close_all()
            drop_database(WRP_DB)
            drop_database(PGBENCH_DB)
    reference = (before + after) / 2
    print(f"Quota reservations vs pgbench -N, {CLIENTS} clients ({PROCESSES} processes), {SECONDS:g} s each, "
          f"{UNITS} units")
    print(f"  statements per reservation: {counted['transaction']} (its transaction; quota ledger in "
          f"{counted['quota']}, audit event in {counted['audit']}) + {counted['after_commit']} after its commit "
          f"(audit chainer); before issue 14: {BEFORE_STATEMENTS}; quota_lock + quota_reserve today: "
          f"{counted['lock_then_reserve']}")
    print(f"  pgbench -N: {before:9.0f} tps before, {after:9.0f} after, mean {reference:9.0f}")
    for name, (rate, failed) in figures.items():
        note = f"  ({failed} failed!)" if failed else ""
        print(f"  {name:<26} {rate:9.0f} /s   {rate / reference:6.2f}× pgbench{note}")
    from django.conf import settings

    print(f"  after-commit chaining at most every {settings.AUDIT_CHAIN_INTERVAL_MS} ms per process "
          f"(AUDIT_CHAIN_INTERVAL_MS; 'chained per commit': 0, as before); {chain_check}")
    ratio = figures["service"][0] / reference
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(f"  reservations / pgbench TPS = {ratio:.2f} ({verdict} the target ≥ {TARGET:.2f})")


if __name__ == "__main__":
    main()
