"""How an event's hash is made: HMAC-SHA256 under the chain key of the previous event's hash and the event's content.

The content is what an event says (when, who, what, which object, outcome, request, changes, scheme) — never its place
in the chain (`seq`): the links (`prev_hash`) already fix the order, and the chainer reads the content back from the
database, exactly as `wrp audit verify` does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from typing import Any

from wrp.audit.keys import CHAIN, subkey
from wrp.audit.models import AuditEvent

GENESIS = "0" * 64


# One encoder for every event (json.dumps with these options builds a new one per call).
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode


def _canonical(prev_hash: str, content: dict[str, Any]) -> bytes:
    return (prev_hash + _encode(content)).encode()


def _digest(prev_hash: str, content: dict[str, Any], key: bytes | None = None) -> str:
    """The keyed hash of an event: HMAC-SHA256 under the chain key (derived from AUDIT_KEY) of its link and content."""
    return hmac.new(key if key is not None else subkey(CHAIN), _canonical(prev_hash, content), hashlib.sha256).hexdigest()


# The columns a batch of events is hashed from (`chain_digests`), in this order.
CONTENT_FIELDS = ("at", "actor_id", "actor_role", "action", "object_type", "object_id", "outcome", "request_id",
                  "changes", "scheme")


def chain_digests(prev_hash: str, rows: Iterable[Sequence[Any]], key: bytes | None = None) -> list[str]:
    """The keyed hashes of consecutive events after `prev_hash`, each linked to the one before: what `_digest` gives
    event by event, from rows of CONTENT_FIELDS (the chainer reads them with `values_list`, no model instances), with
    the key's HMAC state prepared once and copied per event."""
    base = hmac.new(key if key is not None else subkey(CHAIN), digestmod=hashlib.sha256)
    digests: list[str] = []
    for at, actor, actor_role, action, object_type, object_id, outcome, request, changes, scheme in rows:
        content = {
            "at": at.isoformat(), "actor": actor, "actor_role": actor_role, "action": action,
            "object_type": object_type, "object_id": object_id, "outcome": outcome, "request_id": request,
            "changes": changes,
        }
        if scheme is not None:
            content["scheme"] = scheme
        mac = base.copy()
        mac.update((prev_hash + _encode(content)).encode())
        prev_hash = mac.hexdigest()
        digests.append(prev_hash)
    return digests


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
