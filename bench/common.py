"""What the PostgreSQL benchmarks share (bench/scale_lists.py, bench/pages.py; issue 14): a fresh database per run,
dropped at the end; the demo and the scale data set (`wrp demo --scale N`) in it; a server process run for a block
(`served`, which bench/pages.py starts gunicorn with); a demo account signed in through /login/ (staff with the
code of their demo authenticator, `wrp user otp-code NAME`); a load generator (`wrk`, else a threaded Python client)
reporting requests/s and p99.

    BENCH_PG=postgres://postgres@127.0.0.1:5432  (the server; each run makes and drops its own database)
    BENCH_SECONDS=10 BENCH_CONNECTIONS=50
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
PASSWORD = "Demo-2026-wrp"


def say(text: str) -> None:
    print(text, flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- the database ---------------------------------------------------------------------------------------------------


def _admin(sql: str) -> None:
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{PG}/postgres", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def recreate_database(name: str) -> None:
    """Drop the database `name` if it is there (closing its connections), then create it empty."""
    drop_database(name)
    _admin(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def fresh_database(label: str) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database and data directory for this run: the environment of the platform's commands."""
    name = f"wrp_bench_{label}_{secrets.token_hex(3)}"
    data = Path(tempfile.mkdtemp(prefix=f"wrp-bench-{label}-"))
    _admin(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": f"{PG}/{name}", "WRP_DATA_DIR": str(data), "DEBUG": "false"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    try:
        yield env
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            drop_database(name)
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def another_database(env: dict[str, str], label: str) -> Iterator[dict[str, str]]:
    """A further new PostgreSQL database beside `env`'s, with the same data directory (the same keys): the
    environment of the platform's commands on it. Dropped at the end."""
    name = f"wrp_bench_{label}_{secrets.token_hex(3)}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": f"{PG}/{name}"}
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            drop_database(name)


def wrp(env: dict[str, str], *args: str, quiet: bool = True) -> str:
    """Run `wrp ARGS` in the bench's environment; its standard output."""
    done = subprocess.run([str(BIN / "wrp"), *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wrp {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    if not quiet:
        say(done.stdout.strip())
    return done.stdout


def prepare(env: dict[str, str], cases: int) -> None:
    """Migrate, make the demo, then add cases until there are `cases` scale cases (the demo's own ~80 aside)."""
    started = time.monotonic()
    wrp(env, "migrate", "--no-input")
    wrp(env, "demo")
    say(f"  demo made in {time.monotonic() - started:.0f} s")
    grow(env, cases)


def grow(env: dict[str, str], more: int) -> None:
    """Add `more` scale cases. Without their audit events: the list benchmarks do not read the trail, and the trail's
    chainer would dominate the set-up time (bench/audit.py measures it)."""
    started = time.monotonic()
    out = wrp(env, "demo", "--scale", str(more), "--no-audit")
    line = next((line for line in out.splitlines() if line.startswith("demo --scale")), out.strip())
    say(f"  +{more} cases in {time.monotonic() - started:.0f} s ({line})")


def django_setup(env: dict[str, str], settings: str = "wrp.config.settings") -> None:
    """Use the bench's database from this process (the Django test client)."""
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "WRP_DATA_DIR", "DEBUG")})
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import django

    django.setup()


# --- signing in ------------------------------------------------------------------------------------------------------


def otp_code(env: dict[str, str], username: str) -> str:
    return wrp(env, "user", "otp-code", username).strip().split()[-1]


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Session:
    base: str
    cookie: str  # the Cookie header of the signed-in session

    def get(self, path: str) -> tuple[int, bytes, float]:
        """One GET; status, body and seconds taken."""
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": self.cookie})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body, time.perf_counter() - started


def sign_in(base: str, username: str, env: dict[str, str]) -> Session:
    """Sign in through /login/ (and /login/code/ for staff) as a browser would; the session cookie."""
    import requests

    browser = requests.Session()
    page = browser.get(f"{base}/login/", timeout=30)
    token = _CSRF.search(page.text)
    assert token, "the sign-in page has a CSRF token"
    answer = browser.post(f"{base}/login/", data={"csrfmiddlewaretoken": token.group(1), "username": username,
                                                  "password": PASSWORD}, headers={"Referer": f"{base}/login/"},
                          timeout=30)
    if "/login/code/" in answer.url:
        token = _CSRF.search(answer.text)
        assert token, "the code page has a CSRF token"
        answer = browser.post(answer.url, data={"csrfmiddlewaretoken": token.group(1), "code": otp_code(env, username)},
                              headers={"Referer": answer.url}, timeout=30)
    if "/login/" in answer.url:
        sys.exit(f"could not sign {username} in (ended on {answer.url})")
    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    return Session(base, cookie)


# --- the server ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_path(env: dict[str, str]) -> str:
    """PYTHONPATH for a child of a bench: bench/ (its settings modules) before the caller's own path, which may point
    at another checkout's src to measure that code."""
    return os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH", "")]))


@dataclass(frozen=True)
class Running:
    base: str  # the server's base URL
    pid: int  # its main process (gunicorn's master)


@contextlib.contextmanager
def served(command: list[str], server_env: dict[str, str], env: dict[str, str], port: int, *,
           stop_seconds: int) -> Iterator[Running]:
    """Run a server `command` listening on `port` (its output in WRP_DATA_DIR/gunicorn-PORT.log) until the block ends:
    SIGTERM to its process group, SIGKILL after `stop_seconds`."""
    log = open(Path(env["WRP_DATA_DIR"]) / f"gunicorn-{port}.log", "w")  # noqa: SIM115 — closed below
    server = subprocess.Popen(command, env=server_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        _wait_port(port, server)
        yield Running(f"http://127.0.0.1:{port}", server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(stop_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _wait_port(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"gunicorn does not listen on port {port} after {timeout} s")


# --- the server's CPU -----------------------------------------------------------------------------------------------


def server_pids(master: int) -> set[int]:
    """gunicorn's master and its workers."""
    pids = {master}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.add(int(entry.name))
            except OSError:
                continue
    return pids


def database_pids(url: str) -> set[int]:
    """The PostgreSQL backends connected to the database of `url` (none for another database)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return set()
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                  " AND pid <> pg_backend_pid()").fetchall()
    return {row[0] for row in rows}


def cpu_times(pids: set[int], reaper: int | None = None) -> dict[int, float]:
    """User + system CPU seconds of each process that still exists; of `reaper`, with its children's it has reaped
    (the workers gunicorn's master replaced)."""
    ticks = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        reaped = int(fields[13]) + int(fields[14]) if pid == reaper else 0  # cutime, cstime
        times[pid] = (int(fields[11]) + int(fields[12]) + reaped) / ticks  # utime, stime
    return times


@dataclass
class CpuUse:
    app: float = 0.0  # CPU seconds of gunicorn's processes
    db: float = 0.0  # CPU seconds of their PostgreSQL backends
    busiest: float = 0.0  # the share of the workers' CPU that the busiest worker used (1.0: one worker did it all)


@contextlib.contextmanager
def server_cpu(master: int, database_url: str) -> Iterator[CpuUse]:
    """The CPU the server used in the block (filled in when it ends): gunicorn's processes and, apart, the PostgreSQL
    backends of its database. The load generator's own CPU is not in it, so on a busy machine it drifts much less than
    requests/s do."""
    used = CpuUse()
    app, db = server_pids(master), database_pids(database_url)
    before_app, before_db = cpu_times(app, reaper=master), cpu_times(db)
    yield used
    after_app = cpu_times(app | server_pids(master), reaper=master)
    after_db = cpu_times(db | database_pids(database_url))
    # a worker recycled meanwhile is gone from after_app, its whole CPU now in the master's reaped children's
    used.app = sum(after_app.values()) - sum(before_app.values())
    used.db = sum(seconds - before_db.get(pid, 0.0) for pid, seconds in after_db.items())
    workers = [seconds - before_app.get(pid, 0.0) for pid, seconds in after_app.items() if pid != master]
    used.busiest = max(workers) / sum(workers) if workers and sum(workers) > 0 else 0.0


# --- load ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


def load(session: Session, path: str, *, seconds: int = SECONDS, connections: int = CONNECTIONS) -> Load:
    """Requests/s and latency percentiles of `path` under `connections` concurrent connections for `seconds`."""
    if shutil.which("wrk"):
        return _wrk(session, path, seconds, connections)
    return _python_load(session, path, seconds, connections)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _wrk(session: Session, path: str, seconds: int, connections: int) -> Load:
    threads = min(2, connections)
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                           "--timeout", "30s", "-H", f"Cookie: {session.cookie}", session.base + path],
                          capture_output=True, text=True, check=True)
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    failed = re.search(r"Socket errors:.*?timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (int(failed.group(1)) if failed else 0)
    return Load(rps, p50, p99, errors, "wrk")


def _python_load(session: Session, path: str, seconds: int, connections: int) -> Load:
    """Threads with keep-alive connections (they share the cores with the server: a lower bound)."""
    parts = urllib.parse.urlsplit(session.base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": session.cookie})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    latencies.sort()
    if not latencies:
        return Load(0.0, 0.0, 0.0, errors[0], "python")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return Load(len(latencies) / elapsed, statistics.median(latencies) * 1000, p99, errors[0], "python")
