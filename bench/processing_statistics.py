"""Benchmark: the processing statistics (wrp.statistics, issue 15 §6) on 1,000,000 cases in PostgreSQL. (Not named
statistics.py: in bench/ that name would shadow the standard library's `statistics`, which bench/common.py imports.)

Builds a scratch database (`BENCH_STATS_DB`, default wrp_bench_statistics, on the server at BENCH_PG) migrated for
the platform, then fills the real tables in SQL — `INSERT … SELECT` over `generate_series`, never the ORM per row:
BENCH_UNITS units (2,000) with quota requests and ledgers for three years, BENCH_CASES cases (1,000,000) of the seven
kinds submitted over the two years to the frozen day, with plausible states (most decided, the last weeks' partly
open, some returned, withdrawn, refused acceptance), acceptance, forwarding and decision moments in Beijing time,
due dates, frozen assessments on the rejected ones (the refusal rules), the timeline events the stages read (submit,
forward, decision) and 好差评 on a third of the decided cases. Then ANALYZE, and it times:

- each SQL aggregate of the daily precompute (`wrp.statistics.precompute`), and the whole job (target < 60 s);
- the live, index-backed figures (overdue now, the oldest case awaiting acceptance);
- the two pages rendered by Django's test client from the snapshot (median of 5, wall and CPU time; target
  < 200 ms), with their query counts.

    .venv/bin/python bench/processing_statistics.py   # BENCH_CASES=1000000; BENCH_KEEP=1 keeps the database;
    BENCH_REUSE=1 BENCH_KEEP=1 .venv/bin/python bench/processing_statistics.py   # measures again on the kept one

The machine's load (`uptime`) is printed before and after: the figures are wall-clock times on a shared machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
from common import PG as SERVER  # noqa: E402 — bench/ is the script's own folder (BENCH_PG)
from common import drop_database, recreate_database  # noqa: E402

DB = os.environ.get("BENCH_STATS_DB", "wrp_bench_statistics")
CASES = int(os.environ.get("BENCH_CASES", "1000000"))
UNITS = int(os.environ.get("BENCH_UNITS", "2000"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
REUSE = os.environ.get("BENCH_REUSE") == "1"  # measure again on a database a BENCH_KEEP=1 run left
TODAY = date(2026, 11, 26)  # the frozen day: the data end here, the figures are computed for it
PAGE_TARGET_MS = 200
PRECOMPUTE_TARGET_S = 60

os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
os.environ.setdefault("WRP_DATA_DIR", tempfile.mkdtemp(prefix="wrp-bench-statistics-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")
os.environ["STAFF_OTP_REQUIRED"] = "false"
sys.path.insert(0, str(ROOT))


def say(text: str) -> None:
    print(text, flush=True)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def timed(label: str, action: Callable[[], Any]) -> Any:
    started, cpu = time.perf_counter(), time.process_time()
    result = action()
    say(
        f"  {label:<46} {1000 * (time.perf_counter() - started):9.1f} ms wall "
        f"{1000 * (time.process_time() - cpu):8.1f} ms cpu (this process)"
    )
    return result


# --- the data set -----------------------------------------------------------------------------------------------------

KINDS = (
    "initial",
    "initial",
    "initial",
    "initial",
    "renewal",
    "renewal",
    "renewal",
    "employer_change",
    "employer_change",
    "info_change",
    "info_change",
    "children_change",
    "unit_opening",
    "unit_transfer",
)
RULES = (
    "A-INCOME",
    "A-TENURE",
    "A-HOUSING",
    "A-CONTRACT",
    "A-SOCIAL-INSURANCE",
    "U-REGISTERED",
    "U-TAX-YEAR",
    "A-CONDITION",
    "U-CAPITAL",
    "A-INCOME-PAYER",
)


def _array(values: tuple[str, ...]) -> str:
    return "(ARRAY[" + ", ".join(f"'{v}'" for v in values) + "])"


def build(cursor: Any, handler: int, approver: int) -> None:
    """The units, quotas, cases, events and ratings, in SQL."""
    from wrp.cases.models import Case, CaseEvent, CaseRating
    from wrp.quotas.models import QuotaLedger, QuotaRequest
    from wrp.units.models import Unit

    unit, case, event = Unit._meta.db_table, Case._meta.db_table, CaseEvent._meta.db_table
    rating, ledger, request = CaseRating._meta.db_table, QuotaLedger._meta.db_table, QuotaRequest._meta.db_table
    cursor.execute("SELECT setseed(0.15)")
    cursor.execute(
        f"""
        INSERT INTO {unit} (credit_code, name, kind, legal_person, registered_district, tax_district,
            registered_capital, annual_tax, qualifications, account_status, account_district, association_code,
            created_at, updated_at)
        SELECT 'B' || lpad(g::text, 17, '0'), '北京基准测试单位' || g || '有限公司', 'enterprise', true, 'chaoyang',
               'chaoyang', 5000000, '{{}}', '[]', 'open', 'chaoyang', 'BU' || lpad(g::text, 14, '0'), now(), now()
        FROM generate_series(1, %s) g""",
        [UNITS],
    )
    cursor.execute(f"""
        INSERT INTO {ledger} (unit_id, year, granted, reserved, used)
        SELECT u.id, y, 20 + (u.id % 30), (u.id % 3), CASE WHEN y < 2026 THEN 15 + (u.id % 5) ELSE 5 + (u.id % 10) END
        FROM {unit} u CROSS JOIN generate_series(2024, 2026) y""")
    cursor.execute(
        f"""
        INSERT INTO {request} (unit_id, year, requested, reason, state, granted, requested_by_id, requested_at,
            decided_by_id, decided_at)
        SELECT l.unit_id, l.year, l.granted + (l.unit_id %% 7), '年度用人计划', 'granted', l.granted, %s,
               make_timestamptz(l.year, 1, 10, 2, 0, 0, 'UTC'), %s, make_timestamptz(l.year, 1, 20, 2, 0, 0, 'UTC')
        FROM {ledger} l""",
        [handler, approver],
    )
    # One generated row per case: kind, submission day, the working stages in calendar days, the fate.
    cursor.execute(
        f"""
        CREATE TEMP TABLE gen AS
        SELECT g, {_array(KINDS)}[1 + floor(random() * {len(KINDS)})::int] AS kind,
               DATE %s - floor(random() * 730)::int AS submitted,
               floor(random() * 9)::int AS to_accept, floor(random() * 18)::int AS to_forward,
               floor(random() * 10)::int AS to_decide, random() AS fate, random() AS pick,
               1 + floor(random() * {UNITS})::int AS unit_no,
               {_array(RULES)}[1 + floor(random() * {len(RULES)})::int] AS rule1,
               {_array(RULES)}[1 + floor(random() * {len(RULES)})::int] AS rule2
        FROM generate_series(1, %s) g""",
        [TODAY, CASES],
    )
    cursor.execute(
        """
        CREATE TEMP TABLE gen2 AS
        SELECT gen.*, kind IN ('initial', 'renewal') AS to_bureau,
               CASE
                 WHEN submitted > DATE %s - 35 AND fate < 0.55 THEN
                   (ARRAY['submitted', 'in_review', 'in_review', 'returned', 'pending_approval'])[1 + floor(pick * 5)::int]
                 WHEN fate < 0.80 THEN 'approved' WHEN fate < 0.92 THEN 'rejected'
                 WHEN fate < 0.97 THEN 'withdrawn' ELSE 'not_accepted' END AS fate_state,
               make_timestamptz(extract(year FROM submitted)::int, extract(month FROM submitted)::int,
                                extract(day FROM submitted)::int, 9, 30, 0, 'Asia/Shanghai')
                 + (pick * interval '7 hours') AS received
        FROM gen""",
        [TODAY],
    )
    cursor.execute(
        f"""
        INSERT INTO {case} (public_id, kind, subtype, state, unit_id, created_by_id, answers, review_reasons, version,
            time_limit, accepted_on, due_on, paused_on, days_left_at_pause, clock_provisional, overdue, decision_reason,
            received_at, acceptance_due, accepted_at, acceptance, acceptance_reason, extension_reason, decided_at,
            decided_by_id, assessment, created_at, updated_at)
        SELECT 'B' || lpad(g::text, 11, '0'), kind, CASE WHEN kind = 'info_change' THEN 'address' ELSE '' END,
               CASE WHEN fate_state = 'not_accepted' THEN 'rejected' ELSE fate_state END,
               (SELECT min(id) FROM {unit}) + unit_no - 1, %s, '{{}}', '{{}}', 1,
               CASE WHEN kind IN ('unit_opening', 'unit_transfer') THEN 7 ELSE 20 END, submitted,
               submitted + CASE WHEN kind IN ('unit_opening', 'unit_transfer') THEN 11 ELSE 28 END,
               CASE WHEN fate_state = 'returned' THEN submitted + to_accept END,
               CASE WHEN fate_state = 'returned' THEN 12 END, false, false, '',
               received, submitted + 7,
               CASE WHEN fate_state IN ('submitted', 'withdrawn', 'not_accepted', 'returned') THEN NULL
                    ELSE received + to_accept * interval '1 day' + interval '1 hour' END,
               CASE WHEN fate_state IN ('submitted', 'withdrawn', 'returned') THEN ''
                    WHEN fate_state = 'not_accepted' THEN 'not_accepted'
                    WHEN to_accept >= 8 THEN 'deemed' WHEN pick < 0.2 THEN 'with_decision' ELSE 'explicit' END,
               '', '',
               CASE WHEN fate_state IN ('approved', 'rejected') THEN
                      received + (to_accept + to_forward + CASE WHEN to_bureau THEN to_decide ELSE 0 END + 1)
                                 * interval '1 day'
                    WHEN fate_state IN ('withdrawn', 'not_accepted') THEN received + interval '2 days' END,
               CASE WHEN fate_state IN ('approved', 'rejected', 'not_accepted') THEN %s END,
               CASE WHEN fate_state = 'rejected' THEN jsonb_build_object('zh', jsonb_build_object('checks',
                   jsonb_build_array(jsonb_build_object('rule', rule1, 'outcome', 'review'),
                                     jsonb_build_object('rule', rule2, 'outcome', 'review'),
                                     jsonb_build_object('rule', 'U-PENALTY', 'outcome', 'pass')))) END,
               received, received
        FROM gen2 ORDER BY submitted, g""",
        [handler, approver],
    )
    cursor.execute(f"""UPDATE {case} SET accepted_at = received_at
                       WHERE acceptance = 'deemed' AND public_id LIKE 'B%%'""")
    cursor.execute(
        f"""
        INSERT INTO {event} (case_id, at, action, actor_id, actor_role, from_state, to_state, detail)
        SELECT c.id, c.received_at, 'submit', %s, 'unit_handler', 'draft', 'submitted', '{{}}'::jsonb FROM {case} c
        UNION ALL
        SELECT c.id, c.accepted_at + (gen2.to_forward * interval '1 day'), 'forward', %s, 'window_clerk', 'in_review',
               'pending_approval', '{{}}'
        FROM {case} c JOIN gen2 ON c.public_id = 'B' || lpad(gen2.g::text, 11, '0')
        WHERE gen2.to_bureau AND c.accepted_at IS NOT NULL AND c.state IN ('approved', 'rejected', 'pending_approval')
        UNION ALL
        SELECT c.id, c.decided_at, CASE WHEN c.state = 'approved' THEN 'approve' ELSE 'reject' END, %s,
               'bureau_approver', 'pending_approval', c.state, '{{}}'
        FROM {case} c WHERE c.state IN ('approved', 'rejected')""",
        [handler, handler, approver],
    )
    cursor.execute(
        f"""
        INSERT INTO {rating} (case_id, party, level, comment, rated_by_id, rated_at)
        SELECT c.id, 'unit', (ARRAY['very_satisfied', 'very_satisfied', 'very_satisfied', 'satisfied', 'satisfied',
                                   'basically_satisfied', 'dissatisfied', 'very_dissatisfied'])[1 + (c.id %% 8)],
               '', %s, c.decided_at + interval '1 day'
        FROM {case} c WHERE c.state IN ('approved', 'rejected') AND c.id %% 3 = 0""",
        [handler],
    )
    cursor.execute("DROP TABLE gen2; DROP TABLE gen")


def counts(cursor: Any) -> str:
    from wrp.cases.models import Case, CaseEvent, CaseRating

    parts = []
    for model in (Case, CaseEvent, CaseRating):
        cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
        parts.append(f"{model.__name__} {cursor.fetchone()[0]:,}")
    cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{Case._meta.db_table}'))")
    parts.append(f"cases table {cursor.fetchone()[0]}")
    return ", ".join(parts)


# --- the measurements -------------------------------------------------------------------------------------------------


def measure_queries() -> None:
    from datetime import timedelta

    from wrp.statistics import durations, precompute
    from wrp.statistics.calendar_table import calendar_table_refresh
    from wrp.statistics.live import live_figures, oldest_waiting, overdue_now

    since, recent = TODAY - timedelta(precompute.YEAR_DAYS - 1), TODAY - timedelta(precompute.RECENT_DAYS - 1)
    say("Each SQL aggregate of the daily precompute (first run after ANALYZE):")
    timed("working-day table refresh (first fill)", lambda: calendar_table_refresh(today=TODAY))
    timed("working-day table refresh (unchanged)", lambda: calendar_table_refresh(today=TODAY))
    timed("received / decided per kind and month", lambda: precompute.monthly(TODAY))
    for stage in durations.STAGES:
        timed(
            f"stage '{stage}' distribution per kind",
            lambda stage=stage: durations.stage_counts(stage, today=TODAY, since=since, recent=recent),
        )
    timed("deemed acceptances", lambda: durations.deemed_count(since=since, today=TODAY))
    timed("outcomes (approval / rejection rates)", lambda: precompute.outcomes(TODAY))
    timed("refusal rules (frozen assessments)", lambda: precompute.refusal_rules(TODAY))
    timed("quotas per year and unit", lambda: precompute.quotas(TODAY))
    timed("好差评 distribution", lambda: precompute.ratings(TODAY))
    summary = timed("the whole daily job (figures_precompute)", lambda: precompute.figures_precompute(today=TODAY))
    say(
        f"  → job summary {summary}; target < {PRECOMPUTE_TARGET_S} s: "
        f"{'PASS' if summary['seconds'] < PRECOMPUTE_TARGET_S else 'FAIL'}"
    )
    say("Live, index-backed figures:")
    timed("overdue now (per kind)", lambda: overdue_now(TODAY))
    timed("oldest case awaiting acceptance", oldest_waiting)
    timed("both, through the cache (cold: computed, stored)", lambda: live_figures(TODAY))
    timed("both, through the cache (warm)", lambda: live_figures(TODAY))


def measure_pages() -> None:
    import statistics as stats

    import time_machine
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wrp.accounts.models import Role, User

    approver = User.objects.filter(role=Role.BUREAU_APPROVER).first()
    bureau, public = Client(), Client()
    bureau.force_login(approver)
    say("Pages rendered from the snapshot (Django test client, median of 5 after one warm-up):")
    with time_machine.travel(date(2026, 11, 26), tick=True):
        for name, client, path in (
            ("bureau dashboard", bureau, "/bureau/statistics/"),
            ("public figures", public, "/statistics/"),
        ):
            for language in ("zh-hans", "en"):
                assert client.get(path, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
                walls, cpus = [], []
                for _ in range(5):
                    started, cpu = time.perf_counter(), time.process_time()
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                    walls.append(1000 * (time.perf_counter() - started))
                    cpus.append(1000 * (time.process_time() - cpu))
                    assert response.status_code == 200
                wall = stats.median(walls)
                say(
                    f"  {name + ' ' + path + ' [' + language + ']':<46} {wall:9.1f} ms wall "
                    f"{stats.median(cpus):8.1f} ms cpu, {len(queries)} queries, {len(response.content):,} bytes; "
                    f"target < {PAGE_TARGET_MS} ms: {'PASS' if wall < PAGE_TARGET_MS else 'FAIL'}"
                )


def main() -> None:
    say(f"bench/processing_statistics.py: {CASES:,} cases, {UNITS:,} units on {SERVER}/{DB}")
    say(f"load before: {uptime()}")
    if not REUSE:
        recreate_database(DB)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from tests.factories import make_user

        from wrp.accounts.models import Role

        if REUSE:
            with connection.cursor() as cursor:
                say(f"  reusing the data set: {counts(cursor)}")
            measure_queries()
            measure_pages()
            return
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        say(f"  migrated in {time.perf_counter() - started:.1f} s")
        handler, approver = make_user(Role.UNIT_HANDLER), make_user(Role.BUREAU_APPROVER)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            build(cursor, handler.pk, approver.pk)
            say(f"  data set built in SQL in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            cursor.execute("ANALYZE")
            say(f"  ANALYZE in {time.perf_counter() - started:.1f} s; {counts(cursor)}")
        measure_queries()
        measure_pages()
    finally:
        from django.db import connections

        connections.close_all()
        if not KEEP:
            drop_database(DB)
    say(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
