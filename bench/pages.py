"""Benchmark: the main pages and the API list against a signed-in bare Django view (issue 14 item 8; not a test).

A fresh PostgreSQL database (dropped at the end) with the demo and 10,000 scale cases (`wrp demo --scale`), then
`VACUUM ANALYZE` (what autovacuum does to a live database; without it the planner guesses on empty statistics and the
counts read the heap instead of the index). bench/bare_settings.py adds `/bench/bare/` — HttpResponse("ok") behind
login_required: the same middleware, session and user as the pages, none of their work — to the platform's URLs.
Each page is asked for by its demo user's signed-in session (staff with their second factor).

Three measures, in this order:

1. **CPU per request in-process** (`--in-process`, also printed first by a full run): the Django test client in this
   process, each page requested BENCH_CPU_REQUESTS (30) times after 3 warm-up requests; `time.process_time()` per
   request (the application's CPU: middleware, view, ORM, templates — not the database server's), median and minimum,
   the queries of one request and the page's CPU as a multiple of the bare view's. CPU time hardly depends on the
   machine's load (the wall clock does), so this is the measure to compare versions of the code on a busy machine.
   `--database URL` measures against an existing database (no set-up, nothing dropped; WRP_DATA_DIR its data
   directory, for the keys); with it and without `--in-process` all three measures run against that database, so
   versions of the code or server shapes (WEB_WORKERS, WEB_THREADS, WEB_ACTIVE) can be compared on the same data.
2. **Closed loop** (throughput): gunicorn as production starts it — `-c python:wrp.config.gunicorn` (gthread, one
   worker per core × 8 threads on PostgreSQL; access log off) — loaded by `wrk` (bench/ensure-tools.sh; else a
   threaded Python client) with BENCH_CONNECTIONS (50) connections each sending its next request as soon as the last
   answer arrives, for BENCH_SECONDS (10): requests/s and its share of the bare view's (target ≥ 25 %). The bare view
   is loaded for BENCH_BRACKET_SECONDS (5) just before and just after each page, and the page's share is of their
   mean: on a machine whose speed drifts (a shared virtual machine: the bare view's rate moved by half within one run
   on 2026-12-03), page and yardstick are then measured under the same conditions. Beside each rate: the server's CPU
   per request over the run (gunicorn's processes + their PostgreSQL backends, from /proc), which drifts much less
   than the rate when other work shares the machine, and the share of the bare view's CPU per request it is (what
   the page's share of requests/s would be on cores the server had to itself), and the busiest worker's share of the
   workers' CPU (near 50 % on 2 workers; 100 %: one worker served every connection, wrp.config.gunicorn's
   WEB_KEEPALIVE_LIFETIME_MS). Its p99 is no latency target: with
   50 requests always outstanding, p99 ≈ 50 ÷ throughput (Little's law), so even the bare view (≈ 450 req/s on 2
   cores) sits near 110–200 ms.
3. **Open loop** (latency): the same 50 connections, but requests *arrive* at a fixed rate whatever the answers do —
   BENCH_OPEN_SHARE (50 %) of the rate that page reached in the closed loop — for BENCH_SECONDS, by a small asyncio
   client in this process (`open_loop`); each latency is measured from the moment its request was due, so a request
   that waited for a free connection counts its wait (no coordinated omission). p50/p99 here is what a user sees on a
   server running at half of what it can serve, the headroom a district plans with (target p99 < 100 ms). Not 80 %:
   there the waits of two servers grow as ρ/(1−ρ), and on a quiet machine even the bare view's p99 was 103 ms
   (2026-12-03), so that load measured the queue, not the page.

    make bench-scale
    .venv/bin/python bench/pages.py --cases 10000
    .venv/bin/python bench/pages.py --in-process --database postgres://postgres@127.0.0.1:5432/wrp_x   # CPU only
    WEB_THREADS=2 .venv/bin/python bench/pages.py --database postgres://postgres@127.0.0.1:5432/wrp_x
    … bench/pages.py --database … --only "case page" --only queue   # only the pages whose label has one of these
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BIN,
    CONNECTIONS,
    ROOT,
    SECONDS,
    CpuUse,
    Load,
    Running,
    Session,
    bench_path,
    free_port,
    fresh_database,
    load,
    prepare,
    say,
    served,
    server_cpu,
    sign_in,
    verdict,
)

TARGET_SHARE = 0.25
TARGET_P99_MS = 100.0
OPEN_SHARE = float(os.environ.get("BENCH_OPEN_SHARE", "0.5"))
CPU_REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "30"))
BRACKET_SECONDS = int(os.environ.get("BENCH_BRACKET_SECONDS", "5"))
BARE = "/bench/bare/"
PAGES: list[tuple[str, str, str]] = [  # label, user, path ("case:" — the newest case in review, on the clerk's workbench)
    ("clerk queue", "clerk", "/clerk/"),
    ("clerk all cases", "clerk", "/clerk/cases/"),
    ("clerk case page", "clerk", "case:"),
    ("bureau queue", "approver", "/bureau/"),
    ("unit home (hr)", "hr", "/unit/"),
    ("unit cases (hr)", "hr", "/unit/cases/"),
    ("unit employees (hr)", "hr", "/unit/employees/"),
    ("applicant home", "applicant", "/me/"),
    ("applicant cases", "applicant", "/me/cases/"),
    ("notifications (clerk)", "clerk", "/notifications/"),
    ("API /api/v1/cases (clerk)", "clerk", "/api/v1/cases"),
    ("API /api/v1/cases (hr)", "hr", "/api/v1/cases"),
]


def open_case(env: dict[str, str]) -> str:
    from common import wrp

    out = wrp(env, "shell", "-c", "from wrp.cases.models import Case; print(Case.objects.filter("
              "state='in_review').order_by('-created_at').values_list('public_id', flat=True).first())")
    return f"/clerk/cases/{out.strip().splitlines()[-1]}/"  # the page the queue's rows link to


def vacuum_analyze(env: dict[str, str]) -> None:
    """The statistics and visibility map a live database has from autovacuum (off on some test servers)."""
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", env["DATABASE_URL"], "-c", "VACUUM ANALYZE"], check=True,
                   stdout=subprocess.DEVNULL)


# --- 1. CPU per request, in-process ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cpu:
    median_ms: float
    min_ms: float
    queries: int
    size: int


def in_process(env: dict[str, str], case_path: str) -> dict[str, Cpu]:
    """Each page's application CPU per request (time.process_time) through the Django test client."""
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "WRP_DATA_DIR", "DEBUG")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "bare_settings"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wrp.accounts.models import User

    clients: dict[str, Client] = {}

    def client(username: str) -> Client:
        if username not in clients:  # signed in, staff with their confirmed authenticator as django-otp records it
            browser, user = Client(HTTP_HOST="127.0.0.1"), User.objects.get(username=username)
            browser.force_login(user)
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session = browser.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()
            clients[username] = browser
        return clients[username]

    queries: list[str] = []

    def counted(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    results: dict[str, Cpu] = {}
    for label, user, path in [("signed-in bare view", "clerk", BARE), *PAGES]:
        browser, path = client(user), case_path if path == "case:" else path
        for _ in range(3):
            response = browser.get(path)
            if response.status_code != 200:
                sys.exit(f"{path} answers {response.status_code} to {user}")
        queries.clear()
        with connection.execute_wrapper(counted):
            browser.get(path)
        times = []
        for _ in range(CPU_REQUESTS):
            started = time.process_time()
            browser.get(path)
            times.append((time.process_time() - started) * 1000)
        results[label] = Cpu(statistics.median(times), min(times), len(queries), len(response.content))
    return results


def print_cpu(results: dict[str, Cpu]) -> None:
    bare = results["signed-in bare view"]
    say(f"\nCPU per request in-process (median of {CPU_REQUESTS}, time.process_time; load {load_average()}):")
    for label, cpu in results.items():
        say(f"  {label:<28}{cpu.median_ms:7.1f} ms  (min {cpu.min_ms:6.1f})  {cpu.median_ms / bare.median_ms:5.1f}× bare"
            f"  {cpu.queries:2d} queries  {cpu.size / 1024:6.1f} KiB")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- 2. the server, closed loop --------------------------------------------------------------------------------------


@contextlib.contextmanager
def platform_server(env: dict[str, str]) -> Iterator[Running]:
    """gunicorn with the platform's own configuration (wrp.config.gunicorn: gthread, a worker per core × 8 threads on
    PostgreSQL, its timeouts and recycling), the access log off, bench/bare_settings.py; its base URL."""
    port = free_port()
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "bare_settings", "WEB_BIND": f"127.0.0.1:{port}",
                  "WEB_ACCESS_LOG": "", "PYTHONPATH": bench_path(env)}
    command = [str(BIN / "gunicorn"), "-c", "python:wrp.config.gunicorn", "--log-level", "warning"]
    with served(command, server_env, env, port, stop_seconds=40) as running:
        yield running


def server_shape(env: dict[str, str]) -> str:
    probe = subprocess.run([str(BIN / "python"), "-c", "from wrp.config import gunicorn as g; "
                            "print(g.workers, g.threads)"], env=env, cwd=ROOT, capture_output=True, text=True)
    workers, threads = [*probe.stdout.split(), "?", "?"][:2]
    active = env.get("WEB_ACTIVE", "0")  # wrp.core.admission
    return f"{workers} workers × {threads} threads" + (f", {active} running at once" if active not in ("", "0") else "")


def settle(session: Session, within: float = 120.0) -> None:
    """Wait until the server has worked off the requests the last load left queued (a slow page's backlog would
    otherwise be charged to the next page): the bare view answers in under half a second."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        _status, _body, seconds = session.get(BARE)
        if seconds < 0.5:
            return
        time.sleep(1)


# --- 3. open loop ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    rate: float  # requests/s offered
    done: float  # requests/s answered
    p50_ms: float
    p99_ms: float
    errors: int


async def _open_loop(base: str, path: str, cookie: str, rate: float, seconds: float, connections: int) -> Latency:
    parts = urllib.parse.urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n\r\n").encode()
    total = max(1, int(rate * seconds))
    start = time.perf_counter() + 0.05
    due = [start + index / rate for index in range(total)]  # when each request arrives
    queue: asyncio.Queue[float] = asyncio.Queue()
    for moment in due:
        queue.put_nowait(moment)
    latencies: list[float] = []
    errors = [0]

    async def answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {name.strip().lower(): value.strip() for name, _, value in
                   (line.partition(":") for line in lines[1:] if line)}
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await reader.readexactly(int(headers.get("content-length", "0")))
        return status, headers.get("connection", "").lower() == "close"

    async def connection() -> None:
        reader = writer = None
        while True:
            try:
                moment = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            wait = moment - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(request)
                status, close = await answer(reader)  # type: ignore[arg-type]
                latencies.append(time.perf_counter() - moment)
                if status >= 400:
                    errors[0] += 1
                if close:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                errors[0] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    if not latencies:
        return Latency(rate, 0.0, 0.0, 0.0, errors[0])
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Latency(rate, len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000, errors[0])


def open_loop(session: Session, path: str, rate: float, *, seconds: float = SECONDS,
              connections: int = CONNECTIONS) -> Latency:
    """Requests arriving at `rate` a second for `seconds` over `connections` kept-alive connections; latency from the
    moment each was due."""
    return asyncio.run(_open_loop(session.base, path, session.cookie, rate, seconds, connections))


# --- the run ---------------------------------------------------------------------------------------------------------


def cpu_per_request(closed: Load, used: CpuUse) -> float:
    """The server's CPU seconds per request in the closed loop: gunicorn's processes + their PostgreSQL backends."""
    return (used.app + used.db) / max(1.0, closed.rps * SECONDS)


def cpu_words(closed: Load, used: CpuUse) -> str:
    served_requests = max(1.0, closed.rps * SECONDS)
    return (f"CPU {used.app * 1000 / served_requests:5.1f} + db {used.db * 1000 / served_requests:4.1f} ms/req, "
            f"busiest worker {used.busiest:4.0%}")


def row(label: str, closed: Load, used: CpuUse, opened: Latency, bare_rps: float, bare_cpu: float) -> bool:
    share = closed.rps / bare_rps if bare_rps else 0.0
    ok = share >= TARGET_SHARE and opened.p99_ms < TARGET_P99_MS and closed.errors == 0 and opened.errors == 0
    errors = closed.errors + opened.errors
    cpu_share = bare_cpu / cpu_per_request(closed, used) if cpu_per_request(closed, used) else 0.0
    say(f"  {label:<28}{closed.rps:8.1f} req/s {share:6.1%} of bare {bare_rps:5.0f} (closed p99 {closed.p99_ms:6.0f} ms, "
        f"{cpu_words(closed, used)}, {cpu_share:4.0%} of the bare view's by CPU)  "
        f"open {opened.rate:6.1f}/s: p50 {opened.p50_ms:6.1f} ms p99 {opened.p99_ms:6.1f} ms"
        f"  {verdict(share >= TARGET_SHARE)} {verdict(opened.p99_ms < TARGET_P99_MS)}"
        f"{f'  {errors} errors' if errors else ''}")
    return ok


def under_load(env: dict[str, str], case_path: str, cases: str) -> bool:
    """Closed and open loop of every page under gunicorn; whether each met both targets."""
    with platform_server(env) as server:
        base = server.base
        sessions = {user: sign_in(base, user, env) for user in sorted({"clerk", *(user for _l, user, _p in PAGES)})}
        for _label, user, path in PAGES:  # warm every worker's caches and check each page answers
            for _ in range(4):
                status, _body, _seconds = sessions[user].get(case_path if path == "case:" else path)
                if status != 200:
                    sys.exit(f"{path} answers {status} to {user}")
        with server_cpu(server.pid, env["DATABASE_URL"]) as used:
            bare = load(sessions["clerk"], BARE)
        bare_cpu = cpu_per_request(bare, used)
        settle(sessions["clerk"])
        bare_open = open_loop(sessions["clerk"], BARE, bare.rps * OPEN_SHARE)
        say(f"\nPages under gunicorn ({server_shape(env)}), {CONNECTIONS} connections, {SECONDS} s each, "
            f"{cases}; closed loop by {bare.tool}, open loop at {OPEN_SHARE:.0%} of each page's "
            f"closed-loop rate; load {load_average()}. Targets: ≥ {TARGET_SHARE:.0%} of the bare view's "
            f"requests/s (closed; the bare view loaded {BRACKET_SECONDS} s before and after each page), "
            f"p99 < {TARGET_P99_MS:.0f} ms (open). CPU: the server's per request in the closed loop, gunicorn + "
            f"its PostgreSQL backends")
        say(f"  {'signed-in bare view':<28}{bare.rps:8.1f} req/s         (closed p99 {bare.p99_ms:6.0f} ms, "
            f"{cpu_words(bare, used)})  open {bare_open.rate:6.1f}/s: p50 {bare_open.p50_ms:6.1f} ms "
            f"p99 {bare_open.p99_ms:6.1f} ms")
        ok = True
        for label, user, path in PAGES:
            target = case_path if path == "case:" else path
            settle(sessions["clerk"])
            before = load(sessions["clerk"], BARE, seconds=BRACKET_SECONDS)
            with server_cpu(server.pid, env["DATABASE_URL"]) as used:
                closed = load(sessions[user], target)
            after = load(sessions["clerk"], BARE, seconds=BRACKET_SECONDS)
            settle(sessions["clerk"])
            opened = open_loop(sessions[user], target, max(1.0, closed.rps * OPEN_SHARE))
            ok = row(label, closed, used, opened, (before.rps + after.rps) / 2, bare_cpu) and ok
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--in-process", action="store_true", help="only the CPU per request, in this process")
    parser.add_argument("--database", help="an existing database to measure (no set-up, nothing dropped; "
                        "WRP_DATA_DIR its data directory)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="measure only the pages whose label contains TEXT (repeatable; the bare view always)")
    args = parser.parse_args()
    if args.only:
        PAGES[:] = [page for page in PAGES if any(text in page[0] for text in args.only)]
    if args.database:
        env = {**os.environ, "DATABASE_URL": args.database, "DEBUG": "false",
               "WRP_DATA_DIR": os.environ.get("WRP_DATA_DIR", "/tmp/wrp-bench-pages")}
        case_path = open_case(env)
        if args.in_process:
            print_cpu(in_process(env, case_path))
            return
        measure_cpu(env)
        ok = under_load(env, case_path, "the given database")
    else:
        with fresh_database("pages") as env:
            say(f"pages: preparing {args.cases} cases")
            prepare(env, args.cases)
            vacuum_analyze(env)
            case_path = open_case(env)
            if args.in_process:
                print_cpu(in_process(env, case_path))
                return
            measure_cpu(env)
            ok = under_load(env, case_path, f"{args.cases} cases")
    say(f"pages: {verdict(ok)}")


def measure_cpu(env: dict[str, str]) -> None:
    """The in-process measure, in a child process: this one stays free of Django for the load generators."""
    cpu = subprocess.run([sys.executable, __file__, "--in-process", "--database", env["DATABASE_URL"]],
                         env={**env, "PYTHONPATH": bench_path(env)}, cwd=ROOT, capture_output=True, text=True)
    say(cpu.stdout.rstrip() if cpu.returncode == 0 else f"in-process measure failed:\n{cpu.stderr[-3000:]}")


if __name__ == "__main__":
    main()
