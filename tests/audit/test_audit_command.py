"""`wrp audit verify`: exit 0 with the count on an intact chain; non-zero naming the event when it is broken."""

from __future__ import annotations

import io
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from tests.accounts.cli import run_wrp


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
