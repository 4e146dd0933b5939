"""Benchmark: `GET /` while two heavy uploads are being checked (make bench; not part of the test suite).

Starts the app as scripts/run.sh serves it (gunicorn, gthread workers) and one `wrp worker` on a temporary SQLite
database, measures `GET /` latency idle, then again while two clients upload a heavy PDF at the same time through the
API (200 pages of path operators just under the worker's caps: parsed, sanitised and scan-checked in the sandboxed
process). Prints p50/p99 of both and their ratio. Target (issue 11): `GET /` under 200 ms meanwhile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
TARGET_MS = 200
SAMPLES = 60


def prepare(env: dict[str, str]) -> tuple[str, str]:
    """Migrate, then make the personas, a draft case and the applicant's token: (case id, token)."""
    subprocess.run([str(BIN / "wrp"), "migrate", "--no-input", "-v", "0"], env=env, check=True)
    script = (
        "import django; django.setup()\n"
        "from tests.factories import make_personas, make_association\n"
        "from tests.api.conftest import PROFILE\n"
        "from wrp.accounts.models import ApplicantProfile\n"
        "from wrp.accounts.services import token_create\n"
        "from wrp.cases.services import case_open\n"
        "p = make_personas(); ApplicantProfile.objects.create(user=p.applicant, facts=dict(PROFILE))\n"
        "make_association(p.applicant, p.unit)\n"
        "case = case_open(actor=p.handler, kind='initial', unit=p.unit, applicant=p.applicant)\n"
        "print(case.public_id, token_create(user=p.applicant))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "wrp.config.settings"},
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"bench setup failed:\n{out.stderr[-3000:]}")
    case_id, token = out.stdout.split()[-2:]
    return case_id, token


def heavy_pdf() -> bytes:
    sys.path.insert(0, str(ROOT))
    from tests.documents.attack_corpus import heavy_content_streams

    return heavy_content_streams(pages=200, lines_per_page=800)  # 480,000 operators: under the cap, parsed whole


def upload(case_id: str, token: str, data: bytes, results: list) -> None:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"heavy.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{BASE}/api/v1/cases/{case_id}/materials/labour_contract", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            results.append((response.status, json.loads(response.read()).get("status"), time.monotonic() - started))
    except urllib.error.HTTPError as error:
        results.append((error.code, json.loads(error.read()).get("reason"), time.monotonic() - started))


def latencies(samples: int, stop: threading.Event | None = None) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.monotonic()
        with urllib.request.urlopen(f"{BASE}/", timeout=60) as response:
            response.read()
        times.append((time.monotonic() - started) * 1000)
        time.sleep(0.05)
        if stop is not None and stop.is_set() and len(times) >= 20:
            break
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory}/db.sqlite3", "WRP_DATA_DIR": directory,
               "WRP_ENV": "development", "PYTHONPATH": str(ROOT)}
        case_id, token = prepare(env)
        servers = [
            subprocess.Popen([str(BIN / "gunicorn"), "wrp.config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers",
                              "2", "--worker-class", "gthread", "--threads", "4", "--timeout", "60",
                              "--no-control-socket"], env=env, stderr=subprocess.DEVNULL),
            subprocess.Popen([str(BIN / "wrp"), "worker"], env=env, stderr=subprocess.DEVNULL),
        ]
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{BASE}/", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            latencies(5)
            idle = latencies(SAMPLES)
            data = heavy_pdf()
            results: list = []
            uploads = [threading.Thread(target=upload, args=(case_id, token, data, results)) for _ in range(2)]
            for thread in uploads:
                thread.start()
            time.sleep(0.3)  # the uploads are in: the worker is checking them
            busy = []
            while any(thread.is_alive() for thread in uploads) or len(busy) < SAMPLES:
                busy += latencies(1)  # for as long as the uploads are being checked
            for thread in uploads:
                thread.join()
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:  # the worker finishing a check: no need to wait for it
                    server.kill()
                    server.wait()
    print(f"heavy upload: {len(data)} bytes; answers: {results}")
    print(f"GET / idle:    p50 {p(idle, .5):7.1f} ms  p99 {p(idle, .99):7.1f} ms")
    print(f"GET / busy:    p50 {p(busy, .5):7.1f} ms  p99 {p(busy, .99):7.1f} ms")
    print(f"ratio busy/idle: p50 {p(busy, .5) / p(idle, .5):.2f}  p99 {p(busy, .99) / p(idle, .99):.2f}")
    verdict = "OK" if p(busy, .99) < TARGET_MS else "over"
    print(f"target: GET / under {TARGET_MS} ms during two heavy uploads (p99): {verdict}")


if __name__ == "__main__":
    main()
