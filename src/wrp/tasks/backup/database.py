"""The database half of a backup: a consistent snapshot out, a whole replacement in.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the live database page by page under one read
lock into a file, and copies a snapshot back into the live database as one write transaction — never a file copy
beside a WAL. PostgreSQL: `pg_dump --format=custom` of an exported snapshot (the migration state and audit head are
read in that same snapshot), restored by `pg_restore` into SQL that `psql --single-transaction` runs after emptying
the schema: a failure leaves the database as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections


class BackupFailed(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Snapshot:
    vendor: str  # "sqlite" or "postgresql"
    path: Path
    server_version: str
    tool: str  # the dump tool and its version ("sqlite3 3.40.1", "pg_dump (PostgreSQL) 15.20")
    migrations: dict[str, list[str]]
    audit_head: str
    audit_count: int
    stored_files: int


MIGRATIONS_SQL = "SELECT app, name FROM django_migrations ORDER BY app, name"
AUDIT_SQL = "SELECT last_hash, count FROM audit_audithead WHERE id = 1"
FILES_SQL = "SELECT count(*) FROM documents_storedfile"


def _facts(cursor: Any) -> tuple[dict[str, list[str]], str, int, int]:
    cursor.execute(MIGRATIONS_SQL)
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    cursor.execute(AUDIT_SQL)
    head = cursor.fetchone() or ("", 0)
    cursor.execute(FILES_SQL)
    return migrations, head[0], int(head[1]), int(cursor.fetchone()[0])


def snapshot_write(directory: Path) -> Snapshot:
    """Write a consistent copy of the default database into `directory`."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return _sqlite_snapshot(directory / "wrp.sqlite3")
    if connection.vendor == "postgresql":
        return _postgres_snapshot(directory / "wrp.pgdump")
    raise BackupFailed(f"no backup method for the {connection.vendor} database")


def _sqlite_snapshot(path: Path) -> Snapshot:
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)  # one step: the whole database under one read lock
        migrations, head, count, files = _facts(target.cursor())
    finally:
        target.close()
    os.chmod(path, 0o600)
    return Snapshot("sqlite", path, sqlite3.sqlite_version, f"sqlite3 {sqlite3.sqlite_version}", migrations, head,
                    count, files)


def _major(version_line: str) -> int:
    """The major version of a client tool's `--version` line ("pg_dump (PostgreSQL) 15.20 (Debian …)" → 15)."""
    found = re.search(r"\)\s*(\d+)", version_line)
    if found is None:
        raise BackupFailed(f"cannot read a version from {version_line!r}")
    return int(found.group(1))


def _tool(name: str) -> tuple[str, str]:
    """The path and `--version` line of a PostgreSQL client tool (BackupFailed when missing)."""
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(f"{name} is not installed: install the PostgreSQL client tools of the server's version")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return path, version


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for the client tools (the password never on a command line)."""
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _postgres_snapshot(path: Path) -> Snapshot:
    pg_dump, tool = _tool("pg_dump")
    server_major = connection.pg_version // 10000
    if _major(tool) < server_major:
        raise BackupFailed(f"{tool} cannot dump a PostgreSQL {server_major} server: install pg_dump {server_major} "
                           "or newer")
    # One snapshot for the dump and the facts read here: exported by a repeatable-read transaction held open until
    # pg_dump has finished.
    raw = connections.create_connection("default")
    try:
        raw.ensure_connection()
        raw.connection.autocommit = False  # psycopg connection: BEGIN on the first statement
        with raw.connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            exported = cursor.fetchone()[0]
            migrations, head, count, files = _facts(cursor)
            done = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={exported}",
                 f"--file={path}"],
                env=_pg_env(raw.settings_dict), capture_output=True, text=True, check=False,
            )
        raw.connection.rollback()
    finally:
        raw.close()
    if done.returncode != 0:
        raise BackupFailed(f"pg_dump failed: {done.stderr.strip()}")
    os.chmod(path, 0o600)
    return Snapshot("postgresql", path, str(connection.pg_version), tool, migrations, head, count, files)


# --- restore ----------------------------------------------------------------------------------------------------------


def database_is_empty() -> bool:
    """No table at all in the default database (a new file, a new PostgreSQL database)."""
    connection.ensure_connection()
    return not connection.introspection.table_names()


def database_restore(snapshot: Path, *, vendor: str, dump_tool: str) -> None:
    """Replace the default database by the snapshot, whole or not at all (other connections closed first)."""
    if connection.vendor != vendor:
        raise BackupFailed(f"the archive holds a {vendor} database; this platform runs on {connection.vendor}")
    settings_dict = dict(connection.settings_dict)
    connections.close_all()
    if vendor == "sqlite":
        _sqlite_restore(snapshot, Path(settings_dict["NAME"]))
    else:
        _postgres_restore(snapshot, settings_dict, dump_tool)
    connections.close_all()


def _sqlite_restore(snapshot: Path, target_path: Path) -> None:
    source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        source.backup(target)  # the target is written in one transaction: all pages or none
    except sqlite3.Error as error:
        raise BackupFailed(f"SQLite restore failed, the database is unchanged: {error}") from None
    finally:
        target.close()
        source.close()
    os.chmod(target_path, 0o600)


def _postgres_restore(snapshot: Path, settings_dict: dict[str, Any], dump_tool: str) -> None:
    pg_restore, tool = _tool("pg_restore")
    psql, _version = _tool("psql")
    if _major(tool) < _major(dump_tool):
        raise BackupFailed(f"{tool} cannot read a dump made by {dump_tool}: install pg_restore of that version or newer")
    script = snapshot.with_suffix(".sql")
    env = _pg_env(settings_dict)
    done = subprocess.run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(snapshot)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"pg_restore could not read the dump: {done.stderr.strip()}")
    done = subprocess.run(
        [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
         "--command=DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;", f"--file={script}"],
        env=env, capture_output=True, text=True, check=False,
    )
    script.unlink(missing_ok=True)
    if done.returncode != 0:
        raise BackupFailed(f"PostgreSQL restore failed and was rolled back, the database is unchanged: "
                           f"{done.stderr.strip()}")
