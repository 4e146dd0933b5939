"""How an event's hash is made: HMAC-SHA256 under the chain key of the previous event's hash and the event's content.

The content is what an event says (when, who, what, which object, outcome, request, changes, scheme) — never its place
in the chain (`seq`): the links (`prev_hash`) already fix the order, and the chainer reads the content back from the
database, exactly as `wrp audit verify` does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from wrp.audit.keys import CHAIN, subkey
from wrp.audit.models import AuditEvent

GENESIS = "0" * 64


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
