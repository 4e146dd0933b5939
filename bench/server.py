"""Benchmark: gunicorn's process × thread shapes on this machine (issue 14 item 6; not part of the test suite).

Starts gunicorn with the platform's configuration (`-c python:wrp.config.gunicorn`) once per shape WORKERSxTHREADS,
signs the unit handler `hr` of the demo in, and loads with 50 connections for BENCH_SECONDS each: a signed-in page
(the unit's case list, /unit/cases/), the API case list (/api/v1/cases, bearer token) and the public home page. Prints
requests/s and p50/p99 per shape, each shape's requests/s as a ratio of the first one's, and the server's CPU per request
(gunicorn's processes and their PostgreSQL backends, from /proc): on a machine busy with other work the wall-clock
figures drift, the CPU per request much less; cores ÷ CPU per request is what the cores would serve to this server
alone. With --rounds N the shapes are measured N times interleaved and the medians printed. Uses `wrk` when installed
(`apt-get install wrk`), else a small threaded Python client (which competes with the server for the same cores: its
figures are lower bounds).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wrp_bench WRP_DATA_DIR=/tmp/wrp-bench .venv/bin/python bench/server.py
    … bench/server.py --shapes 2x4,2x8,3x4,4x2 --rounds 2
    BENCH_TOKEN=… bench/server.py --target http://127.0.0.1:8080 --label "2 nodes"   # a server already running

The database gets the demo data set when it is empty (`wrp demo --if-empty`; about a minute). PostgreSQL is the
intended database; on SQLite the writes of a signed-in GET (the session) serialise.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
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
from pathlib import Path
from typing import Any

from common import server_cpu

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "50"))
USER, PASSWORD = "hr", "Demo-2026-wrp"
CORES = len(os.sched_getaffinity(0))
PATHS = {"page /unit/cases/": "/unit/cases/", "api /api/v1/cases": "/api/v1/cases", "public /": "/"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"nothing listens on port {port} after {timeout} s")


def prepare(env: dict[str, str]) -> str:
    """Migrate, load the demo when the database is empty, and return the API token of `hr`."""
    subprocess.run([str(BIN / "wrp"), "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([str(BIN / "wrp"), "demo", "--if-empty"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run([str(BIN / "wrp"), "user", "token", USER], env=env, check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout
    return out.split()[-1]


def sign_in(base: str) -> str:
    """The `Cookie` header of a session of `hr`, made through the sign-in form like a browser."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = dict(re.findall(r"([\w-]*csrftoken)=([^;]+)", response.getheader("Set-Cookie", "")))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not cookies or token is None:
        sys.exit("the sign-in page gave no CSRF cookie or token")
    body = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token[1]})
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    connection.request("POST", "/login/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, "Referer": f"{base}/login/"})
    response = connection.getresponse()
    response.read()
    session = re.search(r"((?:__Host-)?sessionid)=([^;]+)", response.getheader("Set-Cookie", "") or "")
    if response.status != 302 or session is None:
        sys.exit(f"signing {USER} in failed: HTTP {response.status}")
    return f"{cookie}; {session[1]}={session[2]}"


def load_wrk(url: str, header: str | None) -> dict[str, Any]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "30s", url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if match is None:
            return float("nan")
        return float(match[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match[2]]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(rps[1]) if rps else float("nan"), "p50": ms("50%"), "p99": ms("99%"),
            "bad": float(non2xx[1]) if non2xx else 0.0, "errors": errors[1] if errors else ""}


def load_python(url: str, header: str | None) -> dict[str, Any]:
    """CONNECTIONS threads, each on its own kept-alive connection, for SECONDS."""
    parts = urllib.parse.urlsplit(url)
    headers = dict([header.split(": ", 1)]) if header else {}
    times: list[float] = []
    bad = [0]
    stop = time.monotonic() + SECONDS

    def client() -> None:
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        while time.monotonic() < stop:
            started = time.monotonic()
            connection.request("GET", parts.path, headers=headers)
            response = connection.getresponse()
            response.read()
            times.append(time.monotonic() - started)
            if response.status >= 400:
                bad[0] += 1

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times.sort()
    return {"rps": len(times) / SECONDS, "p50": statistics.median(times) * 1000,
            "p99": times[int(len(times) * 0.99)] * 1000, "bad": float(bad[0]), "errors": ""}


def load(url: str, header: str | None) -> dict[str, Any]:
    return load_wrk(url, header) if shutil.which("wrk") else load_python(url, header)


def measure(base: str, token: str, server: int | None = None) -> dict[str, dict[str, Any]]:
    """Each path under load; with `server` (gunicorn's master pid) also the server's CPU per request: its worker
    processes' and their PostgreSQL backends' CPU time over the run, divided by the requests served."""
    cookie = sign_in(base)
    headers = {"page /unit/cases/": f"Cookie: {cookie}", "api /api/v1/cases": f"Authorization: Bearer {token}",
               "public /": None}
    results = {}
    for name, path in PATHS.items():
        load_python_once(base + path, headers[name])  # warm: templates compiled, connections open
        if server is None:
            results[name] = load(base + path, headers[name])
            continue
        with server_cpu(server, os.environ.get("DATABASE_URL", "")) as used:
            results[name] = load(base + path, headers[name])
        results[name]["cpu_ms"] = (used.app + used.db) * 1000 / max(1.0, results[name]["rps"] * SECONDS)
    return results


def load_python_once(url: str, header: str | None) -> None:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    for _ in range(5):
        connection.request("GET", parts.path, headers=dict([header.split(": ", 1)]) if header else {})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"GET {parts.path} answered {response.status}")


def serve(shape: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    workers, threads = shape.split("x")
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:wrp.config.gunicorn", "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        env={**env, "WEB_WORKERS": workers, "WEB_THREADS": threads, "WEB_ACCESS_LOG": ""}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_port(port)
    return process, f"http://127.0.0.1:{port}"


def report(label: str, results: dict[str, dict[str, Any]], first: dict[str, dict[str, Any]] | None) -> None:
    for name, figures in results.items():
        ratio = f"  ×{figures['rps'] / first[name]['rps']:.2f} of the first" if first else ""
        bad = f"  ({int(figures['bad'])} non-2xx/3xx)" if figures["bad"] else ""
        errors = f"  socket errors: {figures['errors']}" if figures["errors"] else ""
        cpu = ""
        if "cpu_ms" in figures:  # what the cores could serve if the server had them to itself
            cpu = f"  server CPU {figures['cpu_ms']:5.1f} ms/req (≈{CORES * 1000 / figures['cpu_ms']:5.0f} req/s on idle cores)"
        print(f"{label:>8}  {name:<20} {figures['rps']:8.1f} req/s  p50 {figures['p50']:7.1f} ms"
              f"  p99 {figures['p99']:7.1f} ms{cpu}{ratio}{bad}{errors}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default="2x4,2x8,3x4,4x2", help="WORKERSxTHREADS, comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="measure every shape this many times, interleaved")
    parser.add_argument("--target", help="measure this running server instead of starting gunicorn")
    parser.add_argument("--label", default="target")
    args = parser.parse_args()
    env = {**os.environ, "WRP_ENV": os.environ.get("WRP_ENV", "development")}
    env.setdefault("WRP_DATA_DIR", tempfile.mkdtemp(prefix="wrp-bench-"))
    print(f"{CORES} cores, {CONNECTIONS} connections, {SECONDS} s per figure, "
          f"{'wrk' if shutil.which('wrk') else 'Python client'}, database {env.get('DATABASE_URL', 'SQLite')}, "
          f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    # A server already running (scripts/two_nodes.sh) has its data: BENCH_TOKEN is the API token of `hr` there.
    token = os.environ.get("BENCH_TOKEN") or prepare(env)
    if args.target:
        report(args.label, measure(args.target.rstrip("/"), token), None)
        return
    first = None
    rounds: dict[str, list[dict[str, dict[str, Any]]]] = {}
    for _ in range(args.rounds):
        for shape in args.shapes.split(","):
            process, base = serve(shape, env)
            try:
                results = measure(base, token, process.pid)
            finally:
                os.killpg(process.pid, signal.SIGTERM)  # the session this script started for gunicorn
                process.wait(timeout=60)
            report(shape, results, first)
            print(f"{'':>8}  load average {os.getloadavg()[0]:.1f}", flush=True)
            first = first or results
            rounds.setdefault(shape, []).append(results)
    if args.rounds > 1:  # the machine's other work drifts: the median of the interleaved rounds compares shapes
        print(f"median of {args.rounds} rounds:")
        first = None
        for shape, measured in rounds.items():
            medians = {name: {key: statistics.median(r[name][key] for r in measured)
                              for key in ("rps", "p50", "p99", "cpu_ms", "bad") if key in measured[0][name]}
                       | {"errors": ""} for name in measured[0]}
            report(shape, medians, first)
            first = first or medians


if __name__ == "__main__":
    main()
