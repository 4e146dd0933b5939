"""The daily sweep's permit step, set-wise (POLICY §9): valid or suspended permits whose `valid_until` has passed
become `expired`, in keyset batches (per status, in (valid_until, id) order), each batch one transaction.

On PostgreSQL a batch is one statement: the due rows are taken with `FOR UPDATE SKIP LOCKED` (two sweeps at once
never take the same permit), updated with `UPDATE … RETURNING`, and their PermitEvents and audit events written with
`INSERT … SELECT` from the returned rows — the same content `_record`/`audit_record` would write, without a round trip
per permit. The audit rows carry their content columns only; the chainer (`wrp.audit.services.audit_chain`) links
them after commit. Elsewhere (SQLite, whose IMMEDIATE transactions serialise writers) a batch is a bulk update and a
bulk insert. Either way each permit's `permit.expired` is announced after its batch commits (marked `batch`), and
the batch as one `permits.expired` with its `permit_ids`, for subscribers that work set-wise (the notifications).

A suspended permit has no time limit of its own: POLICY §9 suspends it until an `employer_change` moves it, which
must happen within the permit's validity, so it lapses with `valid_until` like a valid one. (The 60-day limit of §9
binds the unit's release and is judged when the release is made, `wrp.employment.services`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from wrp.audit import services as audit_services
from wrp.audit.services import audit_insert_params, audit_insert_select, audit_record, audited_atomic
from wrp.core.events import emit
from wrp.permits.models import Permit, PermitEvent, PermitStatus

DEFAULT_BATCH = 5000
DUE_STATUSES = (PermitStatus.VALID, PermitStatus.SUSPENDED)
PERMIT_TYPE = Permit._meta.label_lower  # "permits.permit", as audit_record(obj=permit) names it


def sweep_batch_size() -> int:
    """Rows per batch (transaction): the SWEEP_BATCH_SIZE setting, 5,000 by default."""
    return int(getattr(settings, "SWEEP_BATCH_SIZE", DEFAULT_BATCH))


def setwise() -> bool:
    """Whether batches are single PostgreSQL statements (data-modifying CTEs, SKIP LOCKED)."""
    return connection.vendor == "postgresql"


def audit_system_events(*, action: str, object_type: str, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """The portable way: one `audit_record` per (object id, changes), inside the caller's audited transaction."""
    for pk, changes in rows:
        audit_record(actor=None, action=action, object_type=object_type, object_id=str(pk), changes=changes)


def audit_chain_after_commit(events: int = 1) -> None:
    """Wake the chainer for the `events` rows inserted by raw SQL, once the sweep's transactions are committed (looked
    up at call time, so a benchmark can hold it back and time the chainer apart)."""
    audit_services.audit_chain_on_commit(events)


def _note(valid_until: date, today: date) -> str:
    return f"valid_until {valid_until.isoformat()} < {today.isoformat()}"


# One batch of one status, keyset on (valid_until, id): the (status, valid_until) index walks the due rows only, so a
# batch reads the rows it changes and nothing else (O(changed rows), whatever the size of the table).
_EXPIRE_SQL = """
WITH due AS MATERIALIZED (
    SELECT id FROM permits_permit
    WHERE status = %(status)s AND valid_until < %(today)s AND valid_until >= %(after_day)s
      AND (valid_until, id) > (%(after_day)s, %(after_id)s)
    ORDER BY valid_until, id LIMIT %(size)s
    FOR UPDATE SKIP LOCKED
), changed AS (
    UPDATE permits_permit AS permit SET status = %(expired)s
    FROM due WHERE permit.id = due.id
    RETURNING permit.id, permit.valid_until
), events AS (
    INSERT INTO permits_permitevent (permit_id, at, action, from_status, to_status, actor_id, note)
    SELECT id, %(at)s, 'expired', %(status)s, %(expired)s, NULL,
           'valid_until ' || to_char(valid_until, 'YYYY-MM-DD') || ' < ' || %(today_text)s
    FROM changed
), audit AS (
    {audit}
)
SELECT id, valid_until FROM changed ORDER BY valid_until, id
"""

_EXPIRED_CHANGES = "jsonb_build_object('status', jsonb_build_array(%(status)s::text, %(expired)s::text))"

Keyset = tuple[date, int]  # (valid_until, id) of the last row of the batch before


def _expire_batch_postgresql(*, status: str, today: date, after: Keyset, size: int, at: datetime
                             ) -> list[tuple[int, date]]:
    audit = audit_insert_select(changes_sql=_EXPIRED_CHANGES)
    params: dict[str, Any] = {
        **audit_insert_params(action="permit.expired", object_type=PERMIT_TYPE),
        "status": status, "today": today, "after_day": after[0], "after_id": after[1], "size": size,
        "expired": str(PermitStatus.EXPIRED), "at": at, "today_text": today.isoformat(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_EXPIRE_SQL.format(audit=audit), params)
        return [(pk, valid_until) for pk, valid_until in cursor.fetchall()]


def _expire_batch_portable(*, status: str, today: date, after: Keyset, size: int, at: datetime
                           ) -> list[tuple[int, date]]:
    after_day, after_id = after
    rows = list(
        Permit.objects.filter(status=status, valid_until__lt=today, valid_until__gte=after_day)
        .exclude(valid_until=after_day, pk__lte=after_id)
        .order_by("valid_until", "pk").values_list("pk", "valid_until")[:size]
    )
    if not rows:
        return rows
    Permit.objects.filter(pk__in=[pk for pk, _until in rows]).update(status=PermitStatus.EXPIRED)
    PermitEvent.objects.bulk_create([
        PermitEvent(permit_id=pk, at=at, action="expired", from_status=status, to_status=PermitStatus.EXPIRED,
                    note=_note(valid_until, today))
        for pk, valid_until in rows
    ])
    _audit_expiries(rows, status)
    return rows


def _audit_expiries(rows: Sequence[tuple[int, date]], status: str) -> None:
    audit_system_events(action="permit.expired", object_type=PERMIT_TYPE,
                        rows=[(pk, {"status": [status, str(PermitStatus.EXPIRED)]}) for pk, _until in rows])


def permits_expire_setwise(*, today: date, batch_size: int | None = None) -> int:
    """Expire every due permit in batches of `batch_size` (default `sweep_batch_size()`); how many it changed.

    For each due status (valid, then suspended), batch after batch in (valid_until, id) order, each in one transaction:
    take the next due rows after the last one seen (skipping rows another transaction holds), set them `expired`,
    write one PermitEvent and one audit event per row, and announce `permit.expired` per permit (`batch=True`) and
    `permits.expired` for the batch (`permit_ids`) on commit. A status is done at its first batch shorter than the
    batch size. Idempotent: a second run finds nothing due. A permit locked by someone else during the run is left for
    the next run.
    """
    size = batch_size or sweep_batch_size()
    expire = _expire_batch_postgresql if setwise() else _expire_batch_portable
    changed = 0
    for status in DUE_STATUSES:
        after: Keyset = (date.min, 0)
        while True:
            with audited_atomic():
                rows = expire(status=str(status), today=today, after=after, size=size, at=timezone.now())
                for pk, _until in rows:
                    emit("permit.expired", permit_id=pk, batch=True)
                if rows:
                    emit("permits.expired", permit_ids=[pk for pk, _until in rows])
            changed += len(rows)
            if len(rows) < size:
                break
            after = (rows[-1][1], rows[-1][0])
    audit_chain_after_commit(changed)
    return changed
