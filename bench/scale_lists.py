"""Benchmark: every list page and the API list at 1k, 10k and 100k cases on PostgreSQL (issue 14 item 2; not a test).

One fresh database (dropped at the end) grows from the demo to 1k, 10k and 100k scale cases (`wrp demo --scale`);
at each size, each list is requested by its demo user through Django's test client (signed in through /login/, staff
with their authenticator code) — once to warm up, then BENCH_REPEAT times — and its median time and query count are
kept. Deep pages: the clerk's all-cases list and the API list at the middle of all cases — by a keyset cursor
(`?after=`, made with `wrp.core.keyset.cursor_for`) when the list pages by cursor, by `?page=` otherwise.

Prints each list's median at each size, the ratio 100k/1k and PASS/FAIL against the target (≤ 1.5×), and its queries
(target ≤ 6 whatever the size).

    make bench-scale                              # with the other PostgreSQL benchmarks
    .venv/bin/python bench/scale_lists.py --sizes 1000,10000     # quicker
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, django_setup, fresh_database, grow, prepare, say, verdict

REPEAT = 7
TARGET_RATIO = 1.5
TARGET_QUERIES = 6
# (label, user, path); "deep" lists are resolved at each size
LISTS: list[tuple[str, str, str]] = [
    ("clerk queue", "clerk", "/clerk/"),
    ("clerk all cases", "clerk", "/clerk/cases/"),
    ("clerk all cases, deep", "clerk", "deep:/clerk/cases/"),
    ("bureau queue", "approver", "/bureau/"),
    ("bureau quotas", "approver", "/bureau/quotas/"),
    ("bureau late releases", "approver", "/bureau/late-releases/"),
    ("bureau rating follow-ups", "approver", "/bureau/ratings/"),
    ("unit cases (hr)", "hr", "/unit/cases/"),
    ("unit employees (hr)", "hr", "/unit/employees/"),
    ("applicant cases", "applicant", "/me/cases/"),
    ("notifications (clerk)", "clerk", "/notifications/"),
    ("API /api/v1/cases (clerk)", "clerk", "/api/v1/cases"),
    ("API /api/v1/cases deep (clerk)", "clerk", "deep:/api/v1/cases"),
    ("API /api/v1/cases (hr)", "hr", "/api/v1/cases"),
]
NEXT_LINK = re.compile(r'href="\?([^"]*)"\s+rel="next"')


def signed_in(username: str) -> Any:
    """A test client signed in through the sign-in pages (the second step with the demo authenticator's code)."""
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    answer = client.post("/login/", {"username": username, "password": PASSWORD})
    if answer.status_code == 302 and "/login/code/" not in answer["Location"]:
        landing = client.get(answer["Location"])  # staff are sent on to the code step from there
        answer = landing if landing.status_code == 302 and "/login/code/" in landing["Location"] else answer
    if answer.status_code == 302 and "/login/code/" in answer["Location"]:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        step = int((time.time() - device.t0) // device.step)
        if device.last_t >= step:  # the code of this 30-second step was used: the device takes the next
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=step - 1)
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
        answer = client.post(answer["Location"], {"code": code})
    if answer.status_code != 302 or "/login/" in answer["Location"]:
        sys.exit(f"could not sign {username} in ({answer.status_code})")
    return client


def timed(client: Any, path: str) -> tuple[float, int, int]:
    """Median seconds and queries of GET path over REPEAT requests after one to warm up; the status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    times, queries = [], []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
    return statistics.median(times), int(statistics.median(queries)), response.status_code


def deep_path(client: Any, path: str) -> tuple[str, str]:
    """The list's page at the middle of all cases, and how it was reached."""
    from wrp.cases import selectors
    from wrp.cases.models import Case

    order = tuple(getattr(selectors, "CASE_LIST_ORDER", ("-created_at", "-id")))
    total = Case.objects.count()
    first = client.get(path)
    body = first.content.decode()
    if path.startswith("/api/"):
        keyset = "next" in json.loads(body)
    else:
        link = NEXT_LINK.search(body)
        keyset = bool(link and "after=" in link.group(1))
    if keyset:
        from wrp.core.keyset import cursor_for

        middle = Case.objects.order_by(*order)[total // 2]
        following = Case.objects.order_by(*order)[total // 2 + 1]
        cursor = cursor_for(middle, order=order)
        deep = f"{path}?after={cursor}"
        answer = client.get(deep)
        if answer.status_code == 200 and following.public_id in answer.content.decode():
            return deep, f"cursor after row {total // 2}"
        say(f"    (the cursor of the middle row did not give the row after it on {path}; paging by ?page=)")
    page = max(2, total // 40)
    return f"{path}?page={page}", f"page {page}"


def measure(size: int) -> dict[str, tuple[float, int, int, str]]:
    clients: dict[str, Any] = {}
    results: dict[str, tuple[float, int, int, str]] = {}
    for label, user, path in LISTS:
        client = clients.get(user) or clients.setdefault(user, signed_in(user))
        how = ""
        if path.startswith("deep:"):
            path, how = deep_path(client, path.removeprefix("deep:"))
        seconds, queries, status = timed(client, path)
        results[label] = (seconds, queries, status, how)
        say(f"  {size:>7} {label:<34} {seconds * 1000:8.1f} ms  {queries:3d} queries  {status}  {how}")
    return results


def report(sizes: list[int], table: dict[int, dict[str, tuple[float, int, int, str]]]) -> bool:
    first, last = sizes[0], sizes[-1]
    say("")
    say(f"List timings on PostgreSQL (median of {REPEAT}), target ≤ {TARGET_RATIO}× from {first} to {last} cases, "
        f"≤ {TARGET_QUERIES} queries")
    head = "".join(f"{size:>11}" for size in sizes)
    say(f"  {'list':<34}{head}   ratio  time  queries")
    ok = True
    for label, _user, _path in LISTS:
        row = [table[size][label] for size in sizes]
        times = "".join(f"{seconds * 1000:9.1f}ms" for seconds, *_rest in row)
        ratio = row[-1][0] / row[0][0] if row[0][0] else float("inf")
        statuses = {status for _s, _q, status, _h in row}
        fine = ratio <= TARGET_RATIO and statuses == {200}
        few = max(queries for _s, queries, _st, _h in row) <= TARGET_QUERIES
        ok = ok and fine and few
        note = "" if statuses == {200} else f"  status {sorted(statuses)}"
        say(f"  {label:<34}{times}  {ratio:5.2f}×  {verdict(fine)}  {row[-1][1]:3d} {verdict(few)}{note}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="scale cases at each step, ascending")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    table: dict[int, dict[str, tuple[float, int, int, str]]] = {}
    with fresh_database("lists") as env:
        say(f"scale_lists: preparing {sizes[0]} cases")
        prepare(env, sizes[0])
        django_setup(env)
        _analyse()
        made = sizes[0]
        for size in sizes:
            if size > made:
                grow(env, size - made)
                made = size
                _analyse()
            table[size] = measure(size)
        from django.db import connections

        connections.close_all()
    ok = report(sizes, table)
    say(f"scale_lists: {verdict(ok)}")


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
