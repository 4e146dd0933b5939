"""The database triggers that make the audit trail append-only (UPDATE and DELETE on its events are refused).

Installed by migration 0002. Test runs that empty the database between tests (`transactional_db`, live servers) lift
them around the emptying and put them back; nothing else does.
"""

from __future__ import annotations

from typing import Any

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$;",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_append_only();",
]


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE, "postgresql": POSTGRES})


def remove(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE})
