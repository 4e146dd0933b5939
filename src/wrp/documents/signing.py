"""Digital signatures of issued documents: PAdES (ETSI.CAdES.detached, SHA-256) with pyHanko, by the bureau's key.

The key, its certificate and the CA chain are PEM files named by the settings `SIGNING_KEY_FILE`, `SIGNING_CERT_FILE`,
`SIGNING_CA_FILE` and `SIGNING_KEY_PASSPHRASE` (env WRP_SIGNING_KEY_FILE, WRP_SIGNING_CERT_FILE, WRP_SIGNING_CA_FILE,
WRP_SIGNING_KEY_PASSPHRASE; default var/signing/signer.key, signer.crt, ca.crt). The CA file's certificates are also
the trust anchors `verify_pdf` checks a signature against.

In production a missing or unreadable signer stops signing with `SigningUnavailable`: an issued document is never
stored unsigned. Outside production `ensure_demo_signer` makes a local demo CA and a signing certificate under the
default directory (`wrp demo` calls it; the first signature does too), so development and demos sign like production,
with a certificate nobody else trusts. Tests get a throwaway CA from the `signer` fixture (tests/conftest.py).

The signature is invisible: the seal area printed by `printing.layout.issuer` marks where the seal goes; the signature
itself is shown by PDF readers in their signature panel and by `verify_pdf`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

DEFAULT_REASON = "朝阳区人力资源和社会保障局签发"
DEMO_CA_NAME = "朝阳区人社局演示根证书（不可信）"  # a CN holds at most 64 bytes
DEMO_SIGNER_NAME = "北京市朝阳区人力资源和社会保障局（演示）"
FIELD_NAME = "BureauSignature"


class SigningUnavailable(ImproperlyConfigured):
    """No usable signing key and certificate: issued documents cannot be signed."""


@dataclass(frozen=True)
class SignerFiles:
    key: Path
    cert: Path
    ca: Path


@dataclass(frozen=True)
class SignatureCheck:
    """What `verify_pdf` found: whether the PDF carries a signature, whether the signed bytes are unchanged (intact)
    and the signature over them is sound (valid), whether the signer's certificate chains to the configured CA
    (trusted), whether the signature covers the whole file (nothing appended after it), and who signed when."""

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.trusted and self.whole_file


def configured_files() -> SignerFiles:
    return SignerFiles(Path(settings.SIGNING_KEY_FILE), Path(settings.SIGNING_CERT_FILE), Path(settings.SIGNING_CA_FILE))


def _is_default(files: SignerFiles) -> bool:
    directory = Path(settings.SIGNING_DIR)
    return files == SignerFiles(directory / "signer.key", directory / "signer.crt", directory / "ca.crt")


def _passphrase() -> bytes | None:
    return settings.SIGNING_KEY_PASSPHRASE.encode() if settings.SIGNING_KEY_PASSPHRASE else None


@lru_cache(maxsize=4)
def _load_signer(files: SignerFiles, passphrase: bytes | None, stamp: tuple[float, ...]):  # type: ignore[no-untyped-def]
    """The pyHanko signer of these files (cached while the files are unchanged: `stamp` is their mtimes)."""
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(str(files.key), str(files.cert), ca_chain_files=(str(files.ca),),
                                       key_passphrase=passphrase)
    if signer is None:
        raise SigningUnavailable(
            f"the signing key {files.key} or certificate {files.cert} cannot be read (wrong passphrase "
            "WRP_SIGNING_KEY_PASSPHRASE, or not PEM/DER)")
    return signer


def _signer():  # type: ignore[no-untyped-def]
    files = configured_files()
    missing = [path for path in (files.key, files.cert, files.ca) if not path.is_file()]
    if missing and not settings.PRODUCTION and _is_default(files):
        ensure_demo_signer(Path(settings.SIGNING_DIR))
        missing = [path for path in (files.key, files.cert, files.ca) if not path.is_file()]
    if missing:
        raise SigningUnavailable(
            "issued documents must be signed, but the signing files are missing: "
            + ", ".join(str(path) for path in missing)
            + " (set WRP_SIGNING_KEY_FILE, WRP_SIGNING_CERT_FILE and WRP_SIGNING_CA_FILE)")
    stamp = tuple(path.stat().st_mtime for path in (files.key, files.cert, files.ca))
    return _load_signer(files, _passphrase(), stamp)


def signing_available() -> bool:
    """Whether `sign_pdf` can sign now (outside production this makes the demo signer if there is none)."""
    try:
        _signer()
    except SigningUnavailable:
        return False
    return True


def sign_pdf(data: bytes, *, reason: str = DEFAULT_REASON) -> bytes:
    """The PDF `data` signed by the bureau (PAdES B-B, SHA-256, invisible signature field), as an incremental
    update: the bytes before the signature are `data` unchanged. Raises SigningUnavailable without a signer."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer()
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, reason=reason, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
    )
    # room reserved for the signature (an ECDSA CMS with its chain is ~2 kB), so pyHanko skips its dry run
    output = _outside_event_loop(lambda: signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=16384))
    return output.getvalue()


def _outside_event_loop(call: Callable[[], T]) -> T:
    """`call()`, in a thread of its own when this thread runs an event loop: pyHanko's synchronous API wraps its
    asynchronous one in `asyncio.run`, which refuses to start inside a running loop (an ASGI view, a test driving a
    browser)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _trust_roots(files: SignerFiles) -> list:  # type: ignore[type-arg]
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(files.ca)])) if files.ca.is_file() else []


def verify_pdf(data: bytes) -> SignatureCheck:
    """The last signature of `data` checked against the configured CA: never raises for a damaged or unsigned PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # a damaged file is an answer, not a crash
        return SignatureCheck(signed=False, problem=f"unreadable PDF: {error}")
    if not signatures:
        return SignatureCheck(signed=False, problem="no signature")
    roots = _trust_roots(configured_files())
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = _outside_event_loop(lambda: validate_pdf_signature(signatures[-1], context))
    except Exception as error:
        return SignatureCheck(signed=True, problem=f"cannot validate: {error}")
    subject = status.signing_cert.subject.native
    return SignatureCheck(
        signed=True, intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer=str(subject.get("common_name") or subject.get("organization_name") or ""),
        signed_at=status.signer_reported_dt,
    )


# --- the demo signer -------------------------------------------------------------------------------------------


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically (a temporary file beside it, then rename) with the file's mode set before any byte."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def ensure_demo_signer(directory: Path, *, days: int = 3650) -> SignerFiles:
    """A demo CA and a signing certificate it issued, in `directory` (ca.crt, signer.crt, signer.key with mode 0600),
    unless a signer is there already. The CA's key is not kept: nothing else can be issued with it."""
    files = SignerFiles(directory / "signer.key", directory / "signer.crt", directory / "ca.crt")
    if all(path.is_file() for path in (files.key, files.cert, files.ca)):
        return files
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a") as lock:  # two workers starting at once make one signer, not two halves
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(path.is_file() for path in (files.key, files.cert, files.ca)):
            return files
        _make_demo_signer(files, days)
    return files


def _make_demo_signer(files: SignerFiles, days: int) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)

    def name(common: str) -> x509.Name:
        return x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "北京市朝阳区人力资源和社会保障局"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ])

    ca_key = ec.generate_private_key(ec.SECP256R1())  # ECDSA P-256: loaded and used in a millisecond
    ca_name = name(DEMO_CA_NAME)
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(name(DEMO_SIGNER_NAME)).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    passphrase = _passphrase() if configured_files() == files else None
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    _write(files.key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption),
           0o600)
    _write(files.cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(files.ca, ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
