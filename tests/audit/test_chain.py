"""The audit trail is a hash chain, append-only in the database itself."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, transaction

from tests.audit.conftest import refused_by_the_database
from wrp.audit.models import AuditEvent, AuditHead
from wrp.audit.services import GENESIS, audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_each_event_links_to_the_one_before(events):
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert len({event.hash for event in events}) == len(events)


def test_the_head_holds_the_newest_hash_and_the_count(events):
    head = AuditHead.objects.get()
    assert (head.last_hash, head.count) == (events[-1].hash, len(events))


def test_an_intact_chain_verifies(events):
    result = audit_verify()
    assert result.ok
    assert result.checked == len(events)


def test_an_intact_chain_verifies_across_batches(events):
    assert audit_verify(batch=2).checked == len(events)


def test_an_empty_trail_verifies():
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 0)


def test_an_event_rolled_back_with_its_change_leaves_the_chain_intact(events):
    def failing_change() -> None:
        with transaction.atomic():
            audit_record(actor=None, action="test.undone", object_type="test.thing", object_id="9")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert audit_verify().checked == len(events)
    assert not AuditEvent.objects.filter(action="test.undone").exists()


def test_the_database_refuses_to_update_an_event(events):
    assert refused_by_the_database("UPDATE audit_auditevent SET outcome = 'refused' WHERE id = %s", [events[1].pk])
    assert AuditEvent.objects.get(pk=events[1].pk).outcome == "ok"


def test_the_database_refuses_to_delete_an_event(events):
    assert refused_by_the_database("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert AuditEvent.objects.filter(pk=events[1].pk).exists()


def test_the_database_refuses_an_update_through_the_orm_as_well(events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(outcome="refused")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert audit_verify().ok
