"""Writing and verifying the audit chain. Every service of the platform calls `audit_record` in its transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from wrp.audit.context import request_id
from wrp.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64
# Events of the running `audited_atomic` block, written to the chain just before it commits.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def audited_atomic() -> Iterator[None]:
    """A transaction whose audit events join the chain at its end, after every other row lock it takes.

    Appending to the chain locks its single head row until commit. Were that lock taken in the middle of a service
    (an event written, then a quota ledger locked), two services taking the same rows in the other order could
    deadlock; taking it last keeps one order for everyone: the service's own rows first, the chain head last.
    Nested blocks join the outermost one.
    """
    if _pending.get() is not None:
        with transaction.atomic():
            yield
        return
    token = _pending.set([])
    try:
        with transaction.atomic():
            yield
            _append(_pending.get() or [])
    finally:
        _pending.reset(token)


def _digest(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _content(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "changes": event.changes,
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "ok",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (it commits or rolls back with the change).

    `changes` names what changed ({field: [old, new]} or {field: "changed"} for personal data): never raw ID numbers,
    income figures or children's details.
    """
    user = actor if getattr(actor, "pk", None) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_role=getattr(user, "role", "") or ("system" if user is None else ""),
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        request_id=request_id.get(),
        changes=json.loads(json.dumps(changes or {}, default=str)),
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(event)  # written when the audited transaction ends
    else:
        _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    """Chain and save events under the head row's lock (inside the caller's transaction)."""
    if not events:
        return
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS, "count": 0}
        )
        for event in events:
            event.prev_hash = head.last_hash
            event.hash = _digest(event.prev_hash, _content(event))
            event.save(force_insert=True)
            head.last_hash = event.hash
            head.count += 1
        head.save(update_fields=["last_hash", "count"])


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None  # id of the first event whose link does not hold
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify(batch: int = 2000) -> Verification:
    """Walk the chain in order; the first event whose prev_hash or hash does not hold, and why."""
    expected_prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        events = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not events:
            break
        for event in events:
            if event.prev_hash != expected_prev:
                return Verification(checked, event.id, "previous event missing or changed (prev_hash mismatch)")
            if _digest(event.prev_hash, _content(event)) != event.hash:
                return Verification(checked, event.id, "event content changed (hash mismatch)")
            expected_prev = event.hash
            checked += 1
            last_id = event.id
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != expected_prev or head.count != checked):
        return Verification(checked, last_id + 1, "events after the last one were deleted (head mismatch)")
    return Verification(checked, None)
