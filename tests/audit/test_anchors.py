"""Anchors: signed checkpoints outside the database. `wrp audit verify` holds the trail against each, so deleting
the newest events and rewinding the head, recomputing the chain (without the key, or with it after changing an
event) and forging an anchor line are each found — each attack performed here as an intruder with the database."""

from __future__ import annotations

import io
import json
import stat
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.audit.conftest import recompute
from wrp.audit.anchors import Anchor, anchor_line, anchors_read, audit_anchor
from wrp.audit.keys import ANCHOR, subkey
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record, audit_verify
from wrp.tasks.registry import JOBS

pytestmark = pytest.mark.django_db


def more(n: int, start: int = 6) -> list[AuditEvent]:
    return [audit_record(actor=None, action="test.more", object_type="test.thing", object_id=str(start + i))
            for i in range(n)]


def test_an_anchor_is_one_signed_line_of_head_count_last_id_and_time(events, anchor_file):
    anchor = audit_anchor()
    assert (anchor.count, anchor.last_id, anchor.head, anchor.legacy_until) == (5, events[-1].pk, events[-1].hash, 0)
    (line,) = anchor_file.read_text().splitlines()
    data = json.loads(line)
    assert set(data) == {"v", "at", "count", "last_id", "head", "legacy_until", "mac"}
    assert (data["count"], data["last_id"], data["head"]) == (5, events[-1].pk, events[-1].hash)
    assert stat.S_IMODE(anchor_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(anchor_file.parent.stat().st_mode) == 0o700


def test_anchors_are_appended_and_all_hold(events, anchor_file):
    audit_anchor()
    more(2)
    audit_anchor()
    assert len(anchor_file.read_text().splitlines()) == 2
    result = audit_verify()
    assert (result.ok, result.checked, result.anchors) == (True, 7, 2)


def test_an_anchor_of_an_empty_trail_holds():
    audit_anchor()
    more(1)
    assert audit_verify().ok


def test_the_hourly_job_writes_an_anchor(events, anchor_file):
    job = JOBS["audit.anchor"]
    assert job.every == "hour"
    assert job.func(today=timezone.localdate()) == {"count": 5, "last_id": events[-1].pk}
    assert len(anchors_read()[0]) == 1


def test_deleting_the_newest_events_and_rewinding_the_head_is_found(events, tampering):
    audit_anchor()
    tampering("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    tampering("UPDATE audit_audithead SET last_hash = %s, count = 3 WHERE id = 1", [events[2].hash])
    result = audit_verify()
    assert not result.ok
    assert result.broken_at == events[-1].pk
    assert "truncated" in result.reason
    assert result.checked == 3


def test_truncation_is_found_even_after_new_events_take_the_place_of_the_deleted_ones(events, tampering):
    audit_anchor()
    tampering("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    tampering("UPDATE audit_audithead SET last_hash = %s, count = 3 WHERE id = 1", [events[2].hash])
    more(4)  # the count grows past the anchor's again; the anchored event is still gone
    result = audit_verify()
    assert (result.broken_at, "truncated" in result.reason) == (events[-1].pk, True)


def test_a_chain_recomputed_without_the_key_as_if_written_before_it_is_found(events, tampering):
    audit_anchor()
    recompute(key=None, tamper=tampering, change={events[1].pk: {"outcome": "refused"}})
    result = audit_verify()
    assert result.broken_at == events[0].pk
    assert "recomputed without the audit key" in result.reason


def test_a_chain_recomputed_with_the_key_after_changing_an_event_is_found_by_the_anchor(events, tampering):
    """Even with the key (an insider), an event changed before an anchor no longer fits the anchored head."""
    from wrp.audit.keys import CHAIN

    audit_anchor()
    recompute(key=subkey(CHAIN), tamper=tampering, change={events[1].pk: {"outcome": "refused"}})
    result = audit_verify()
    assert result.broken_at == events[-1].pk
    assert "anchor mismatch" in result.reason


def test_a_forged_anchor_line_is_found_and_named(events, anchor_file):
    audit_anchor()
    more(1)
    audit_anchor()
    lines = anchor_file.read_text().splitlines()
    data = json.loads(lines[1])
    data["count"] = 99  # a later count, with the old signature
    anchor_file.write_text("\n".join([lines[0], json.dumps(data)]) + "\n")
    result = audit_verify()
    assert (result.ok, result.broken_at) == (False, None)
    assert result.reason.startswith("anchor line 2 of ")
    assert "forged anchor" in result.reason


def test_an_anchor_signed_with_another_key_is_forged(events, anchor_file):
    anchor = Anchor(at=timezone.now().isoformat(), count=2, last_id=events[1].pk, head=events[1].hash, legacy_until=0)
    anchor_file.parent.mkdir(mode=0o700)
    anchor_file.write_text(anchor_line(anchor, key=b"\x02" * 32))
    assert "anchor line 1" in audit_verify().reason
    anchor_file.write_text(anchor_line(anchor, key=subkey(ANCHOR)))
    assert audit_verify().ok


def test_an_anchor_that_names_another_hash_for_an_event_is_found(events, anchor_file):
    forged = Anchor(at=(timezone.now() - timedelta(hours=1)).isoformat(), count=3, last_id=events[2].pk,
                    head="e" * 64, legacy_until=0)
    anchor_file.parent.mkdir(mode=0o700)
    anchor_file.write_text(anchor_line(forged))
    result = audit_verify()
    assert (result.broken_at, "anchor mismatch" in result.reason) == (events[2].pk, True)


def test_verify_on_the_command_line_names_anchors_and_the_first_failure(events, tampering, anchor_file):
    call_command("audit", "anchor", stdout=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    assert out.getvalue().strip() == "audit chain intact: 5 events, 1 anchors hold"
    assert err.getvalue() == ""
    tampering("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    tampering("UPDATE audit_audithead SET last_hash = %s, count = 4 WHERE id = 1", [events[-2].hash])
    with pytest.raises(CommandError, match=f"broken at event {events[-1].pk}: anchor line 1 .*truncated") as failed:
        call_command("audit", "verify", stdout=io.StringIO())
    assert failed.value.returncode != 0


def test_verify_checks_another_copy_of_the_anchors_and_says_when_there_are_none(events, tmp_path):
    shipped = tmp_path / "shipped.jsonl"
    call_command("audit", "anchor", "--anchors", str(shipped), stdout=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "verify", "--anchors", str(shipped), stdout=out, stderr=err)
    assert "1 anchors hold" in out.getvalue()
    call_command("audit", "verify", stdout=out, stderr=err)
    assert "no anchors in" in err.getvalue()


def test_the_anchor_of_a_new_installation_finds_a_chain_later_recomputed_without_the_key(tampering):
    """Audit migration 0003 anchors the trail as it stands (empty on a new installation): no event may be unkeyed."""
    audit_anchor()
    written = more(3, start=1)
    recompute(key=None, tamper=tampering)
    result = audit_verify()
    assert (result.broken_at, "recomputed without the audit key" in result.reason) == (written[0].pk, True)
