"""The database triggers that make the audit trail append-only.

An event's row may be changed once: the chainer sets its chain columns (`seq`, `prev_hash`, `hash`) from empty to a
value, every other column as it was. Any other UPDATE, and every DELETE, is refused ('audit events are append-only').

Installed by migration 0004 (0002 and 0003 installed the first version, which refused every UPDATE: `install_v1`).
Test runs that empty the database between tests (`transactional_db`, live servers) lift them around the emptying and
put them back; nothing else does.
"""

from __future__ import annotations

from typing import Any

# Every column but the chain's: the one allowed UPDATE leaves them as they are.
CONTENT = ("id", "at", "actor_id", "actor_role", "action", "object_type", "object_id", "outcome", "request_id",
           "changes", "scheme")
CHAIN = ("seq", "prev_hash", "hash")


def _chaining(old: str, new: str, same: str) -> str:
    """The condition of the one allowed UPDATE: chain columns empty before, all set after, the content unchanged."""
    empty = " AND ".join(f"{old}.{column} IS NULL" for column in CHAIN)
    filled = " AND ".join(f"{new}.{column} IS NOT NULL" for column in CHAIN)
    return f"{empty} AND {filled} AND {same}"


_SQLITE_SAME = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in CONTENT)
_POSTGRES_SAME = (f"({', '.join('NEW.' + column for column in CONTENT)}) IS NOT DISTINCT FROM "
                  f"({', '.join('OLD.' + column for column in CONTENT)})")

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    f"WHEN NOT ({_chaining('OLD', 'NEW', _SQLITE_SAME)}) "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_event_no_delete;"]
POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF TG_OP = 'UPDATE' AND {_chaining('OLD', 'NEW', _POSTGRES_SAME)} THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'audit events are append-only'; END; $$;",
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();",
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_append_only();",
]

# The first version (migrations 0002 and 0003): no UPDATE at all, the chain being written with the row.
SQLITE_V1 = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    SQLITE[1],
]
POSTGRES_V1 = [
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$;",
    *POSTGRES[1:],
]


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE, "postgresql": POSTGRES})


def install_v1(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_V1, "postgresql": POSTGRES_V1})


def remove(connection: Any) -> None:
    _run(connection, {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE})
