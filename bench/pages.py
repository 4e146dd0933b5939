"""Benchmark: the main pages and the API list under gunicorn against a signed-in bare Django view on the same server
(issue 14 item 8; not a test).

A fresh PostgreSQL database (dropped at the end) with the demo and 10,000 scale cases (`wrp demo --scale`); gunicorn
as scripts/run.sh starts it (gthread, 2 workers × 4 threads) with bench/bare_settings.py, which adds `/bench/bare/`
(HttpResponse("ok") behind login_required) to the platform's URLs. Each page is loaded by its demo user's signed-in
session with BENCH_CONNECTIONS (50) connections for BENCH_SECONDS (10) by `wrk` (bench/ensure-tools.sh; else a Python
client). Prints requests/s, the ratio to the bare view, p50 and p99, and PASS/FAIL against the targets: ≥ 25 % of the
bare view's requests/s and p99 < 100 ms.

    make bench-scale
    .venv/bin/python bench/pages.py --cases 10000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CONNECTIONS,
    SECONDS,
    Load,
    Session,
    fresh_database,
    gunicorn,
    load,
    prepare,
    say,
    sign_in,
    verdict,
)

TARGET_SHARE = 0.25
TARGET_P99_MS = 100.0
PAGES: list[tuple[str, str, str]] = [  # label, user, path ("case:" — the newest open case's page)
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
    return f"/cases/{out.strip().splitlines()[-1]}/"


def settle(session: Session, within: float = 120.0) -> None:
    """Wait until the server has worked off the requests the last load left queued (a slow page's backlog would
    otherwise be charged to the next page): the bare view answers in under half a second."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        _status, _body, seconds = session.get("/bench/bare/")
        if seconds < 0.5:
            return
        time.sleep(1)


def row(label: str, result: Load, bare: Load) -> bool:
    share = result.rps / bare.rps if bare.rps else 0.0
    ok = share >= TARGET_SHARE and result.p99_ms < TARGET_P99_MS and result.errors == 0
    errors = f"  {result.errors} errors" if result.errors else ""
    say(f"  {label:<28}{result.rps:9.1f} req/s  {share:6.1%} of bare  p50 {result.p50_ms:7.1f} ms  "
        f"p99 {result.p99_ms:7.1f} ms  {verdict(share >= TARGET_SHARE)} {verdict(result.p99_ms < TARGET_P99_MS)}"
        f"{errors}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    with fresh_database("pages") as env:
        say(f"pages: preparing {args.cases} cases")
        prepare(env, args.cases)
        case_path = open_case(env)
        with gunicorn(env, settings="bare_settings") as base:
            sessions = {user: sign_in(base, user, env) for user in sorted({user for _l, user, _p in PAGES})}
            for _label, user, path in PAGES:  # warm every worker's caches and check each page answers
                status, _body, _seconds = sessions[user].get(case_path if path == "case:" else path)
                if status != 200:
                    sys.exit(f"{path} answers {status} to {user}")
            bare = load(sessions["clerk"], "/bench/bare/")
            say(f"\nPages under gunicorn (2 workers × 4 threads), {CONNECTIONS} connections, {SECONDS} s each, "
                f"{args.cases} cases, load by {bare.tool}; targets ≥ {TARGET_SHARE:.0%} of the bare view's "
                f"requests/s, p99 < {TARGET_P99_MS:.0f} ms")
            say(f"  {'signed-in bare view':<28}{bare.rps:9.1f} req/s  p50 {bare.p50_ms:7.1f} ms  "
                f"p99 {bare.p99_ms:7.1f} ms")
            ok = True
            for label, user, path in PAGES:
                settle(sessions["clerk"])
                ok = row(label, load(sessions[user], case_path if path == "case:" else path), bare) and ok
    say(f"pages: {verdict(ok)}")


if __name__ == "__main__":
    main()
