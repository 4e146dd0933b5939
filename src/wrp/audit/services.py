"""Writing and verifying the audit chain. Every service of the platform calls `audit_record` in its transaction.

What changes no state (a sign-in, a refused look at an object, a download) is noted with `audit_note`, in a short
transaction of its own. Writing an event takes no lock: the events of a transaction are inserted together at its end,
and the chainer (wrp.audit.chainer) gives them their place, link and keyed hash after it commits. `audit_verify` checks
each event's keyed hash and link in the chain's order, the head row, and every signed anchor (wrp.audit.anchors) —
which is what finds deleted newest events, a rewound head and a chain recomputed without the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from wrp.audit.anchors import Anchor, anchors_read
from wrp.audit.chainer import audit_chain, audit_chain_on_commit
from wrp.audit.context import request_id
from wrp.audit.hashing import GENESIS, _canonical, _content, _digest, _unkeyed_content, _unkeyed_digest
from wrp.audit.keys import CHAIN, subkey
from wrp.audit.models import AuditEvent, AuditHead

__all__ = [
    "AUDIT_CONTENT_COLUMNS", "GENESIS", "Verification", "_canonical", "_content", "_digest", "_unkeyed_content",
    "_unkeyed_digest", "audit_batch_open", "audit_chain", "audit_chain_on_commit", "audit_insert_params", "audit_insert_select",
    "audit_note", "audit_record", "audit_verify",
    "audited_atomic",
]

# The columns of audit_auditevent a raw INSERT … SELECT fills (scheme = AuditEvent.KEYED); the chain columns (seq,
# prev_hash, hash) stay empty for the chainer, which the writer wakes with `audit_chain_on_commit()`.
AUDIT_CONTENT_COLUMNS = (
    "at", "actor_id", "actor_role", "action", "object_type", "object_id", "outcome", "request_id", "changes", "scheme",
)
SYSTEM_ROLE = "system"  # the role of an event without an actor
# `wrp audit verify` chains first; an event still waiting for the chain after that and older than this is a problem
# (the chainer cannot chain it).
UNCHAINED_GRACE = timedelta(minutes=10)
# Events of the running `audited_atomic` block, inserted together just before it commits.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def audited_atomic() -> Iterator[None]:
    """A transaction whose audit events are inserted in one statement at its end, and chained after it commits.

    No lock is taken for them: the chain is written by the chainer (wrp.audit.chainer), off this path. Nested blocks
    join the outermost one.
    """
    if _pending.get() is not None:
        with transaction.atomic():
            yield
        return
    token = _pending.set([])
    try:
        with transaction.atomic():
            yield
            _insert(_pending.get() or [])
    finally:
        _pending.reset(token)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "ok",
    changes: dict[str, Any] | None = None,
    actor_role: str = "",
) -> AuditEvent:
    """Record one event inside the caller's transaction (it commits or rolls back with the change); chained after.

    `changes` names what changed ({field: [old, new]} or {field: "changed"} for personal data): never raw ID numbers,
    income figures or children's details. `actor_role` overrides the role read from the actor ("anonymous").
    """
    user, role = _actor(actor, actor_role)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_role=role,
        action=action,
        object_type=_storable(object_type),
        object_id=_storable(object_id),
        outcome=outcome,
        request_id=request_id.get(),
        changes=json.loads(json.dumps(changes or {}, default=str)),
        scheme=AuditEvent.KEYED,
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)  # inserted with the others when the audited transaction ends
    else:
        _insert([event])
    return event


def audit_batch_open() -> bool:
    """Whether an `audited_atomic` block is running: its events are inserted together at its end, so a statement that
    would insert its own event at once (`audit_insert_select`) records it with `audit_record` instead, keeping the
    events of the transaction in the order they happened."""
    return _pending.get() is not None


def _actor(actor: Any, actor_role: str = "") -> tuple[Any, str]:
    """The user an event names (None for the system or an anonymous caller) and the role it records."""
    user = actor if getattr(actor, "pk", None) else None
    return user, actor_role or getattr(user, "role", "") or (SYSTEM_ROLE if user is None else "")


def audit_insert_select(*, changes_sql: str, source: str = "changed") -> str:
    """`INSERT INTO audit_auditevent (…) SELECT … FROM <source>`: one event per row of `source` (which has an `id`
    column), as `audit_record` would write it, content columns only (the chainer fills the chain columns; wake it with
    `audit_chain_on_commit(n)`). For a statement that changes rows and records them at once (a data-modifying CTE on
    PostgreSQL). Named parameters: those of `audit_insert_params` (the action, its object type, the actor …)."""
    quote = connection.ops.quote_name
    values = {
        "at": "%(at)s",
        "actor_id": "%(actor_id)s",
        "actor_role": "%(actor_role)s",
        "action": "%(action)s",
        "object_type": "%(object_type)s",
        "object_id": f"{source}.id::text",
        "outcome": "'ok'",
        "request_id": "%(request_id)s",
        "changes": changes_sql,
        "scheme": str(AuditEvent.KEYED),
    }
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "
        f"({', '.join(quote(column) for column in AUDIT_CONTENT_COLUMNS)}) "
        f"SELECT {', '.join(values[column] for column in AUDIT_CONTENT_COLUMNS)} FROM {source}"
    )


def audit_insert_params(*, action: str, object_type: str, actor: Any = None, actor_role: str = "") -> dict[str, Any]:
    """The parameters of `audit_insert_select`'s statement: now, the request's id, the actor and role as
    `audit_record` reads them."""
    user, role = _actor(actor, actor_role)
    return {"at": timezone.now(), "actor_id": getattr(user, "pk", None), "actor_role": role, "action": action,
            "object_type": object_type, "request_id": request_id.get()}


def _storable(text: str) -> str:
    """Text a caller asked for as the database keeps it: PostgreSQL refuses NUL in text (a denied `/cases/%00` would be
    a 500), so it is recorded as U+FFFD."""
    return text.replace("\x00", "\ufffd")


def audit_note(**event: Any) -> AuditEvent:
    """An event of something that changes no state (sign-in, denial, download), inserted in its own short transaction
    (joining the caller's audited transaction when there is one); it waits on no lock."""
    with audited_atomic():
        return audit_record(**event)


def _insert(events: list[AuditEvent]) -> None:
    """Insert the events in one statement, inside the caller's transaction, and have them chained after it commits.

    The statement is written here rather than by the ORM's compiler: every audited write of the platform runs it, and
    compiling an INSERT cost more CPU than the reservation it records (bench/quota.py). Each value is still prepared by
    its field, as the ORM would (the time zone, the JSON), and the events get their ids back."""
    if not events:
        return
    fields = _content_fields()
    values = [field.get_db_prep_save(getattr(event, field.attname), connection)
              for event in events for field in fields]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({', '.join(map(quote, AUDIT_CONTENT_COLUMNS))}) "
           f"VALUES {', '.join([row] * len(events))} RETURNING {quote('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = [found[0] for found in cursor.fetchall()]
    for event, pk in zip(events, ids, strict=True):  # RETURNING gives the rows in the order of VALUES
        event.pk = pk
        event._state.adding, event._state.db = False, connection.alias
    audit_chain_on_commit(len(events))


@cache
def _content_fields() -> tuple[Any, ...]:
    by_column = {field.column: field for field in AuditEvent._meta.concrete_fields}
    return tuple(by_column[column] for column in AUDIT_CONTENT_COLUMNS)


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None  # id of the first event whose link does not hold (None: an anchor line, or intact)
    reason: str = ""
    anchors: int = 0  # signed anchors that were checked
    unchained: int = 0  # events not yet chained (committed a moment ago): not checked

    @property
    def ok(self) -> bool:
        return not self.reason


def audit_verify(batch: int = 2000, anchors_file: Path | str | None = None, *, chain: bool = False) -> Verification:
    """Walk the chain in order (`seq`) and hold it against every anchor; the first thing that does not hold, and why.

    With `chain`, the events waiting for the chainer are chained first (as `wrp audit verify` does), and any still
    waiting afterwards that is older than UNCHAINED_GRACE is a problem. Reported first: an anchor line whose signature
    does not hold. Then, event by event: a link (prev_hash) or a keyed hash that does not hold, an unkeyed event where
    only keyed ones may be, an event an anchor names with another hash or count. Then an event with a hash but no place
    in the chain, anchors naming events that are gone (truncation), and a head row that is not the last event.
    """
    anchors, problem = anchors_read(anchors_file)
    if problem:
        return Verification(0, None, problem)
    if chain:
        try:
            audit_chain()
        except DatabaseError as error:
            first = AuditEvent.objects.filter(hash__isnull=True).order_by("id").values_list("id", flat=True).first()
            return Verification(0, first, f"events waiting for the chain cannot be chained ({error}): their chain "
                                          "columns were set outside the chainer, or the head row was rewound")
    pending: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.count:
            pending.setdefault(anchor.last_id, []).append(anchor)
    legacy_until = min((anchor.legacy_until for anchor in anchors), default=None)
    key = subkey(CHAIN)
    expected_prev, checked, last_id, last_seq, keyed_seen = GENESIS, 0, 0, 0, False

    def broken(event_id: int | None, reason: str) -> Verification:
        return Verification(checked, event_id, reason, len(anchors))

    while True:
        events = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not events:
            break
        for event in events:
            if event.prev_hash != expected_prev:
                return broken(event.id, "previous event missing or changed (prev_hash mismatch)")
            if event.scheme is None:
                if keyed_seen or (legacy_until is not None and event.id > legacy_until):
                    return broken(event.id, "unkeyed event where only keyed ones may be: the chain was recomputed "
                                            "without the audit key (unkeyed after keyed)")
                digest = _unkeyed_digest(event.prev_hash, _unkeyed_content(event))
            elif event.scheme == AuditEvent.KEYED:
                keyed_seen = True
                digest = _digest(event.prev_hash, _content(event), key)
            else:
                return broken(event.id, f"unknown hash scheme {event.scheme}")
            if digest != event.hash:
                return broken(event.id, "event content changed, or hashed with another key (hash mismatch)")
            expected_prev = event.hash
            checked += 1
            last_id, last_seq = event.id, event.seq or 0
            for anchor in pending.pop(event.id, []):
                if (anchor.count, anchor.head) != (checked, event.hash):
                    return broken(event.id, f"{anchor.name} holds event {event.id} at count {anchor.count} with hash "
                                            f"{anchor.head[:12]}…, the trail at count {checked} with {event.hash[:12]}…"
                                            ": events up to it were replaced or recomputed (anchor mismatch)")
    outside = (AuditEvent.objects.filter(seq__isnull=True).filter(Q(hash__isnull=False) | Q(prev_hash__isnull=False))
               .order_by("id").values_list("id", flat=True).first())
    if outside is not None:
        return broken(outside, "event with a hash but no place in the chain (no seq): inserted or moved by hand "
                               "(outside the chain)")
    if pending:
        anchor = min((item for items in pending.values() for item in items), key=lambda item: item.last_id)
        return broken(anchor.last_id, f"{anchor.name} names event {anchor.last_id} ({anchor.count} events), but the "
                                      f"trail ends at event {last_id} ({checked} events): the newest events were "
                                      "deleted (truncated)")
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != expected_prev or head.count != checked):
        return broken(last_id + 1, "events after the last one were deleted (head mismatch)")
    unchained = AuditEvent.objects.filter(hash__isnull=True)
    if chain:
        stale = unchained.filter(at__lt=timezone.now() - UNCHAINED_GRACE).order_by("id").values_list("id", flat=True)
        if (first := stale.first()) is not None:
            return broken(first, f"{stale.count()} events older than {UNCHAINED_GRACE} are not chained: the chainer "
                                 "cannot chain them (unchained)")
    return Verification(checked, None, "", len(anchors), unchained.count())
