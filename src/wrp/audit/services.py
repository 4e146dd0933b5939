"""Writing and verifying the audit chain. Every service of the platform calls `audit_record` in its transaction.

What changes no state (a sign-in, a refused look at an object, a download) is noted with `audit_note`, in a short
transaction of its own. `audit_verify` checks each event's keyed hash and link, the head row, and every signed anchor
(wrp.audit.anchors) — which is what finds deleted newest events, a rewound head and a chain recomputed without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from wrp.audit.anchors import Anchor, anchors_read
from wrp.audit.context import request_id
from wrp.audit.keys import CHAIN, subkey
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


def _canonical(prev_hash: str, content: dict[str, Any]) -> bytes:
    return (prev_hash + json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)).encode()


def _digest(prev_hash: str, content: dict[str, Any], key: bytes | None = None) -> str:
    """The keyed hash of an event: HMAC-SHA256 under the chain key (derived from AUDIT_KEY) of its link and content."""
    return hmac.new(key if key is not None else subkey(CHAIN), _canonical(prev_hash, content), hashlib.sha256).hexdigest()


def _unkeyed_digest(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of events written before the chain was keyed (plain SHA-256): checked, never written any more."""
    return hashlib.sha256(_canonical(prev_hash, content)).hexdigest()


def _content(event: AuditEvent) -> dict[str, Any]:
    content = _unkeyed_content(event)
    if event.scheme is not None:
        content["scheme"] = event.scheme
    return content


def _unkeyed_content(event: AuditEvent) -> dict[str, Any]:
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
    actor_role: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (it commits or rolls back with the change).

    `changes` names what changed ({field: [old, new]} or {field: "changed"} for personal data): never raw ID numbers,
    income figures or children's details. `actor_role` overrides the role read from the actor ("anonymous").
    """
    user = actor if getattr(actor, "pk", None) else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_role=actor_role or getattr(user, "role", "") or ("system" if user is None else ""),
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
        pending.append(event)  # written when the audited transaction ends
    else:
        _append([event])
    return event


def _storable(text: str) -> str:
    """Text a caller asked for as the database keeps it: PostgreSQL refuses NUL in text (a denied `/cases/%00` would be
    a 500), so it is recorded as U+FFFD."""
    return text.replace("\x00", "\ufffd")


def audit_note(**event: Any) -> AuditEvent:
    """An event of something that changes no state (sign-in, denial, download), appended in its own short transaction
    (joining the caller's audited transaction when there is one): a read request holds the head lock for one insert."""
    with audited_atomic():
        return audit_record(**event)


def _append(events: list[AuditEvent]) -> None:
    """Chain and save events under the head row's lock (inside the caller's transaction)."""
    if not events:
        return
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(
            id=1, defaults={"last_hash": GENESIS, "count": 0}
        )
        key = subkey(CHAIN)
        for event in events:
            event.prev_hash = head.last_hash
            event.hash = _digest(event.prev_hash, _content(event), key)
            event.save(force_insert=True)
            head.last_hash = event.hash
            head.count += 1
        head.save(update_fields=["last_hash", "count"])


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_at: int | None  # id of the first event whose link does not hold (None: an anchor line, or intact)
    reason: str = ""
    anchors: int = 0  # signed anchors that were checked

    @property
    def ok(self) -> bool:
        return not self.reason


def audit_verify(batch: int = 2000, anchors_file: Path | str | None = None) -> Verification:
    """Walk the chain in order and hold it against every anchor; the first thing that does not hold, and why.

    Reported first: an anchor line whose signature does not hold. Then, event by event: a link (prev_hash) or a keyed
    hash that does not hold, an unkeyed event where only keyed ones may be, an event an anchor names with another hash
    or count. Then anchors naming events that are gone (truncation), and a head row that is not the last event.
    """
    anchors, problem = anchors_read(anchors_file)
    if problem:
        return Verification(0, None, problem)
    pending: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.count:
            pending.setdefault(anchor.last_id, []).append(anchor)
    legacy_until = min((anchor.legacy_until for anchor in anchors), default=None)
    key = subkey(CHAIN)
    expected_prev, checked, last_id, keyed_seen = GENESIS, 0, 0, False

    def broken(event_id: int | None, reason: str) -> Verification:
        return Verification(checked, event_id, reason, len(anchors))

    while True:
        events = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
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
            last_id = event.id
            for anchor in pending.pop(event.id, []):
                if (anchor.count, anchor.head) != (checked, event.hash):
                    return broken(event.id, f"{anchor.name} holds event {event.id} at count {anchor.count} with hash "
                                            f"{anchor.head[:12]}…, the trail at count {checked} with {event.hash[:12]}…"
                                            ": events up to it were replaced or recomputed (anchor mismatch)")
    if pending:
        anchor = min((item for items in pending.values() for item in items), key=lambda item: item.last_id)
        return broken(anchor.last_id, f"{anchor.name} names event {anchor.last_id} ({anchor.count} events), but the "
                                      f"trail ends at event {last_id} ({checked} events): the newest events were "
                                      "deleted (truncated)")
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_hash != expected_prev or head.count != checked):
        return broken(last_id + 1, "events after the last one were deleted (head mismatch)")
    return Verification(checked, None, "", len(anchors))
