"""Benchmark of the daily sweep on PostgreSQL (make bench-scale; not part of the test suite).

A fresh database (made for the run and dropped after it) with 1,000,000 permits built by `INSERT … SELECT
generate_series` (one applicant account each, 2,000 units) and 100,000 cases; 10 % of the permits are past their
`valid_until` (valid and suspended ones: a backlog of about a month of expiries on a district's full register) and
about 1,500 running cases are past their due date. Timed, on the same rows reset between runs (and vacuumed):

1. a plain `UPDATE` of exactly the rows the sweep changes (the permits' status, the cases' overdue mark): the floor
   (runs 1 and 2 alternate, `--rounds` times, and the best of each counts: the machine is shared);
2. `wrp sweep` (`wrp.cases.sweep.sweep`): the same changes plus a PermitEvent and an audit event per row, in keyset
   batches; the audit rows are left for the chainer (timed apart, as it runs after the sweep's commits);
3. the second, idempotent run (changes nothing).

Prints each time and the ratio sweep / plain UPDATE; target (issue 14): the sweep of 1M permits < 15 s.
The notifications of `permit.expired` are sent after each batch commits by the notifications subscriber; they are
counted here and their cost per 1,000 expiries is measured on a sample, one event at a time and as one batch event
(`permits.expired`) (they are the subscriber's work, not the sweep's).

Usage: python bench/sweep.py [--permits N] [--cases N] [--due-share 0.10] [--batch 5000]
Environment: BENCH_PG=postgres://postgres@127.0.0.1:5432 (the server; the run makes and drops its own database,
bench/common.py).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from common import PG, fresh_database, say, verdict

TARGET_SECONDS = 15.0


def django_up(env: dict[str, str]) -> None:
    """Django in this process on the bench's fresh database, migrated."""
    os.environ.update({**env, "WRP_ENV": "development", "DJANGO_SETTINGS_MODULE": "wrp.config.settings"})
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- data ---------------------------------------------------------------------------------------------------------------


def insert_series(model: Any, count: int, values: dict[str, str], params: dict[str, Any] | None = None) -> None:
    """INSERT INTO <model's table> SELECT … FROM generate_series(1, count) AS g(i): `values` gives SQL expressions
    (of `i`) for some columns (attnames); every other column takes its field default (auto_now: now())."""
    from django.db import connection

    columns, expressions, bound = [], [], dict(params or {})
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in values:
            expressions.append(values[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        else:
            name = f"default_{field.attname}"
            bound[name] = field.get_db_prep_save(field.get_default(), connection)
            expressions.append(f"%({name})s")
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(expressions)} FROM generate_series(1, %(count)s) AS g(i)")
    with connection.cursor() as cursor:
        cursor.execute(sql, {**bound, "count": count})


def build(*, permits: int, cases: int, due_share: float, today: date) -> dict[str, int]:
    """Units, one applicant per permit, permits (a share due), a handler and cases (running ones, some past due)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from wrp.cases.models import Case
    from wrp.permits.models import Permit
    from wrp.units.models import Unit

    units = 2000
    due_every = max(1, round(1 / due_share)) if due_share > 0 else 0
    with transaction.atomic():
        insert_series(Unit, units, {
            "credit_code": "'B' || lpad(i::text, 17, '0')", "name": "'单位' || i", "kind": "'enterprise'",
            "registered_district": "'chaoyang'", "tax_district": "'chaoyang'", "account_status": "'open'",
            "account_district": "'chaoyang'", "association_code": "'A' || lpad(i::text, 15, '0')",
        })
        insert_series(get_user_model(), permits + 1, {
            "username": "'bench' || i", "password": "'!'", "role": "'applicant'",
            "is_active": "TRUE", "date_joined": "now()",
        })
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM units_unit")
        first_unit = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM accounts_user")
        first_user = cursor.fetchone()[0]
    due = f"(mod(i, {due_every}) = 0)" if due_every else "FALSE"
    with transaction.atomic():
        insert_series(Permit, permits, {
            "number": "'WRP' || lpad(i::text, 12, '0')",
            "verify_token": "md5('v' || i::text)",
            "holder_id": f"{first_user} + i",  # the first account is the handler
            "unit_id": f"{first_unit} + mod(i, {units})",
            # Not due: valid (1 in 7 suspended), a few already expired or revoked; due: 1 in 3 suspended.
            "status": f"CASE WHEN {due} THEN (CASE WHEN mod(i, 3) = 0 THEN 'suspended' ELSE 'valid' END) "
                      "WHEN mod(i, 50) = 1 THEN 'expired' WHEN mod(i, 97) = 2 THEN 'revoked' "
                      "WHEN mod(i, 7) = 0 THEN 'suspended' ELSE 'valid' END",
            "valid_until": f"CASE WHEN {due} OR mod(i, 50) = 1 THEN %(today)s::date - (1 + mod(i, 30)) "
                           "ELSE %(today)s::date + (mod(i, 1095)) END",
            "issued_on": "%(today)s::date - 1000",
            "suspended_on": f"CASE WHEN mod(i, 7) = 0 OR ({due} AND mod(i, 3) = 0) THEN %(today)s::date - 40 END",
        }, {"today": today})
        running = "(CASE mod(i, 10) WHEN 0 THEN 'submitted' WHEN 1 THEN 'in_review' WHEN 2 THEN 'pending_approval' " \
                  "WHEN 3 THEN 'returned' WHEN 4 THEN 'rejected' ELSE 'approved' END)"
        insert_series(Case, cases, {
            "public_id": "'B' || lpad(i::text, 12, '0')", "kind": "'renewal'", "state": running,
            "unit_id": f"{first_unit} + mod(i, {units})", "applicant_id": f"{first_user} + i",
            "created_by_id": f"{first_user}", "version": "1", "time_limit": "20",
            "accepted_on": "%(today)s::date - 40",
            # 5 % of the running cases are past their due date (some of those only by a weekend); returned ones paused.
            "due_on": "%(today)s::date - 10 + mod(i * 7, 200)",
            "paused_on": "CASE WHEN mod(i, 10) = 3 THEN %(today)s::date - 5 END",
            "days_left_at_pause": "CASE WHEN mod(i, 10) = 3 THEN 4 END",
            "decided_at": "CASE WHEN mod(i, 10) >= 4 THEN now() END",
        }, {"today": today})
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM permits_permit WHERE status IN ('valid', 'suspended') "
                       "AND valid_until < %s", [today])
        due_permits = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_case WHERE state IN ('submitted', 'in_review', "
                       "'pending_approval') AND NOT overdue AND due_on < %s", [today])
        candidates = cursor.fetchone()[0]
    return {"permits": permits, "due_permits": due_permits, "cases": cases, "overdue_candidates": candidates,
            "units": units, "users": permits + 1}


# --- runs ---------------------------------------------------------------------------------------------------------------


def sql(statement: str, params: Any = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def remember_due(today: date) -> None:
    """The rows the sweep will change, with what they were, to reset them between runs."""
    sql("CREATE TABLE bench_permit_due AS SELECT id, status FROM permits_permit "
        "WHERE status IN ('valid', 'suspended') AND valid_until < %s", [today])
    sql("CREATE TABLE bench_case_marked (id bigint PRIMARY KEY)")


def reset() -> None:
    """Every row back as it was before any run: permits, cases, and no permit or audit events (the audit trail's
    append-only triggers lifted for it: this is a throw-away database)."""
    from django.db import connection

    from wrp.audit import triggers

    sql("UPDATE permits_permit AS p SET status = d.status FROM bench_permit_due AS d "
        "WHERE p.id = d.id AND p.status <> d.status")
    sql("UPDATE cases_case SET overdue = FALSE WHERE overdue")
    triggers.remove(connection)
    sql("TRUNCATE permits_permitevent, audit_auditevent, audit_audithead")
    triggers.install(connection)
    sql("VACUUM ANALYZE permits_permit")
    sql("VACUUM ANALYZE cases_case")
    sql("CHECKPOINT")


def plain_update(today: date) -> int:
    """The floor: the same rows changed by bare UPDATEs, no events, one transaction."""
    from django.db import transaction

    with transaction.atomic():
        changed = sql("UPDATE permits_permit SET status = 'expired' "
                      "WHERE status IN ('valid', 'suspended') AND valid_until < %s", [today])
        changed += sql("UPDATE cases_case SET overdue = TRUE WHERE id IN (SELECT id FROM bench_case_marked)")
    return changed


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def without_chaining(call: Callable[[], Any]) -> Any:
    """Run the sweep with its after-commit chainer held back (timed apart)."""
    from wrp.audit import services

    original = services.audit_chain_on_commit
    services.audit_chain_on_commit = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        return call()
    finally:
        services.audit_chain_on_commit = original


def notification_cost(sample: int) -> tuple[float, float, int]:
    """Seconds per expiry told by the notifications subscriber on `sample` expired permits (their holders with a
    verified e-mail, so deliveries are written too): one `permit.expired` at a time (before issue 14's set-wise path),
    then — the notices deleted — the same permits as one sweep batch (`permits.expired`); and the notices written."""
    from django.db import transaction

    from wrp.notifications.events import on_event
    from wrp.notifications.models import ContactPreference, Delivery, Notification

    ids = [row[0] for row in sql("SELECT permit_id FROM permits_permitevent ORDER BY id LIMIT %s", [sample])]
    holders = [row[0] for row in sql("SELECT holder_id FROM permits_permit WHERE id = ANY(%s)", [ids])]
    ContactPreference.objects.bulk_create(
        [ContactPreference(user_id=pk, email=f"h{pk}@example.cn", email_verified=True) for pk in holders],
        ignore_conflicts=True)

    def forget() -> None:
        with transaction.atomic():
            Delivery.objects.all().delete()
            Notification.objects.all().delete()
            sql("DELETE FROM django_tasks_database_dbtaskresult")

    forget()
    single, _none = timed(lambda: [on_event("permit.expired", {"permit_id": pk}) for pk in ids])
    told = Notification.objects.count()
    forget()
    batch, _none = timed(lambda: on_event("permits.expired", {"permit_ids": ids}))
    assert Notification.objects.count() == told, (Notification.objects.count(), told)
    return single / max(1, len(ids)), batch / max(1, len(ids)), told


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--permits", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--due-share", type=float, default=0.10)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2, help="plain UPDATE and sweep runs, alternated")
    args = parser.parse_args()
    with fresh_database("sweep") as env:
        django_up(env)
        run(args)


def run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    from django.conf import settings
    from django.utils import timezone

    from wrp.audit.services import audit_chain, audit_verify
    from wrp.cases.sweep import sweep
    from wrp.core import events

    settings.SWEEP_BATCH_SIZE = args.batch
    today = timezone.localdate()
    counts = build(permits=args.permits, cases=args.cases, due_share=args.due_share, today=today)
    say(f"sweep bench: PostgreSQL at {PG}, today {today}, batch {args.batch:,}; built in "
        f"{time.perf_counter() - started:.1f} s: " + ", ".join(f"{key} {value:,}" for key, value in counts.items()))

    announced: list[int] = []
    subscribers = list(events._subscribers)
    events._subscribers[:] = [lambda event, context: announced.append(context["permit_id"])
                              if event == "permit.expired" else None]
    remember_due(today)

    # The sweep once first, to learn which cases it marks (the plain UPDATE changes the same ones).
    first = without_chaining(lambda: sweep(today=today))
    sql("INSERT INTO bench_case_marked SELECT id FROM cases_case WHERE overdue")
    plain_times, sweep_times = [], []
    for _round in range(args.rounds):  # alternated, best of each: the machine is shared
        reset()
        seconds, plain_rows = timed(lambda: plain_update(today))
        plain_times.append(seconds)
        reset()
        announced.clear()
        seconds, report = timed(lambda: without_chaining(lambda: sweep(today=today)))
        sweep_times.append(seconds)
    plain_seconds, sweep_seconds = min(plain_times), min(sweep_times)
    assert (report.permits_expired, report.cases_marked_overdue) == (first.permits_expired,
                                                                     first.cases_marked_overdue), (report, first)
    changed = report.permits_expired + report.cases_marked_overdue
    assert changed == plain_rows, (changed, plain_rows)
    ((permit_events, audit_events),) = sql("SELECT (SELECT count(*) FROM permits_permitevent), "
                                           "(SELECT count(*) FROM audit_auditevent)")
    chain_seconds, chained = timed(audit_chain)
    second_seconds, second = timed(lambda: sweep(today=today))
    verify_seconds, verification = timed(audit_verify)
    events._subscribers[:] = subscribers
    per_single, per_batch, told = notification_cost(1000)

    ratio = sweep_seconds / plain_seconds
    say(f"rows changed: {report.permits_expired:,} permits expired + {report.cases_marked_overdue:,} cases marked "
        f"overdue = {changed:,}; permit events {permit_events:,}, audit events {audit_events:,}; permit.expired "
        f"announced {len(announced):,} ({len(set(announced)):,} permits)")
    say(f"load average at the end: {' '.join(f'{value:.1f}' for value in os.getloadavg())} on {os.cpu_count()} CPUs; "
        f"best of {args.rounds} alternated runs each")
    say(f"plain UPDATE of the same rows: {plain_seconds:.2f} s ({', '.join(f'{t:.2f}' for t in plain_times)})")
    say(f"sweep (events + audit rows, batches of {args.batch:,}): {sweep_seconds:.2f} s "
        f"({', '.join(f'{t:.2f}' for t in sweep_times)}) = {ratio:.2f}× the plain "
        f"UPDATE; target < {TARGET_SECONDS:.0f} s: {verdict(sweep_seconds < TARGET_SECONDS)}")
    say(f"chaining its {chained:,} audit events (the chainer, after the sweep's commits): {chain_seconds:.2f} s; "
        f"sweep + chain {sweep_seconds + chain_seconds:.2f} s")
    say(f"second run (idempotent): {second_seconds:.3f} s, changed "
        f"{second.permits_expired + second.cases_marked_overdue}")
    say(f"audit_verify after the sweep: {'ok' if verification.ok else 'BROKEN: ' + verification.reason} "
        f"({verification.checked:,} events, {verify_seconds:.1f} s)")
    say(f"notifications (subscriber, after commit), per 1,000 expiries ({told:,} notices and their e-mail deliveries "
        f"for 1,000): one permit.expired at a time {per_single * 1000:.2f} s, as a sweep batch (permits.expired) "
        f"{per_batch * 1000:.2f} s = {per_single / per_batch:.1f}× faster; this run's {report.permits_expired:,} "
        f"expiries: {per_single * report.permits_expired:.0f} s before, {per_batch * report.permits_expired:.0f} s "
        "now (not in the sweep's time)")


if __name__ == "__main__":
    main()
