"""Benchmark: every list page and the API list at 1k, 10k and 100k cases on PostgreSQL (issue 14 item 2; not a test).

One fresh database for each size (dropped at the end), each the demo and 1k, 10k or 100k scale cases (`wrp demo
--scale`), side by side with the same data directory. Each list is requested by its demo user through Django's test
client (signed in through /login/ on each database, staff with their authenticator code), REPEAT (7) times on each
database in turn — 1k, 10k, 100k, 1k, 10k, … — each time once to warm the fresh connection up and once timed; its
median time and query count at each size are kept. The sizes alternate so that each ratio is measured under the same
conditions: this shared machine's speed moves by 2× over minutes, and when the sizes were measured one after the other
(one database grown between them) the notifications page, which reads no case, came out 1.6–2.1× slower at "100k" than
at "1k" (2026-12-04), while the lists that read cases came out anywhere from 0.46× to 2.9×.

Deep pages: the clerk's all-cases list and the API list at the middle of all cases — by a keyset cursor (`?after=`,
made with `wrp.core.keyset.cursor_for`) when the list pages by cursor, by `?page=` otherwise.

Prints each list's median at each size, the ratio 100k/1k and PASS/FAIL against the target (≤ 1.5×), and its queries
(target ≤ 6 whatever the size).

    make bench-scale                              # with the other PostgreSQL benchmarks
    .venv/bin/python bench/scale_lists.py --sizes 1000,10000     # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import PASSWORD, another_database, django_setup, fresh_database, prepare, say, verdict

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
    """Seconds and queries of GET path, after one request to warm the connection up; the status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        seconds = time.perf_counter() - started
    return seconds, len(captured.captured_queries), response.status_code


def switch_to(env: dict[str, str]) -> None:
    """This process's default database becomes `env`'s: the next query connects to it."""
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = env["DATABASE_URL"].rsplit("/", 1)[1]


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


Result = tuple[float, int, int, str]  # median seconds, median queries, status, how a deep page was reached


def measure(envs: dict[int, dict[str, str]]) -> dict[int, dict[str, Result]]:
    """Each list at each size, the sizes taking turns (module docstring)."""
    clients: dict[int, dict[str, Any]] = {size: {} for size in envs}
    paths: dict[int, dict[str, tuple[str, str]]] = {size: {} for size in envs}
    for size, env in envs.items():
        switch_to(env)
        _analyse()
        for label, user, path in LISTS:
            client = clients[size].get(user) or clients[size].setdefault(user, signed_in(user))
            how = ""
            if path.startswith("deep:"):
                path, how = deep_path(client, path.removeprefix("deep:"))
            paths[size][label] = (path, how)
    results: dict[int, dict[str, Result]] = {size: {} for size in envs}
    for label, user, _path in LISTS:
        runs: dict[int, list[tuple[float, int, int]]] = {size: [] for size in envs}
        for _ in range(REPEAT):
            for size, env in envs.items():
                switch_to(env)
                runs[size].append(timed(clients[size][user], paths[size][label][0]))
        for size in envs:
            seconds = statistics.median(run[0] for run in runs[size])
            queries = int(statistics.median(run[1] for run in runs[size]))
            status = max(run[2] for run in runs[size])
            how = paths[size][label][1]
            results[size][label] = (seconds, queries, status, how)
            say(f"  {size:>7} {label:<34} {seconds * 1000:8.1f} ms  {queries:3d} queries  {status}  {how}")
    return results


def report(sizes: list[int], table: dict[int, dict[str, Result]]) -> bool:
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
    with fresh_database("lists") as env, contextlib.ExitStack() as others:
        envs = {sizes[0]: env} | {size: others.enter_context(another_database(env, f"lists{size}"))
                                  for size in sizes[1:]}
        for size, each in envs.items():
            say(f"scale_lists: preparing {size} cases")
            prepare(each, size)
        django_setup(env)
        table = measure(envs)
        from django.db import connections

        connections.close_all()
    ok = report(sizes, table)
    say(f"scale_lists: {verdict(ok)}")


def _analyse() -> None:
    """The statistics and visibility map a live database has from autovacuum: without the map, a capped count reads
    the table's rows instead of its index (clerk's all cases at 100k: 11.6 ms → 0.8 ms, 2026-12-04)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
