"""The daily sweep (`wrp sweep`): expire permits past their validity, mark overdue cases, count late releases, delete
orphan files and tidy the upload checks (`wrp.documents.uploads.upload_checks_tidy`).

Idempotent and safe to run twice or concurrently: each step only moves what is still due, under row locks, and a
second run finds nothing left to do. Expiries and overdue marks are set-wise: keyset batches (`SWEEP_BATCH_SIZE` rows,
ordered by id), each one transaction with one UPDATE and bulk inserts of its events (`wrp.permits.sweep`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from wrp.audit.services import audit_insert_params, audit_insert_select, audited_atomic
from wrp.cases import clock
from wrp.cases.models import Case
from wrp.cases.workflow import RUNNING
from wrp.documents.services import orphan_files_remove
from wrp.documents.uploads import upload_checks_tidy
from wrp.permits.services import permits_expire
from wrp.permits.sweep import audit_chain_after_commit, audit_system_events, setwise, sweep_batch_size
from wrp.units.models import Association

CASE_TYPE = Case._meta.label_lower  # "cases.case", as audit_record(obj=case) names it


@dataclass(frozen=True)
class SweepReport:
    permits_expired: int
    cases_marked_overdue: int
    late_releases: int
    orphan_files_removed: int
    upload_checks_tidied: int


# What `clock.view` reads of a case: the candidates are loaded with these columns only.
CLOCK_FIELDS = ("id", "state", "time_limit", "accepted_on", "due_on", "paused_on", "days_left_at_pause",
                "clock_provisional", "decided_at")

_MARK_SQL = """
WITH changed AS (
    UPDATE cases_case SET overdue = TRUE
    WHERE id = ANY(%(ids)s) AND overdue = FALSE AND state = ANY(%(running)s)
    RETURNING id
), audit AS (
    {audit}
)
SELECT id FROM changed ORDER BY id
"""


def _overdue_candidates(today: date, *, after: int, size: int) -> list[Case]:
    """The next running cases not yet marked whose due date has passed (a superset of the overdue ones: a paused
    clock or a calendar year not loaded may still leave days), locked, skipping rows another transaction holds."""
    candidates = (
        Case.objects.filter(state__in=RUNNING, overdue=False, due_on__lt=today, pk__gt=after)
        .order_by("pk").only(*CLOCK_FIELDS)
    )
    skip_locked = connection.features.has_select_for_update_skip_locked
    return list(candidates.select_for_update(skip_locked=skip_locked)[:size])


def _mark(ids: list[int]) -> list[int]:
    """Set `overdue` on the cases (still running and unmarked) with one audit event each; the ids it changed."""
    if not ids:
        return []
    if setwise():
        audit = audit_insert_select(changes_sql="jsonb_build_object('overdue', jsonb_build_array(FALSE, TRUE))")
        params: dict[str, Any] = {**audit_insert_params(action="case.overdue", object_type=CASE_TYPE),
                                  "ids": ids, "running": [str(state) for state in RUNNING]}
        with connection.cursor() as cursor:
            cursor.execute(_MARK_SQL.format(audit=audit), params)
            return [pk for (pk,) in cursor.fetchall()]
    marked = ids  # the rows are held by this transaction (SQLite: its write lock), still running and unmarked
    Case.objects.filter(pk__in=marked).update(overdue=True)
    audit_system_events(action="case.overdue", object_type=CASE_TYPE,
                        rows=[(pk, {"overdue": [False, True]}) for pk in marked])
    return marked


def _mark_overdue(today: date, *, batch_size: int | None = None) -> int:
    """Mark running cases whose clock (working days, pauses: `clock.view`) is past due, in keyset batches.

    Per batch, one transaction: lock the next candidates by due date, decide each with the clock in Python, mark the
    overdue ones with one UPDATE and write their audit events. Idempotent: a marked case is no longer a candidate.
    """
    size = batch_size or sweep_batch_size()
    marked, after = 0, 0
    while True:
        with audited_atomic():
            candidates = _overdue_candidates(today, after=after, size=size)
            marked += len(_mark([case.pk for case in candidates if clock.view(case, today=today).overdue]))
        if len(candidates) < size:
            break
        after = candidates[-1].pk
    audit_chain_after_commit()
    return marked


def sweep(*, today: date) -> SweepReport:
    return SweepReport(
        permits_expired=permits_expire(today=today),
        cases_marked_overdue=_mark_overdue(today),
        late_releases=Association.objects.filter(late=True).count(),
        orphan_files_removed=orphan_files_remove(),
        upload_checks_tidied=upload_checks_tidy(),
    )
