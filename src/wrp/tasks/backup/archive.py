"""The backup archive: one tar file (`wrp-backup-<time>.tar`, 0600) holding

- `manifest.json`: the format, the time, the platform version, the database (vendor, server, dump tool), the
  migration state and the audit chain's head and count read in the database snapshot, the number of stored files,
  and the SHA-256 and size of every other member;
- `database/wrp.sqlite3` or `database/wrp.pgdump`: the snapshot;
- `private/…`: MEDIA_ROOT (the stored uploads and issued documents), when they are on this machine (WRP_STORAGE=local);
- `signing/…`: the demo signing material of var/signing (outside production only: a production key is backed up
  by whoever keeps it, never beside the data it signs).

Reading it back, every member is extracted into a staging directory while its SHA-256 is computed; a member that is
not in the manifest, missing, altered, or not a plain file under a relative path refuses the whole archive.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from wrp.tasks.backup.database import BackupFailed

FORMAT = "wrp-backup/1"
MANIFEST = "manifest.json"
CHUNK = 1 << 20
Progress = Callable[[str], None]


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_members(root: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    """(member name, path) of every plain file under `root`, in a stable order; half-written `.part-` files and
    symbolic links are left out."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.name.startswith(".part-"):
            continue
        yield f"{prefix}/{path.relative_to(root).as_posix()}", path


def archive_write(destination: Path, manifest: dict[str, Any], members: list[tuple[str, Path]],
                  progress: Progress) -> None:
    """Write the archive at `destination` whole or not at all (a temporary file beside it, then renamed)."""
    entries: dict[str, dict[str, Any]] = {}
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".wrp-backup-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for number, (name, path) in enumerate(members, start=1):
                entries[name] = {"sha256": _sha256_of(path), "size": path.stat().st_size}
                tar.add(path, arcname=name, recursive=False)
                if number % 500 == 0:
                    progress(f"  {number} of {len(members)} members written")
            body = json.dumps({**manifest, "format": FORMAT, "members": entries}, indent=2, ensure_ascii=False)
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body.encode()), 0o600
            tar.addfile(info, io.BytesIO(body.encode()))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


def archive_extract(archive: Path, staging: Path, progress: Progress) -> dict[str, Any]:
    """Extract every member into `staging`, checking it against the manifest; the manifest (BackupFailed naming the
    first member that does not hold)."""
    try:
        tar = tarfile.open(archive, mode="r:")  # noqa: SIM115 — closed by the `with` below, once it is known to open
    except (OSError, tarfile.TarError) as error:
        raise BackupFailed(f"{archive} is not a wrp backup archive: {error}") from None
    with tar:
        manifest = _manifest_of(tar)
        expected: dict[str, dict[str, Any]] = manifest["members"]
        seen: set[str] = set()
        for info in tar:
            if info.name == MANIFEST:
                continue
            if info.name not in expected or not info.isfile() or not _safe_name(info.name):
                raise BackupFailed(f"refused: member {info.name!r} is not listed in the manifest as a plain file")
            if info.name in seen:
                raise BackupFailed(f"refused: member {info.name!r} appears twice")
            seen.add(info.name)
            digest = _extract_one(tar, info, staging / info.name)
            if digest != expected[info.name]["sha256"] or info.size != expected[info.name]["size"]:
                raise BackupFailed(f"refused: member {info.name!r} does not match its SHA-256 in the manifest "
                                   "(the archive was altered or damaged)")
            if len(seen) % 500 == 0:
                progress(f"  {len(seen)} of {len(expected)} members checked")
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupFailed(f"refused: member {missing[0]!r} of the manifest is missing from the archive")
    progress(f"  all {len(seen)} members match their SHA-256")
    return manifest


def _manifest_of(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        handle = tar.extractfile(MANIFEST)
        manifest = json.loads(handle.read()) if handle is not None else None
    except (KeyError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(
            manifest.get("members"), dict):
        raise BackupFailed(f"refused: no readable {MANIFEST} of format {FORMAT} in the archive")
    return manifest


def _extract_one(tar: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> str:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    source = tar.extractfile(info)
    assert source is not None  # a plain file
    digest = hashlib.sha256()
    with source, open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
