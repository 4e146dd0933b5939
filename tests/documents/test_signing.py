"""Signed issued documents (wrp.documents.signing): a PDF made by the printing layer is signed PAdES with the key of the
settings (the `signer` fixture's throwaway CA), pyHanko validates it as intact and trusted, and one altered byte
breaks it. Without the database."""

import os
import shutil
import subprocess
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from wrp.documents import signing
from wrp.documents.printing import UnitDeclaration, integrity_unit_pdf

CREDIT_CODE = "91110105MA01234567"


def _document() -> bytes:
    return integrity_unit_pdf(UnitDeclaration(unit_name="北京甲科技有限公司", credit_code=CREDIT_CODE, case_id="C1"))


def test_a_signed_document_validates_as_intact_and_trusted_by_the_configured_ca(signer):
    data = _document()
    signed = signing.sign_pdf(data)
    assert signed.startswith(data)  # an incremental update: the document's own bytes are unchanged
    check = signing.verify_pdf(signed)
    assert check.ok
    assert (check.signed, check.intact, check.valid, check.trusted, check.whole_file) == (True,) * 5
    assert check.signer == signing.DEMO_SIGNER_NAME
    assert check.signed_at is not None
    assert check.signed_at.date() >= date(2026, 1, 1)


def test_the_signature_is_pades_with_the_reason(signer):
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed = signing.sign_pdf(_document(), reason="测试签发")
    signature = PdfFileReader(BytesIO(signed)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "测试签发"
    assert signature.field_name == signing.FIELD_NAME


@pytest.mark.parametrize("where", ["page content", "document info"])
def test_altering_one_byte_of_the_signed_content_breaks_the_signature(signer, where):
    signed = signing.sign_pdf(_document())
    # a byte inside the first page's compressed stream, or a letter of the producer's name in the info dictionary
    at = signed.index(b"stream") + 40 if where == "page content" else signed.index(b"/Producer (") + 12
    altered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:]
    assert altered != signed
    assert len(altered) == len(signed)
    check = signing.verify_pdf(altered)
    assert check.signed
    assert not check.intact
    assert not check.ok


def test_a_document_signed_by_another_ca_is_intact_but_not_trusted(signer, tmp_path):
    other = signing.ensure_demo_signer(tmp_path / "other")
    with override_settings(SIGNING_KEY_FILE=other.key, SIGNING_CERT_FILE=other.cert, SIGNING_CA_FILE=other.ca):
        signed = signing.sign_pdf(_document())
    check = signing.verify_pdf(signed)  # against the fixture's CA again
    assert check.intact
    assert check.valid
    assert not check.trusted
    assert not check.ok


def test_an_unsigned_or_damaged_pdf_is_an_answer_not_an_error():
    assert signing.verify_pdf(_document()) == signing.SignatureCheck(signed=False, problem="no signature")
    assert not signing.verify_pdf(b"not a pdf").signed


def test_appending_after_the_signature_is_not_the_whole_file(signer):
    signed = signing.sign_pdf(_document())
    check = signing.verify_pdf(signed + b"\n% appended\n")
    assert not check.ok


def test_the_demo_signer_keeps_its_key_private_and_is_made_once(tmp_path):
    files = signing.ensure_demo_signer(tmp_path / "signing")
    assert files.key.stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in files.key.read_bytes()
    assert not list((tmp_path / "signing").glob("ca.key"))  # the CA's key is not kept
    certificate = files.cert.read_bytes()
    assert signing.ensure_demo_signer(tmp_path / "signing") == files
    assert files.cert.read_bytes() == certificate  # not made again


def test_an_encrypted_key_is_read_with_the_passphrase(tmp_path):
    directory = tmp_path / "signing"
    names = {"SIGNING_DIR": directory, "SIGNING_KEY_FILE": directory / "signer.key",
             "SIGNING_CERT_FILE": directory / "signer.crt", "SIGNING_CA_FILE": directory / "ca.crt"}
    with override_settings(**names, SIGNING_KEY_PASSPHRASE="geheim-2026"):
        signing.ensure_demo_signer(directory)
        assert b"ENCRYPTED PRIVATE KEY" in (directory / "signer.key").read_bytes()
        assert signing.verify_pdf(signing.sign_pdf(_document())).ok
    with override_settings(**names, SIGNING_KEY_PASSPHRASE="wrong"):
        assert not signing.signing_available()
        with pytest.raises(signing.SigningUnavailable):
            signing.sign_pdf(_document())


def test_production_without_a_signer_fails_loudly(tmp_path):
    missing = tmp_path / "none"
    with override_settings(PRODUCTION=True, SIGNING_DIR=missing, SIGNING_KEY_FILE=missing / "signer.key",
                           SIGNING_CERT_FILE=missing / "signer.crt", SIGNING_CA_FILE=missing / "ca.crt"):
        assert not signing.signing_available()
        with pytest.raises(ImproperlyConfigured, match="WRP_SIGNING_KEY_FILE"):
            signing.sign_pdf(_document())
    assert not missing.exists()  # nothing was made in production


def test_development_makes_the_demo_signer_at_the_default_place(tmp_path):
    directory = tmp_path / "signing"
    with override_settings(PRODUCTION=False, SIGNING_DIR=directory, SIGNING_KEY_FILE=directory / "signer.key",
                           SIGNING_CERT_FILE=directory / "signer.crt", SIGNING_CA_FILE=directory / "ca.crt"):
        assert signing.signing_available()
        assert signing.verify_pdf(signing.sign_pdf(_document())).ok
    assert (directory / "signer.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils' pdfsig not installed")
def test_poppler_sees_a_valid_signature_over_the_whole_document(signer, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(signing.sign_pdf(_document()))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60,
                         env={k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}).stdout
    assert "Signature is Valid" in out
    assert "Total document signed" in out
    assert "ETSI.CAdES.detached" in out


def test_signing_timing_is_reasonable(signer):
    """Not a benchmark: a document signs in well under two seconds on the CI machine (measured ~130 ms)."""
    import time

    data = _document()
    signing.sign_pdf(data)  # warm: imports, key loaded once
    started = time.perf_counter()
    signing.sign_pdf(data)
    assert time.perf_counter() - started < 2.0
