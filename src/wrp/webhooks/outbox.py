"""The outbox: every emitted event written in the emitting transaction, then numbered in commit order.

`outbox_record(event, contexts)` (registered with `wrp.core.events.record_with`) reads what the event concerns — the
case, association or permit named by the context's id — in one query per batch, and inserts one `Event` per context
with one bulk insert: the unit that may see it, the person it concerns, and ids and states (never personal data).
A batch event (`permits.expired`, `permit_ids`) is recorded as its single events in one insert, and singles marked
`batch=True` (announced within such a batch) are skipped, so the sweep writes one insert per batch. After commit it
asks for a dispatch (`wrp.webhooks.delivery.dispatch_soon`), once per transaction.

`events_sequence()` gives the committed, unnumbered events their `seq` under the `Sequencer` row's lock, in id order:
a reader of `seq > N` therefore never misses an event that committed late with a low id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from wrp.webhooks.models import Event, Sequencer

SEQUENCE_BATCH = 5000


def _case_rows(ids: list[Any]) -> dict[Any, dict[str, Any]]:
    from wrp.cases.models import Case

    rows = Case.objects.filter(pk__in=ids).values(
        "pk", "public_id", "kind", "state", "unit_id", "unit__credit_code", "applicant_id", "applicant__username"
    )
    return {
        row["pk"]: {
            "unit_id": row["unit_id"],
            "applicant_id": row["applicant_id"],
            "subject": f"cases/{row['public_id']}",
            "data": {
                "case": row["public_id"],
                "kind": row["kind"],
                "state": row["state"],
                "unit": row["unit__credit_code"],
                "applicant": row["applicant__username"],
            },
        }
        for row in rows
    }


def _association_rows(ids: list[Any]) -> dict[Any, dict[str, Any]]:
    from wrp.units.models import Association

    rows = Association.objects.filter(pk__in=ids).values(
        "pk", "state", "unit_id", "unit__credit_code", "applicant_id", "applicant__username"
    )
    return {
        row["pk"]: {
            "unit_id": row["unit_id"],
            "applicant_id": row["applicant_id"],
            "subject": f"associations/{row['pk']}",
            "data": {
                "association": row["pk"],
                "state": row["state"],
                "unit": row["unit__credit_code"],
                "applicant": row["applicant__username"],
            },
        }
        for row in rows
    }


def _permit_rows(ids: list[Any]) -> dict[Any, dict[str, Any]]:
    """A permit's unit sees its events while the holder is not released from it (as `permits_visible_to`)."""
    from wrp.permits.models import Permit
    from wrp.permits.selectors import _employment_with_unit_state
    from wrp.units.models import AssociationState

    rows = (
        Permit.objects.filter(pk__in=ids)
        .annotate(employment_state=_employment_with_unit_state())
        .values(
            "pk",
            "number",
            "status",
            "unit_id",
            "unit__credit_code",
            "holder_id",
            "holder__username",
            "employment_state",
        )
    )
    out = {}
    for row in rows:
        unit_sees = row["employment_state"] in (None, AssociationState.ACTIVE)
        out[row["pk"]] = {
            "unit_id": row["unit_id"] if unit_sees else None,
            "applicant_id": row["holder_id"],
            "subject": f"permits/{row['number']}",
            "data": {
                "permit": row["number"],
                "status": row["status"],
                "unit": row["unit__credit_code"] if unit_sees else None,
                "holder": row["holder__username"],
            },
        }
    return out


READERS = {"case_id": _case_rows, "association_id": _association_rows, "permit_id": _permit_rows}
BULK_FROM = 100  # a batch of permit events this large is written by one INSERT … SELECT (no Python per row)


def _permits_insert(event: str, ids: list[Any], now: Any) -> None:
    """The permit events of `ids` in one `INSERT … SELECT` built from the ORM (the same content as `_permit_rows`)."""
    from django.db.models import Case as CaseWhen
    from django.db.models import CharField, DateTimeField, Q, Value, When
    from django.db.models.functions import Concat, JSONObject

    from wrp.permits.models import Permit
    from wrp.permits.selectors import _employment_with_unit_state
    from wrp.units.models import AssociationState

    unit_sees = Q(employment_state__isnull=True) | Q(employment_state=AssociationState.ACTIVE)
    rows = (
        Permit.objects.filter(pk__in=ids)
        .annotate(employment_state=_employment_with_unit_state())
        .annotate(
            ev_unit=CaseWhen(When(unit_sees, then="unit_id"), default=None),
            ev_credit=CaseWhen(When(unit_sees, then="unit__credit_code"), default=None),
        )
        .values_list(
            Value(event, output_field=CharField()),
            Value(now, output_field=DateTimeField()),
            "ev_unit",
            "holder_id",
            Concat(Value("permits/"), "number", output_field=CharField()),
            JSONObject(permit="number", status="status", unit="ev_credit", holder="holder__username"),
        )
        .order_by("pk")
    )
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("type", "occurred_at", "unit_id", "applicant_id", "subject", "data"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) {sql}", params)


# A batch event (the sweep's `permits.expired` with `permit_ids`) is recorded as the single events it stands for, one
# per id, in one read and one insert; the singles emitted alongside it with `batch=True` are not recorded again.
BATCH_EVENTS = {"permits.expired": ("permit.expired", "permit_ids", "permit_id")}


def outbox_record(event: str, contexts: Sequence[dict[str, Any]]) -> None:
    """Insert one `Event` per context, in the caller's transaction (one read and one insert for the batch)."""
    if event in BATCH_EVENTS:
        event, many, one = BATCH_EVENTS[event]
        contexts = [{one: pk} for context in contexts for pk in context.get(many) or ()]
    else:
        contexts = [context for context in contexts if not context.get("batch")]
    if not contexts:
        return
    now = timezone.now()
    facts: dict[Any, dict[str, Any]] = {}
    key = next((name for name in READERS if name in contexts[0]), None)
    if key == "permit_id" and len(contexts) >= BULK_FROM and all(key in context for context in contexts):
        _permits_insert(event, [context[key] for context in contexts], now)
        _dispatch_on_commit()
        return
    if key is not None:
        facts = READERS[key]([context[key] for context in contexts if key in context])
    rows = []
    for context in contexts:
        found = facts.get(context.get(key)) if key is not None else None
        found = found or {"unit_id": None, "applicant_id": None, "subject": "", "data": {}}
        rows.append(
            Event(
                type=event,
                occurred_at=now,
                unit_id=found["unit_id"],
                applicant_id=found["applicant_id"],
                subject=found["subject"],
                data=found["data"],
            )
        )
    Event.objects.bulk_create(rows, batch_size=1000)
    _dispatch_on_commit()


def _dispatch_on_commit() -> None:
    from wrp.webhooks.delivery import dispatch_soon

    # once per transaction: skip when this transaction (or an enclosing block still open) already asked
    open_blocks = set(connection.savepoint_ids)
    if not any(entry[1] is dispatch_soon and set(entry[0]) <= open_blocks for entry in connection.run_on_commit):
        transaction.on_commit(dispatch_soon)


_SEQUENCE_SQL = """
UPDATE {event} SET seq = ranked.base + ranked.n
FROM (
    SELECT id, %s AS base, ROW_NUMBER() OVER (ORDER BY id) AS n
    FROM {event} WHERE seq IS NULL ORDER BY id LIMIT %s
) AS ranked
WHERE {event}.id = ranked.id
"""


def sequence_locked(sequencer: Sequencer) -> int:
    """Number the committed unnumbered events (the caller holds the sequencer row's lock); how many."""
    numbered = 0
    sql = _SEQUENCE_SQL.format(event=connection.ops.quote_name(Event._meta.db_table))
    while True:
        with connection.cursor() as cursor:
            cursor.execute(sql, [sequencer.last_seq, SEQUENCE_BATCH])
            count = cursor.rowcount
        sequencer.last_seq += count
        numbered += count
        if count < SEQUENCE_BATCH:
            break
    if numbered:
        Sequencer.objects.filter(pk=sequencer.pk).update(last_seq=sequencer.last_seq)
    return numbered


def sequencer_locked() -> Sequencer:
    sequencer = Sequencer.objects.select_for_update().filter(pk=1).first()
    if sequencer is None:  # the migration makes it; a flushed test database may not have it
        Sequencer.objects.get_or_create(pk=1)
        sequencer = Sequencer.objects.select_for_update().get(pk=1)
    return sequencer


def events_sequence() -> int:
    """Number what has committed since the last run (cheap when nothing waits: one indexed probe)."""
    if not Event.objects.filter(seq__isnull=True).exists():
        return 0
    with transaction.atomic():
        return sequence_locked(sequencer_locked())
