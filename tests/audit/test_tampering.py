"""Tampering is found: `audit_verify` names the first event whose link does not hold."""

from __future__ import annotations

import json

import pytest

from wrp.audit.models import AuditEvent
from wrp.audit.services import _content, _digest, audit_verify

pytestmark = pytest.mark.django_db


def test_a_changed_field_breaks_the_chain_at_that_event(events, tampering):
    tampering("UPDATE audit_auditevent SET outcome = 'refused' WHERE id = %s", [events[2].pk])
    result = audit_verify()
    assert result.broken_at == events[2].pk
    assert "hash mismatch" in result.reason
    assert result.checked == 2


def test_changed_details_break_the_chain_at_that_event(events, tampering):
    tampering("UPDATE audit_auditevent SET changes = %s WHERE id = %s", [json.dumps({"step": 99}), events[1].pk])
    assert audit_verify().broken_at == events[1].pk


def test_a_changed_event_with_its_hash_recomputed_breaks_the_link_to_the_next(events, tampering):
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.actor_role = "admin"
    forged_hash = _digest(forged.prev_hash, _content(forged))
    tampering("UPDATE audit_auditevent SET actor_role = %s, hash = %s WHERE id = %s",
              ["admin", forged_hash, events[1].pk])
    result = audit_verify()
    assert result.broken_at == events[2].pk
    assert "prev_hash mismatch" in result.reason


def test_a_deleted_event_breaks_the_chain_at_the_next_one(events, tampering):
    tampering("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    result = audit_verify()
    assert result.broken_at == events[3].pk
    assert "prev_hash mismatch" in result.reason


def test_a_deleted_first_event_breaks_the_chain_at_the_new_first(events, tampering):
    tampering("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    assert audit_verify().broken_at == events[1].pk


def test_a_deleted_last_event_is_found_by_the_head(events, tampering):
    tampering("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    result = audit_verify()
    assert result.broken_at == events[-1].pk
    assert "head mismatch" in result.reason
    assert result.checked == len(events) - 1


def _make_room_after(events: list[AuditEvent], position: int, tamper) -> tuple[int, int]:
    """Move the events after `position` up by 1000 ids and 1000 places in the chain (an intruder's renumbering); the
    free id and place."""
    tamper("UPDATE audit_auditevent SET id = id + 1000, seq = seq + 1000 WHERE id > %s", [events[position].pk])
    return events[position].pk + 1, events[position].seq + 1


def test_an_inserted_event_with_a_forged_link_breaks_the_chain_at_the_next_one(events, tampering):
    free_id, free_seq = _make_room_after(events, 1, tampering)
    forged = AuditEvent(id=free_id, seq=free_seq, at=events[1].at, action="test.forged", object_type="test.thing",
                        object_id="x", changes={}, prev_hash=events[1].hash)
    forged.hash = _digest(forged.prev_hash, _content(forged))
    forged.save(force_insert=True)
    result = audit_verify()
    assert result.broken_at == events[2].pk + 1000  # the forged event links; the one after it no longer does
    assert "prev_hash mismatch" in result.reason


def test_an_inserted_event_with_a_made_up_hash_breaks_the_chain_at_itself(events, tampering):
    free_id, free_seq = _make_room_after(events, 0, tampering)
    AuditEvent.objects.create(id=free_id, seq=free_seq, at=events[0].at, action="test.forged",
                              object_type="test.thing", object_id="x", prev_hash=events[0].hash, hash="f" * 64)
    assert audit_verify().broken_at == free_id


def test_an_inserted_event_with_a_hash_but_no_place_in_the_chain_is_found(events, tampering):
    """Rows the chainer did not write: linked and hashed by hand, but left out of the chain's order (no seq)."""
    forged = AuditEvent(at=events[-1].at, action="test.forged", object_type="test.thing", object_id="x", changes={},
                        prev_hash=events[-1].hash)
    forged.hash = _digest(forged.prev_hash, _content(forged))
    forged.save(force_insert=True)
    result = audit_verify()
    assert (result.broken_at, "outside the chain" in result.reason) == (forged.pk, True)


def test_tampering_is_found_across_batches(events, tampering):
    tampering("UPDATE audit_auditevent SET object_id = 'other' WHERE id = %s", [events[3].pk])
    assert audit_verify(batch=2).broken_at == events[3].pk
