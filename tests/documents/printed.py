"""What the printing and printout tests share: sample identifiers, where the rendered pages go, and reading a PDF's
text with poppler."""

import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
WHOLE_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
OWNER_ID = "110105196001010012"
CREDIT_CODE = "91110105MA01234567"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "documents"

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text with all white space removed (lines wrap anywhere in Chinese)."""
    source = tmp_path / "document.pdf"
    source.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, timeout=60)
    return "".join(out.stdout.decode("utf-8").split())
