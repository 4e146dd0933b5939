"""`wrp audit verify`: exit 0 with the count on an intact chain; non-zero naming the event when it is broken."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from tests.accounts.cli import run_wrp
from wrp.audit.services import GENESIS, _unkeyed_digest


@pytest.mark.django_db
def test_verify_reports_the_count_of_an_intact_chain(events):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == f"audit chain intact: {len(events)} events"


@pytest.mark.django_db
def test_verify_names_the_first_broken_event(events, tampering):
    tampering("UPDATE audit_auditevent SET action = 'test.rewritten' WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"broken at event {events[1].pk}\\b") as refused:
        call_command("audit", "verify", stdout=io.StringIO())
    assert refused.value.returncode != 0


def test_verify_from_the_command_line(cli_db):
    for name in ("a", "b", "c"):
        assert run_wrp(cli_db, "user", "add", name, "--role", "applicant").returncode == 0
    intact = run_wrp(cli_db, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.strip() == "audit chain intact: 3 events"

    with sqlite3.connect(cli_db) as database:
        database.execute("DROP TRIGGER audit_event_no_update")
        (second,) = database.execute("SELECT id FROM audit_auditevent ORDER BY id LIMIT 1 OFFSET 1").fetchone()
        database.execute("UPDATE audit_auditevent SET outcome = 'refused' WHERE id = ?", (second,))
    broken = run_wrp(cli_db, "audit", "verify")
    assert broken.returncode != 0
    assert broken.stdout == ""
    assert f"broken at event {second}" in broken.stderr


def test_a_database_of_an_earlier_version_verifies_after_the_upgrade_and_stays_append_only(cli_db):
    """Events written before the chain was keyed keep their plain SHA-256 (no scheme); the key takes over after."""
    assert run_wrp(cli_db, "migrate", "audit", "0002", "--verbosity", "0").returncode == 0
    expected = GENESIS
    with sqlite3.connect(cli_db) as database:
        for n in (1, 2):
            at = f"2025-01-0{n} 10:00:00"
            content = {"at": f"2025-01-0{n}T10:00:00+00:00", "actor": None, "actor_role": "system",
                       "action": f"old.step{n}", "object_type": "test.thing", "object_id": str(n), "outcome": "ok",
                       "request_id": "", "changes": {}}
            digest = _unkeyed_digest(expected, content)
            database.execute(
                "INSERT INTO audit_auditevent (at, actor_role, action, object_type, object_id, outcome, request_id, "
                "changes, prev_hash, hash) VALUES (?, 'system', ?, 'test.thing', ?, 'ok', '', '{}', ?, ?)",
                (at, f"old.step{n}", str(n), expected, digest))
            expected = digest
        database.execute("INSERT INTO audit_audithead (id, last_hash, count) VALUES (1, ?, 2)", (expected,))
    assert run_wrp(cli_db, "migrate", "--verbosity", "0").returncode == 0
    assert run_wrp(cli_db, "user", "add", "newcomer", "--role", "applicant").returncode == 0
    verified = run_wrp(cli_db, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == "audit chain intact: 3 events, 1 anchors hold"  # the upgrade's anchor
    (line,) = (cli_db.parent / "audit" / "anchors.jsonl").read_text().splitlines()
    assert (json.loads(line)["count"], json.loads(line)["legacy_until"]) == (2, 2)
    with sqlite3.connect(cli_db) as database:
        assert [row[0] for row in database.execute("SELECT scheme FROM audit_auditevent ORDER BY id")] == [None, None, 1]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            database.execute("UPDATE audit_auditevent SET outcome = 'x'")
