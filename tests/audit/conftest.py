"""Tampering with the audit trail the way an intruder with database access would: the append-only triggers dropped
first (inside a savepoint, so they are back after the test), then raw SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from tests.accounts.cli import cli_db, cli_template_db  # noqa: F401  (fixtures)
from wrp.audit.models import AuditEvent, AuditHead
from wrp.audit.services import (
    GENESIS,
    _content,
    _digest,
    _unkeyed_content,
    _unkeyed_digest,
    audit_chain,
    audit_record,
)

DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER audit_event_no_change ON audit_auditevent"],
}


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def refused_by_the_database(sql: str, params: list[object] | None = None) -> bool:
    """Whether the statement fails with the append-only error (in a savepoint, so the test can go on)."""
    try:
        with transaction.atomic():
            raw(sql, params)
    except DatabaseError as error:
        return "append-only" in str(error)
    return False


def chained(written: list[AuditEvent]) -> list[AuditEvent]:
    """The events as the chainer left them: in a test the transaction never commits, so the after-commit chainer does
    not run; run it here and read the events back with their place, link and hash."""
    audit_chain()
    by_id = AuditEvent.objects.in_bulk([event.pk for event in written])
    return [by_id[event.pk] for event in written]


@pytest.fixture
def events(db) -> list[AuditEvent]:
    """Five events in the chain."""
    return chained([
        audit_record(actor=None, action=f"test.step{n}", object_type="test.thing", object_id=str(n),
                     changes={"step": n})
        for n in range(1, 6)
    ])


@pytest.fixture
def tampering(db) -> Iterator[Callable[..., None]]:
    """`tamper(sql, params)` with the append-only triggers dropped; they come back when the test ends."""
    with transaction.atomic():
        for statement in DROP_TRIGGERS[connection.vendor]:
            raw(statement)
        yield raw
        transaction.set_rollback(True)
    first = AuditEvent.objects.order_by("id").first()
    if first is not None:
        assert refused_by_the_database("UPDATE audit_auditevent SET outcome = 'x' WHERE id = %s", [first.pk])


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path) -> Path:
    """Each audit test anchors to a file of its own (under a directory `audit_anchor` creates)."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit" / "anchors.jsonl"
    return settings.AUDIT_ANCHOR_FILE


def recompute(*, key: bytes | None, tamper: Callable[..., None], change: dict[int, dict[str, Any]] | None = None) -> None:
    """Rewrite every event's hashes from the start as an intruder would: unkeyed SHA-256 marked as written before the
    key (`key=None`), or HMAC under `key` (a guess); `change` edits fields of some events first ({id: {field: value}}).
    Events not yet chained are put in the chain as well (their place, `seq`, in id order), and the head follows."""
    expected = GENESIS
    AuditHead.objects.get_or_create(id=1, defaults={"last_hash": GENESIS, "count": 0})
    position = 0
    for position, event in enumerate(AuditEvent.objects.order_by("id"), start=1):
        for field, value in (change or {}).get(event.pk, {}).items():
            setattr(event, field, value)
        event.scheme = None if key is None else AuditEvent.KEYED
        digest = _unkeyed_digest(expected, _unkeyed_content(event)) if key is None else _digest(
            expected, _content(event), key)
        tamper("UPDATE audit_auditevent SET scheme = %s, seq = %s, prev_hash = %s, hash = %s, outcome = %s, "
               "actor_role = %s WHERE id = %s",
               [event.scheme, position, expected, digest, event.outcome, event.actor_role, event.pk])
        expected = digest
    tamper("UPDATE audit_audithead SET last_hash = %s, count = %s WHERE id = 1", [expected, position])
