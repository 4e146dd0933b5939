"""The upload attack corpus through the sandboxed worker: each file refused (or sanitised) within the limits, with
its CPU time and peak memory written to test-output/upload-corpus.txt for the closing note."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.documents import attack_corpus
from wrp.core.errors import FileRefused
from wrp.documents import pdfcheck
from wrp.documents.pdfcheck import inspect_and_sanitise

REPORT = Path(__file__).resolve().parents[2] / "test-output" / "upload-corpus.txt"
EXPECTED = {
    "heavy_content_streams": ("damaged", "too_complex"),
    "nested_flate_bomb_300mb": ("damaged", "too_complex"),
    "flate_bomb_300mb": ("damaged", "too_complex"),
    "pages_10000": ("too_many_pages", "too_many_pages"),
    "encrypted": ("encrypted", "encrypted"),
    "encrypted_owner_only": ("encrypted", "encrypted"),
    "active_content": None,  # accepted, its active content removed
}
PEAK_LIMIT_KIB = 256 * 1024  # well under the worker's 1 GiB address space: the caps stop a bomb, not the kernel


def test_every_file_of_the_attack_corpus_is_refused_or_sanitised_within_the_limits():
    lines = [f"{'file':28} {'bytes':>9} {'verdict':28} {'wall s':>7} {'cpu s':>6} {'peak MiB':>8}"]
    for name, build in attack_corpus.CORPUS.items():
        data = build()
        started = time.monotonic()
        header, body = pdfcheck._run_worker(data)
        wall = time.monotonic() - started
        expected = EXPECTED[name]
        if expected is None:
            assert header["ok"], name
            assert body.startswith(b"%PDF-"), name
            verdict = f"sanitised ({len(header['removed'])} removed)"
        else:
            assert (header.get("reason"), header.get("code")) == expected, (name, header)
            verdict = f"{header['reason']}/{header['code']}"
        assert header["seconds"] < pdfcheck.CPU_S / 2, (name, header["seconds"])
        assert header["peak_kib"] < PEAK_LIMIT_KIB, (name, header["peak_kib"])
        lines.append(f"{name:28} {len(data):>9} {verdict:28} {wall:>7.2f} {header['seconds']:>6.2f} "
                     f"{header['peak_kib'] / 1024:>8.1f}")
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))


@pytest.mark.parametrize("name", ["heavy_content_streams"])
def test_a_file_past_the_caps_is_refused_as_too_complex_in_words(name):
    with pytest.raises(FileRefused) as refused:
        inspect_and_sanitise(attack_corpus.CORPUS[name]())
    assert (refused.value.reason, refused.value.code) == ("damaged", "too_complex")
    assert "过于复杂" in str(refused.value.message)
