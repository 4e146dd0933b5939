"""inspect_and_sanitise: what is refused and why, and what the worker strips from what it accepts."""

import hashlib
import io
import re
import subprocess
import sys

import pikepdf
import pytest
from django.utils import translation

from tests.documents import pdfs
from wrp.core.errors import FileRefused
from wrp.documents import pdfcheck
from wrp.documents.pdfcheck import MAX_BYTES, MESSAGES, inspect_and_sanitise


def refusal_of(data: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        inspect_and_sanitise(data)
    return refused.value


@pytest.fixture
def worker_must_not_run(monkeypatch):
    def run(*args, **kwargs):
        raise AssertionError("the file was handed to the parser")

    monkeypatch.setattr(pdfcheck.subprocess, "run", run)


def test_two_hundred_pages_are_accepted():
    assert inspect_and_sanitise(pdfs.plain_pdf(200)).pages == 200


def test_a_png_renamed_to_pdf_is_not_a_pdf(worker_must_not_run):
    assert refusal_of(pdfs.png_named_pdf()).reason == "not_pdf"


def test_a_file_one_byte_over_20_mb_is_too_large_without_being_parsed(worker_must_not_run):
    oversized = b"%PDF-1.7\n" + bytes(MAX_BYTES + 1 - 9)
    assert len(oversized) == 20 * 1024 * 1024 + 1
    assert refusal_of(oversized).reason == "too_large"


@pytest.mark.parametrize(("junk", "accepted"), [(1019, True), (1020, False)], ids=["marker-ends-at-1024", "marker-past-1024"])
def test_the_pdf_marker_must_lie_within_the_first_1024_bytes(junk, accepted):
    data = b" " * junk + pdfs.plain_pdf()
    if accepted:
        assert inspect_and_sanitise(data).pages == 1
    else:
        assert refusal_of(data).reason == "not_pdf"


def test_every_refusal_message_is_in_chinese_and_english():
    for message in MESSAGES.values():
        with translation.override("zh-hans"):
            chinese = str(message)
        with translation.override("en"):
            english = str(message)
        assert re.search(r"[\u4e00-\u9fff]", chinese)
        assert re.fullmatch(r"[\x20-\x7e]+", english)


def test_a_plain_pdf_comes_back_whole_with_the_sha256_of_what_is_returned():
    sanitised = inspect_and_sanitise(pdfs.plain_pdf(3))
    assert sanitised.pages == 3
    assert sanitised.removed == []
    with pikepdf.open(io.BytesIO(sanitised.pdf)) as pdf:
        assert pdf.pages[2].Contents.read_bytes() == pdfs.PAGE_DRAWING
    assert sanitised.sha256 == hashlib.sha256(sanitised.pdf).hexdigest()


def test_active_content_is_reported_as_removed():
    removed = inspect_and_sanitise(pdfs.pdf_with_active_content()).removed
    assert set(removed) >= {
        "document /OpenAction (JavaScript)",
        "document /AA",
        "document /Names/JavaScript",
        "document /Names/EmbeddedFiles",
        "page 1 /AA",
        "page 1 /Link annotation (Launch)",
        "page 1 /Link annotation (URI → JavaScript)",
        "page 1 /FileAttachment annotation",
        "outline item /A (JavaScript)",
        "document /AcroForm/XFA",
        "Widget annotation /AA",
        "Widget annotation /A (SubmitForm)",
    }


def test_a_worker_that_takes_too_long_is_stopped_and_the_file_called_damaged(monkeypatch):
    monkeypatch.setattr(pdfcheck, "WORKER_COMMAND", (sys.executable, "-c", "import time; time.sleep(60)"))
    monkeypatch.setattr(pdfcheck, "TIMEOUT_S", 0.5)
    refused = refusal_of(pdfs.plain_pdf())
    assert refused.reason == "damaged"
    assert "限定的时间和内存内读取" in str(refused)


def test_a_decompression_bomb_is_stopped_by_the_memory_limit_and_called_damaged(monkeypatch):
    monkeypatch.setattr(pdfcheck, "MEMORY_BYTES", 128 * 1024 * 1024)
    refused = refusal_of(pdfs.decompression_bomb_pdf(megabytes=200))
    assert refused.reason == "damaged"


def test_the_memory_limit_applies_to_the_worker_itself(monkeypatch, caplog):
    monkeypatch.setattr(pdfcheck, "MEMORY_BYTES", 16 * 1024 * 1024)  # too little even to load pikepdf
    assert refusal_of(pdfs.plain_pdf()).reason == "damaged"
    assert "failed to import" in caplog.text


@pytest.mark.parametrize(
    "script",
    ["import os; os.abort()", "print('not json')", "print('{\"ok\": true, \"pages\": 1}')",
     "print('{\"ok\": false, \"reason\": \"nonsense\"}')"],
    ids=["crash", "not-json", "no-pdf-after-the-answer", "unknown-reason"],
)
def test_a_worker_that_fails_has_the_file_called_damaged_never_an_error(monkeypatch, script):
    monkeypatch.setattr(pdfcheck, "WORKER_COMMAND", (sys.executable, "-c", script))
    assert refusal_of(pdfs.plain_pdf()).reason == "damaged"


def test_the_worker_gets_none_of_the_servers_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY_FOR_TEST", "do-not-leak")
    seen = {}
    real_run = subprocess.run

    def spy(command, **kwargs):
        seen.update(kwargs["env"])
        return real_run(command, **kwargs)

    monkeypatch.setattr(pdfcheck.subprocess, "run", spy)
    inspect_and_sanitise(pdfs.plain_pdf())
    assert "SECRET_KEY_FOR_TEST" not in seen
