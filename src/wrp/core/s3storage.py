"""The private files on an S3-compatible store (WRP_STORAGE=s3): django-storages' S3Storage, made private.

Kept apart from `wrp.core.storage` so that a deployment on the local folder never imports boto3. Objects are written
with the ACL `private` (and AES256 server-side encryption when WRP_S3_SSE is set, `object_parameters`), no URL of
any kind is ever made (`url()` raises; `querystring_auth` off), names are used as given (random, never reused), and
the client gives up on a store that does not answer within seconds rather than holding a web worker.
"""

from __future__ import annotations

from typing import Any, cast

from botocore.config import Config
from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from wrp.core.storage import NO_URL, s3_ready

CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
MAX_ATTEMPTS = 3


class PrivateS3Storage(S3Storage):
    def __init__(self, **options: Any) -> None:
        options.setdefault("default_acl", "private")
        options.setdefault("querystring_auth", False)
        options.setdefault("file_overwrite", True)  # names are 128-bit random: no HEAD before each write
        options.setdefault("location", "")
        options.setdefault(
            "client_config",
            Config(
                connect_timeout=CONNECT_TIMEOUT_S,
                read_timeout=READ_TIMEOUT_S,
                retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                # path style for a store of its own (MinIO, Ceph, moto), AWS's choice otherwise
                s3={
                    "addressing_style": options.get("addressing_style")
                    or ("path" if options.get("endpoint_url") else None)
                },
                signature_version="s3v4",
            ),
        )
        super().__init__(**options)

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise NotImplementedError(NO_URL)

    def ready(self) -> None:
        s3_ready(self)

    def read_bytes(self, name: str) -> bytes:
        """The whole object in one GET (`open()` first HEADs it); FileNotFoundError when there is none."""
        key = self._normalize_name(clean_name(name))
        try:
            return cast(bytes, self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)["Body"].read())
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(f"no object {name}") from None
            raise
