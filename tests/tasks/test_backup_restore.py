"""The restore drill (issue 11 §8): make data (the personas, a case with an uploaded material), `wrp backup`, restore
into a second, empty database and data directory with the real `wrp restore` command in its own process, and find the
same rows, the same file bytes (SHA-256) and an intact audit chain there; an altered archive is refused, naming the
member, before anything changes. On SQLite and on PostgreSQL (a scratch database created and dropped here)."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.cases.conftest import PROFILE
from tests.documents.pdfs import plain_pdf
from tests.factories import case_in_state, make_association, make_ledger
from wrp.accounts.models import ApplicantProfile
from wrp.audit.models import AuditEvent, AuditHead
from wrp.cases.materials import case_checklist
from wrp.cases.models import Case, CaseMaterial, MaterialStatus
from wrp.documents.models import StoredFile
from wrp.documents.services import store_file

pytestmark = pytest.mark.django_db(transaction=True)  # the dump reads what is committed

TABLES = {"cases_case": Case, "cases_casematerial": CaseMaterial, "documents_storedfile": StoredFile,
          "audit_auditevent": AuditEvent, "accounts_user": None}


@pytest.fixture
def source(settings, tmp_path: Path, people) -> Path:
    """A data directory of its own (private files, demo signing material, the generated secret key) holding the
    personas and a draft case whose checklist has stored PDFs."""
    data = tmp_path / "source"
    settings.DATA_DIR, settings.MEDIA_ROOT, settings.SIGNING_DIR = data, data / "private", data / "signing"
    (data / "signing").mkdir(parents=True)
    (data / "signing" / "ca.crt").write_bytes(b"demo CA certificate")
    (data / "secret_key").write_text(settings.SECRET_KEY)
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, 2026, granted=3)

    def attach_stored(case, *, by):
        for number, code in enumerate(case_checklist(case)[:3]):
            stored = store_file(data=plain_pdf(pages=number + 1), original_name=f"{code}.pdf", uploaded_by=by,
                                pages=number + 1)
            CaseMaterial.objects.update_or_create(case=case, code=code,
                                                  defaults={"file": stored, "status": MaterialStatus.UPLOADED})

    case_in_state(people, "draft", materials=attach_stored)
    return data


def backup(directory: Path) -> Path:
    out = StringIO()
    call_command("backup", str(directory), stdout=out)
    assert "backup written" in out.getvalue()
    return next(directory.glob("wrp-backup-*.tar"))


def restore_elsewhere(archive: Path, database_url: str, data: Path,
                     env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`wrp restore ARCHIVE` in its own process, on a second database and data directory (and `env` besides)."""
    base = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "SECRET_KEY_FILE")}
    env = {**base, **(env or {})}
    env.update(DATABASE_URL=database_url, WRP_DATA_DIR=str(data))
    return subprocess.run([sys.executable, "-m", "wrp.cli", "restore", str(archive)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def counts_here() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    return {table: (model or get_user_model()).objects.count() for table, model in TABLES.items()}


def assert_restored(done: subprocess.CompletedProcess[str], query: Callable[[str], list[tuple[Any, ...]]],
                    data: Path) -> None:
    assert done.returncode == 0, done.stderr
    assert "members match their SHA-256" in done.stdout
    assert "audit chain intact" in done.stdout
    assert "checks passed" in done.stdout
    for table, expected in counts_here().items():
        assert query(f"SELECT count(*) FROM {table}") == [(expected,)], table
    head = AuditHead.objects.get(id=1)
    assert query("SELECT last_hash, count FROM audit_audithead") == [(head.last_hash, head.count)]
    stored = list(StoredFile.objects.all())
    assert len(stored) == 3
    for row in stored:
        assert hashlib.sha256((data / "private" / row.storage_name).read_bytes()).hexdigest() == row.sha256
    assert (data / "signing" / "ca.crt").read_bytes() == b"demo CA certificate"


def tampered(archive: Path, member: str) -> Path:
    """A copy of the archive with one byte of `member` changed (sizes and the manifest untouched)."""
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data
    data = bytearray(archive.read_bytes())
    data[offset + 10] ^= 0xFF
    copy = archive.with_name("tampered.tar")
    copy.write_bytes(bytes(data))
    return copy


def test_the_drill_on_sqlite(source, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill needs the SQLite test database (DATABASE_URL is PostgreSQL)")
    archive = backup(tmp_path)
    assert archive.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh"
    done = restore_elsewhere(archive, f"sqlite:///{fresh / 'wrp.sqlite3'}", fresh)

    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(fresh / "wrp.sqlite3") as restored:
            return restored.execute(sql).fetchall()

    assert_restored(done, query, fresh)
    assert (fresh / "wrp.sqlite3").stat().st_mode & 0o777 == 0o600


def test_an_altered_archive_is_refused_naming_the_member_before_anything_changes(source, tmp_path):
    archive = backup(tmp_path)
    member = f"private/{StoredFile.objects.order_by('pk').first().storage_name}"
    before = counts_here()
    with pytest.raises(CommandError, match=re.escape(f"member '{member}' does not match its SHA-256")):
        call_command("restore", str(tampered(archive, member)), stdout=StringIO())
    assert counts_here() == before
    assert not list(source.glob(".restore-*"))  # the staging directory is gone


def test_a_database_that_is_not_empty_is_kept_without_force(source, tmp_path):
    archive = backup(tmp_path)
    before = counts_here()
    with pytest.raises(CommandError, match=r"the database is not empty; .* --force"):
        call_command("restore", str(archive), stdout=StringIO())
    assert counts_here() == before
    assert len(list((source / "private").rglob("*.pdf"))) == 3


def test_an_archive_whose_manifest_lists_a_missing_member_is_refused(source, tmp_path):
    archive = backup(tmp_path)
    cut = tmp_path / "cut.tar"
    with tarfile.open(archive) as tar, tarfile.open(cut, "w") as out:
        for info in tar:
            if not info.name.startswith("signing/"):
                out.addfile(info, tar.extractfile(info))
    with pytest.raises(CommandError, match=re.escape("member 'signing/ca.crt' of the manifest is missing")):
        call_command("restore", str(cut), stdout=StringIO())


# --- PostgreSQL -------------------------------------------------------------------------------------------------------


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database beside the test database, dropped afterwards; its URL."""
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL drill needs DATABASE_URL to name a PostgreSQL server (it is SQLite here)")
    import psycopg

    params = connection.settings_dict
    name = f"wrp_restore_drill_{secrets.token_hex(4)}"
    server = {"host": params["HOST"] or "127.0.0.1", "port": params["PORT"] or 5432, "user": params["USER"],
              "password": params["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
        yield f"postgres://{params['USER']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
def test_the_drill_on_postgresql(source, tmp_path, scratch_database):
    import psycopg

    archive = backup(tmp_path)
    fresh = tmp_path / "fresh"
    done = restore_elsewhere(archive, scratch_database, fresh)

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(scratch_database) as restored:
            return restored.execute(sql).fetchall()

    assert_restored(done, query, fresh)
