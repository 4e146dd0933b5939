"""A malware scanner an upload goes through before it is parsed, when the deployment has one (off by default).

`MalwareScanner` is what the upload check (`wrp.documents.uploads`) asks: `scan(data)` answers the name of the
signature found, or None for a clean file, and raises `ScannerUnavailable` when it cannot tell. `ClamdScanner` speaks
clamd's INSTREAM command over TCP (the address in the MALWARE_SCANNER setting, from WRP_CLAMD_ADDRESS, `host:port`):
`zINSTREAM\\0`, the file in chunks each led by its length as 4 bytes big-endian, a zero-length chunk to end, and one
answer ending in NUL: `stream: OK`, `stream: <signature> FOUND` or `… ERROR`.
"""

from __future__ import annotations

import socket
import struct
from typing import Protocol

from django.conf import settings

CHUNK = 64 * 1024
MAX_ANSWER = 4096


class ScannerUnavailable(Exception):
    """The scanner could not give a verdict (unreachable, timed out, answered an error)."""


class MalwareScanner(Protocol):
    def scan(self, data: bytes) -> str | None:
        """The signature found in `data`, or None when it is clean; ScannerUnavailable when it cannot tell."""


class ClamdScanner:
    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    @classmethod
    def from_address(cls, address: str, *, timeout: float = 30.0) -> ClamdScanner:
        host, _colon, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"a clamd address is host:port, not {address!r}")
        return cls(host.strip("[]"), int(port), timeout=timeout)

    def scan(self, data: bytes) -> str | None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as connection:
                connection.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), CHUNK):
                    chunk = data[start:start + CHUNK]
                    connection.sendall(struct.pack(">I", len(chunk)) + chunk)
                connection.sendall(struct.pack(">I", 0))
                answer = _read_answer(connection)
        except OSError as error:
            raise ScannerUnavailable(f"clamd at {self.host}:{self.port}: {error}") from error
        return _verdict(answer)


def _read_answer(connection: socket.socket) -> str:
    received = b""
    while not received.endswith(b"\0") and len(received) < MAX_ANSWER:
        part = connection.recv(MAX_ANSWER)
        if not part:
            break
        received += part
    return received.rstrip(b"\0").decode("utf-8", errors="replace").strip()


def _verdict(answer: str) -> str | None:
    """`stream: OK` → None; `stream: Eicar-Signature FOUND` → "Eicar-Signature"; anything else is no verdict."""
    _stream, _colon, result = answer.partition(": ")
    if result == "OK":
        return None
    if result.endswith(" FOUND"):
        return result.removesuffix(" FOUND").strip() or "unknown"
    raise ScannerUnavailable(f"clamd answered {answer[:200]!r}")


def malware_scanner() -> MalwareScanner | None:
    """The deployment's scanner (MALWARE_SCANNER: a clamd `host:port`), or None when there is none."""
    address = getattr(settings, "MALWARE_SCANNER", "")
    return ClamdScanner.from_address(address) if address else None
