"""Where the private files live: one Django storage backend, local by default, any S3-compatible store by settings.

The private files are the stored uploads and issued documents (`wrp.documents.services`), the quarantined uploads
waiting for their check (`wrp.documents.uploads`), and whatever else the platform keeps for someone (imported sheets,
generated exports). They are reached only through `private_storage()`, the storage alias "private" of STORAGES:

- `WRP_STORAGE=local` (the default): `PrivateFileSystemStorage`, the folder MEDIA_ROOT (DATA_DIR/private) as before:
  0700 directories, 0600 files written whole or not at all (a temporary file, fsync, rename).
- `WRP_STORAGE=s3`: `wrp.core.s3storage.PrivateS3Storage` (django-storages) on the bucket WRP_S3_BUCKET of the store at
  WRP_S3_ENDPOINT_URL, objects private (ACL `private`), server-side encrypted when WRP_S3_SSE is set.

Neither ever gives a URL (`url()` raises): a private file reaches a user only as the body of a view that checked the
user's right to it (`material_file_for`, the issued-document selectors), never as a public or presigned link. Names
are the callers' (random) relative names such as `files/ab/<32 hex>.pdf`, the same on every backend, so a bucket
filled from a local folder (`aws s3 sync var/private s3://bucket`) serves the same rows.

`storage_ready()` is the readiness check (/health/ready): it raises StorageNotReady when the files could not be
written now, cheaply (a directory check, or one HEAD of the bucket with short time-outs and no retry).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any, cast

from django.core.files.storage import FileSystemStorage, Storage, storages

PRIVATE_ALIAS = "private"
TEMP_PREFIX = ".part-"  # a write in progress (or interrupted: the daily sweep deletes it after an hour)
READY_TIMEOUT_S = 2.0
LOCAL_BACKEND = "wrp.core.storage.PrivateFileSystemStorage"
S3_BACKEND = "wrp.core.s3storage.PrivateS3Storage"
NO_URL = "private files are never served by URL: stream them through the view that checks the user's right"


class StorageNotReady(Exception):
    """The private files cannot be reached now (the folder is not writable, the store does not answer)."""


def private_storage() -> Storage:
    """The storage of the private files (FileSystemStorage under MEDIA_ROOT by default, S3 by settings)."""
    return storages[PRIVATE_ALIAS]


def storage_ready() -> None:
    """Raise StorageNotReady unless the private files can be reached now (the folder writable, the bucket answering
    its HEAD). Cheap: no file is written."""
    storage = private_storage()
    check = getattr(storage, "ready", None)
    if check is None:  # a storage of the tests' or a deployment's own: trust it
        return
    try:
        check()
    except StorageNotReady:
        raise
    except Exception as error:  # a network failure, a refusal by the store: say what, not a traceback
        raise StorageNotReady(f"{type(error).__name__}: {error}") from error


def read_bytes(storage: Storage, name: str) -> bytes:
    """The whole private file `name`: one request on S3 (`read_bytes` of the platform's backends), else `open()`."""
    reader = getattr(storage, "read_bytes", None)
    if reader is not None:
        return cast(bytes, reader(name))
    with storage.open(name, "rb") as handle:
        return cast(bytes, handle.read())


def storage_config(
    kind: str = "local",
    *,
    bucket: str = "",
    endpoint_url: str = "",
    access_key_id: str = "",
    secret_access_key: str = "",
    region: str = "us-east-1",
    sse: bool = False,
) -> dict[str, Any]:
    """The STORAGES entry of the private files for WRP_STORAGE=`kind` (settings.py and the tests' `s3_settings`)."""
    if kind == "local":
        return {"BACKEND": LOCAL_BACKEND}
    if kind != "s3":
        raise ValueError(f"unknown private storage {kind!r}")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,  # None: AWS itself
        "region_name": region or None,
    }
    if access_key_id or secret_access_key:  # otherwise boto3's usual chain (AWS_* variables, an instance role)
        options |= {"access_key": access_key_id, "secret_key": secret_access_key}
    if sse:
        options["object_parameters"] = {"ServerSideEncryption": "AES256"}
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def storage_description(storage: Storage | None = None) -> str:
    """Where the private files are, for the command line and the logs (no credentials)."""
    storage = storage or private_storage()
    bucket = getattr(storage, "bucket_name", None)
    if bucket is not None:
        return f"S3 bucket {bucket} at {getattr(storage, 'endpoint_url', None) or 'AWS'}"
    location = getattr(storage, "location", None)
    return f"folder {location}" if location else type(storage).__name__


def is_local(storage: Storage | None = None) -> bool:
    """Whether the private files are a folder of this machine (a backup archives them; a store backs itself up)."""
    return isinstance(storage or private_storage(), FileSystemStorage)


class PrivateFileSystemStorage(FileSystemStorage):
    """The folder MEDIA_ROOT (followed when a test changes it): 0700 directories, 0600 files written atomically."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("base_url", None)
        options.setdefault("file_permissions_mode", 0o600)
        options.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**options)

    def url(self, name: str | None) -> str:
        raise NotImplementedError(NO_URL)

    def _save(self, name: str, content: Any) -> str:
        """Write `content` whole or not at all: a 0600 temporary file beside the target, fsync, then rename."""
        path = Path(self.path(name))  # safe_join: SuspiciousFileOperation for a name outside the folder
        self._make_private_dirs(path.parent)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)  # created 0600
        try:
            with os.fdopen(descriptor, "wb") as handle:
                if hasattr(content, "seek"):
                    with contextlib.suppress(Exception):
                        content.seek(0)
                for chunk in content.chunks():
                    handle.write(chunk.encode() if isinstance(chunk, str) else chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return str(name).replace("\\", "/")

    def _make_private_dirs(self, directory: Path) -> None:
        """Create the folder and the directories under it as 0700 (the folder's parents as usual)."""
        root = Path(self.location).resolve()
        root.parent.mkdir(parents=True, exist_ok=True)
        chain = [root]
        for part in directory.resolve().relative_to(root).parts:
            chain.append(chain[-1] / part)
        for step in chain:
            with contextlib.suppress(FileExistsError):
                step.mkdir(mode=0o700)
                os.chmod(step, 0o700)

    def read_bytes(self, name: str) -> bytes:
        """The whole file (FileNotFoundError when there is none)."""
        return Path(self.path(name)).read_bytes()

    def ready(self) -> None:
        root = Path(self.location)
        existing = next((path for path in (root, *root.parents) if path.exists()), None)
        if existing is None or not existing.is_dir():
            raise StorageNotReady(f"{existing or root} is not a directory")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise StorageNotReady(f"{existing} is not writable by this process")


_ready_lock = threading.Lock()


def s3_ready(storage: Any) -> None:
    """One HEAD of the bucket, with short time-outs and no retry (a client of its own, made once per storage)."""
    client = getattr(storage, "_ready_client", None)
    if client is None:
        from botocore.config import Config

        with _ready_lock:
            client = getattr(storage, "_ready_client", None)
            if client is None:
                config = Config(
                    connect_timeout=READY_TIMEOUT_S,
                    read_timeout=READY_TIMEOUT_S,
                    retries={"max_attempts": 1, "mode": "standard"},
                    s3={"addressing_style": storage.addressing_style},
                )
                client = storage._create_session().client(
                    "s3",
                    region_name=storage.region_name,
                    use_ssl=storage.use_ssl,
                    endpoint_url=storage.endpoint_url,
                    config=config,
                    verify=storage.verify,
                )
                storage._ready_client = client
    client.head_bucket(Bucket=storage.bucket_name)
