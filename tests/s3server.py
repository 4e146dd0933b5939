"""A local S3 endpoint for the tests: moto's server in a thread on 127.0.0.1, on a free port, no internet.

- `s3_server()`: a context manager yielding the endpoint URL (`http://127.0.0.1:<port>`); the AWS_* variables are set
  to dummy values meanwhile, so no real credentials or instance metadata are ever looked for.
- `s3_endpoint`: that server, started once a session (a pytest fixture; import it into a conftest or a test module).
- `s3_settings`: the private storage (STORAGES "private" and "default") pointed at a fresh bucket of that server for
  one test; it returns an `S3Bucket` to look into the bucket and to re-point the settings (`use(sse=True)`).

Run alone (`python -m tests.s3server [PORT]`) it serves until stopped, for a script that needs an endpoint
(scripts/two_nodes.sh): it prints the URL on its first line.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"
REGION = "us-east-1"
DUMMY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


@contextmanager
def _dummy_aws_environment() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in DUMMY_ENVIRONMENT}
    os.environ.update(DUMMY_ENVIRONMENT)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def s3_server(port: int = 0) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (`port`, or a free one) for the duration of the block; its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request in the tests' output
    with _dummy_aws_environment():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            host, bound = server.get_host_and_port()
            yield f"http://{host}:{bound}"
        finally:
            server.stop()


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
    )


@dataclass
class S3Bucket:
    endpoint: str
    name: str
    client: Any
    settings: Any

    def use(self, **options: Any) -> None:
        """Point the private storage at this bucket (again), with storage_config's options (`sse=True`, …)."""
        from wrp.core.storage import storage_config

        config = storage_config(
            "s3",
            bucket=self.name,
            endpoint_url=self.endpoint,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            region=REGION,
            **options,
        )
        self.settings.STORAGES = {**self.settings.STORAGES, "default": config, "private": config}

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_settings(settings, s3_endpoint: str) -> S3Bucket:
    """The private files of this test in a fresh bucket of the local S3 endpoint."""
    client = s3_client(s3_endpoint)
    bucket = S3Bucket(endpoint=s3_endpoint, name=f"wrp-test-{secrets.token_hex(6)}", client=client, settings=settings)
    client.create_bucket(Bucket=bucket.name)
    bucket.use()
    return bucket


def main(argv: list[str]) -> None:
    port = int(argv[1]) if len(argv) > 1 else 0
    with s3_server(port) as endpoint:
        print(endpoint, flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()


if __name__ == "__main__":
    main(sys.argv)
