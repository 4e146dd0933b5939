"""The two operations behind `wrp backup DEST` and `wrp restore ARCHIVE`.

A backup snapshots the database first, then adds the private files: a file stored after the snapshot is an orphan in
the archive (the sweep removes it after a restore), and a file deleted meanwhile (a replaced upload) is reported by
the restore's file check. A restore changes nothing until every member is checked: it extracts into a staging
directory beside the data, replaces the database in one transaction, then swaps the staged directories in by
renaming, and finally checks the audit chain and every stored file against its SHA-256.

The private files are archived when they are a folder of this machine (WRP_STORAGE=local). On an S3-compatible store
(WRP_STORAGE=s3) the bucket is backed up by the store (versioning, replication: docs/deploy.md) and the archive holds
the database alone; restoring an archive that holds private files into such a deployment uploads them to the bucket
(the way from one machine's folder to a store), and the check that ends a restore reads every stored file from it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import wrp
from wrp.audit.models import AuditHead
from wrp.audit.services import audit_verify
from wrp.core.storage import is_local, private_storage, storage_description
from wrp.documents.models import StoredFile
from wrp.documents.services import StoredFileCorrupted, open_file
from wrp.tasks.backup.archive import Progress, archive_extract, archive_write, tree_members
from wrp.tasks.backup.database import BackupFailed, database_is_empty, database_restore, snapshot_write

__all__ = ["BackupFailed", "RestoreReport", "backup_restore", "backup_write"]


def _trees() -> list[tuple[str, Path]]:
    """The directories a backup holds, by member prefix: the private files, and the demo signing material outside
    production."""
    trees = [("private", Path(settings.MEDIA_ROOT))] if is_local() else []
    if not settings.PRODUCTION:
        trees.append(("signing", Path(settings.SIGNING_DIR)))
    return trees


SECRET_KEY_FILE_NAME = "secret_key"  # wrp.config.secret's (config sits above this layer)
SECRET_MEMBER = "secret/secret_key"


def _secret_file() -> Path:
    """The generated SECRET_KEY of a non-production data directory: the field-encryption and audit keys derive from
    it there, so a restored database needs it. Production takes its keys from the environment, never from here."""
    return Path("/nonexistent") if settings.PRODUCTION else Path(settings.DATA_DIR) / SECRET_KEY_FILE_NAME


def backup_write(destination: Path, *, progress: Progress) -> Path:
    """Write one archive of the database and the private files; its path (DEST itself, or a new file in DEST when
    DEST is a directory)."""
    destination = destination.resolve()
    if destination.is_dir():
        destination = destination / f"wrp-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"
    if destination.exists():
        raise BackupFailed(f"{destination} exists already; name a new file")
    if not destination.parent.is_dir():
        raise BackupFailed(f"directory {destination.parent} does not exist")
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".wrp-backup-") as staging:
        progress("database: taking a consistent snapshot…")
        snapshot = snapshot_write(Path(staging))
        progress(f"database: {snapshot.vendor} snapshot of {snapshot.path.stat().st_size} bytes ({snapshot.tool}), "
                 f"audit chain {snapshot.audit_count} events, {snapshot.stored_files} stored files")
        members = [(f"database/{snapshot.path.name}", snapshot.path)]
        if not is_local():
            progress(f"private: the files are in the {storage_description()}, not in this archive: "
                     "the store keeps their copies (versioning or replication of the bucket)")
        for prefix, root in _trees():
            found = list(tree_members(root, prefix))
            progress(f"{prefix}: {len(found)} files from {root}")
            members += found
        if _secret_file().is_file():
            members.append((SECRET_MEMBER, _secret_file()))
            progress(f"secret: {_secret_file()} (outside production the keys of ID numbers and audit chain derive from it)")
        manifest = {
            "created_at": timezone.now().isoformat(),
            "platform_version": wrp.__version__,
            "environment": settings.ENVIRONMENT,
            "database": {"vendor": snapshot.vendor, "member": members[0][0], "server_version": snapshot.server_version,
                         "tool": snapshot.tool},
            "migrations": snapshot.migrations,
            "audit": {"head": snapshot.audit_head, "count": snapshot.audit_count},
            "stored_files": snapshot.stored_files,
        }
        archive_write(destination, manifest, members, progress)
    progress(f"backup written: {destination} ({len(members)} members, checksums in manifest.json)")
    return destination


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    audit_ok: bool = False
    audit_message: str = ""
    files_checked: int = 0
    file_problems: list[str] = field(default_factory=list)
    migrations_missing: list[str] = field(default_factory=list)  # in this code, not applied in the restored database

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.file_problems


def backup_restore(archive: Path, *, force: bool, progress: Progress) -> RestoreReport:
    """Check the archive whole, then replace the database and the private files by its content, then check them."""
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=data_dir, prefix=".restore-"))
    try:
        progress(f"checking {archive}…")
        manifest = archive_extract(archive, staging, progress)
        database = manifest["database"]
        progress(f"archive of {manifest['created_at']}, platform {manifest['platform_version']}, "
                 f"{database['vendor']} database, audit chain {manifest['audit']['count']} events")
        if not database_is_empty() and not force:
            raise BackupFailed("refused: the database is not empty; stop the platform and run again with --force "
                               "to replace it (everything in it now is lost)")
        ready = [(prefix, _beside(staging / prefix, root), root) for prefix, root in _trees()]
        progress("database: replacing…")
        database_restore(staging / database["member"], vendor=database["vendor"], dump_tool=database["tool"])
        progress("database: restored")
        for prefix, staged, root in ready:
            _swap_in(staged, root, progress, prefix)
        if not is_local() and (staging / "private").is_dir():
            _upload_private(staging / "private", progress)
        if (staging / SECRET_MEMBER).is_file():
            _secret_restore(staging / SECRET_MEMBER, progress)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _check(manifest, progress)


def _beside(staged: Path, target: Path) -> Path:
    """The staged directory on the file system of `target` (copied beside it when the data directory is elsewhere),
    so that putting it in place, after the database, is a rename that cannot half-happen."""
    staged.mkdir(mode=0o700, exist_ok=True)  # an archive without files still replaces the old ones
    staged.chmod(0o700)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if staged.stat().st_dev == target.parent.stat().st_dev:
        return staged
    copy = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-restoring-"))
    shutil.copytree(staged, copy, dirs_exist_ok=True)
    return copy


def _swap_in(staged: Path, target: Path, progress: Progress, prefix: str) -> None:
    """Put the staged directory in the place of `target` by two renames (the old one removed after)."""
    old = target.with_name(f".{target.name}-replaced-{datetime.now():%Y%m%d%H%M%S%f}")
    if target.exists():
        target.rename(old)
    staged.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    progress(f"{prefix}: {sum(1 for path in target.rglob('*') if path.is_file())} files in place at {target}")


def _upload_private(staged: Path, progress: Progress) -> None:
    """Put the archive's private files into the store under their names (those the restored rows hold)."""
    storage = private_storage()
    count = 0
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                storage.save(path.relative_to(staged).as_posix(), File(handle))
            count += 1
    progress(f"private: {count} files uploaded to the {storage_description(storage)}")


def _secret_restore(staged: Path, progress: Progress) -> None:
    """Put the archive's generated secret key in place; this process checks the restored data with it when its own
    key came from that file too (neither SECRET_KEY nor SECRET_KEY_FILE set)."""
    target = _secret_file()
    staged.chmod(0o600)
    os.replace(staged, target)
    if not (os.environ.get("SECRET_KEY") or os.environ.get("SECRET_KEY_FILE")):
        settings.SECRET_KEY = target.read_text().strip()
    progress(f"secret: {target} restored (restart the platform to use it)")


def _check(manifest: dict[str, Any], progress: Progress) -> RestoreReport:
    """The restored platform checked: the audit chain (as `wrp audit verify`), its head against the manifest, each
    stored file against its SHA-256, and the migrations of this code the restored database lacks."""
    report = RestoreReport(manifest=manifest)
    verification = audit_verify()
    head = AuditHead.objects.filter(id=1).first()
    head_matches = (head.last_hash if head else "", head.count if head else 0) == (
        manifest["audit"]["head"], manifest["audit"]["count"])
    report.audit_ok = verification.ok and head_matches
    if not verification.ok:
        report.audit_message = f"audit chain broken at event {verification.broken_at}: {verification.reason}"
    elif not head_matches:
        report.audit_message = "audit chain head differs from the one recorded in the manifest"
    else:
        report.audit_message = f"audit chain intact: {verification.checked} events, head as in the manifest"
    progress(report.audit_message)
    for stored in StoredFile.objects.order_by("pk").iterator():
        try:
            open_file(stored)
        except StoredFileCorrupted as problem:
            report.file_problems.append(str(problem))
        report.files_checked += 1
    progress(f"stored files: {report.files_checked} checked, {len(report.file_problems)} missing or altered")
    applied = set(MigrationRecorder.Migration.objects.values_list("app", "name"))
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    report.migrations_missing = sorted(f"{app}.{name}" for app, name in known - applied)
    if report.migrations_missing:
        progress(f"{len(report.migrations_missing)} migrations of this code are not applied: run `wrp migrate`")
    return report
