"""Anchors: signed checkpoints of the audit chain, kept outside the database.

`audit_anchor` appends one JSON line `{v, at, count, last_id, head, legacy_until, mac}` to AUDIT_ANCHOR_FILE (a 0600
file in a 0700 directory, opened O_APPEND): the chain's newest hash, how many events it holds, the newest event's id,
and the id of the last event written before the chain was keyed (0 when none). `mac` is HMAC-SHA256 of the other
fields under the anchor key (derived from AUDIT_KEY, wrp.audit.keys), so whoever holds the database alone can neither
forge a line nor make an old one fit a rewritten trail. The file is meant to leave the machine as it grows (shipped
by the log collector, or written to an append-only store): an intruder who can also rewrite it can only remove what
has not yet been shipped. `wrp audit verify` holds the trail against every line (wrp.audit.services.audit_verify). Anchors name chained events
only (`count` is the newest one's `seq`): `audit_anchor` runs the chainer first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wrp.audit.keys import ANCHOR, subkey
from wrp.audit.models import AuditEvent, AuditHead

VERSION = 1
FIELDS = ("v", "at", "count", "last_id", "head", "legacy_until")


@dataclass(frozen=True)
class Anchor:
    at: str
    count: int
    last_id: int
    head: str
    legacy_until: int
    line: int = 0  # its line in the file, when read

    @property
    def name(self) -> str:
        return f"anchor line {self.line} ({self.at})"

    def fields(self) -> dict[str, Any]:
        body = {key: value for key, value in asdict(self).items() if key != "line"}
        return {"v": VERSION, **body}


def _mac(fields: dict[str, Any], key: bytes) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def anchor_line(anchor: Anchor, key: bytes | None = None) -> str:
    """The signed JSON line of an anchor (with its newline)."""
    fields = anchor.fields()
    mac = _mac(fields, key if key is not None else subkey(ANCHOR))
    return json.dumps({**fields, "mac": mac}, sort_keys=True, separators=(",", ":")) + "\n"


def anchor_file(path: Path | str | None = None) -> Path:
    return Path(path if path is not None else settings.AUDIT_ANCHOR_FILE)


def audit_anchor(*, path: Path | str | None = None, now: datetime | None = None, chain: bool = True) -> Anchor:
    """Chain the events waiting for it (unless `chain` is off), then sign the chain's head and append it as one line
    to the anchor file; the anchor written. Only chained events are anchored."""
    if chain:
        from wrp.audit.chainer import audit_chain  # the chainer sits above this module (services reads anchors)

        audit_chain()
    with transaction.atomic():
        head = AuditHead.objects.filter(id=1).first()
        count, last_hash = (head.count, head.last_hash) if head is not None else (0, "0" * 64)
        last_id = AuditEvent.objects.filter(hash=last_hash).values_list("id", flat=True).first() or 0
        legacy = AuditEvent.objects.filter(scheme__isnull=True).aggregate(last=Max("id"))["last"] or 0
    anchor = Anchor(at=(now or timezone.now()).isoformat(), count=count, last_id=last_id, head=last_hash,
                    legacy_until=legacy)
    anchor_append(anchor, path=path)
    return anchor


def anchor_append(anchor: Anchor, *, path: Path | str | None = None) -> None:
    """Sign the anchor and append its line to the anchor file (audit migration 0003 writes the first one so)."""
    _append_line(anchor_file(path), anchor_line(anchor))


def _append_line(path: Path, line: str) -> None:
    """Append with O_APPEND (one write: lines of two writers never interleave), the file 0600 in a 0700 directory."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def anchors_read(path: Path | str | None = None) -> tuple[list[Anchor], str]:
    """Every anchor of the file, in order, and the first problem ("" when every line's signature holds).

    A missing file is no anchors (a trail not yet anchored): `wrp audit verify` says so.
    """
    file = anchor_file(path)
    if not file.exists():
        return [], ""
    key = subkey(ANCHOR)
    anchors: list[Anchor] = []
    with file.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            anchor = _parse(text, number, key)
            if anchor is None:
                return anchors, (f"anchor line {number} of {file} is forged or damaged: its signature does not hold "
                                 "under the audit key (forged anchor)")
            anchors.append(anchor)
    return anchors, ""


def _parse(text: str, number: int, key: bytes) -> Anchor | None:
    try:
        data = json.loads(text)
        fields = {name: data[name] for name in FIELDS}
        mac = data["mac"]
    except (ValueError, KeyError, TypeError):
        return None
    if set(data) != {*FIELDS, "mac"} or fields["v"] != VERSION or not isinstance(mac, str):
        return None
    if not hmac.compare_digest(_mac(fields, key), mac):
        return None
    try:
        return Anchor(at=str(fields["at"]), count=int(fields["count"]), last_id=int(fields["last_id"]),
                      head=str(fields["head"]), legacy_until=int(fields["legacy_until"]), line=number)
    except (TypeError, ValueError):
        return None
