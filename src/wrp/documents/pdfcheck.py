"""Checking an upload by its content and sanitising it, before anything is stored.

A material is accepted only if it is a real PDF (by its bytes, not its name or declared type), at most `MAX_BYTES`
and `MAX_PAGES`, not encrypted and not damaged. The cheap checks (size, then the `%PDF-` marker) run here; the file is
parsed only in `wrp.documents.pdfworker`, a separate process at a lower priority with `MEMORY_BYTES` of address
space, `CPU_S` of CPU and `TIMEOUT_S` of time, and caps on inflated bytes (`MAX_STREAM_BYTES` a stream,
`MAX_DECODED_BYTES` in all) and content-stream operators (`MAX_OPERATORS`), which also strips active content (scripts,
actions that launch or submit, attached files). A worker that crashes, runs out of memory or time refuses the file as
damaged, one past a cap as damaged with the code `too_complex`: a hostile PDF costs one process for seconds, never the
server. Uploads reach this in the task queue's worker (`wrp.documents.uploads`), never in a web request.

An accepted file then goes through the scan pre-checks (`wrp.documents.scanchecks`: blank, rotated, low-resolution
and grey pages, and the pages not checked) in a second worker process, with the thresholds of the SCAN_* settings.
They only warn: a check that fails, crashes or runs out of time is logged and the file is accepted without its
warnings. `wrp.documents.scanwords.warning_sentence` puts a warning into words for the pages and the API.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.core.errors import FileRefused, Message
from wrp.documents.scanchecks import WARNING_ORDER, Thresholds

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_PAGES = 200
CPU_S = 10  # well under any web timeout (gunicorn --timeout 60, scripts/run.sh), should the check run inline
TIMEOUT_S = 20.0  # wall time: CPU_S of work at a lower priority on a busy machine
MEMORY_BYTES = 1024 * 1024 * 1024
MAX_STREAM_BYTES = 64 * 1024 * 1024
MAX_DECODED_BYTES = 256 * 1024 * 1024
MAX_OPERATORS = 500_000
HEADER_WINDOW = 1024  # PDF readers look for %PDF- within the first 1024 bytes
WORKER_COMMAND = (sys.executable, "-I", "-m", "wrp.documents.pdfworker")
SCAN_TIMEOUT_S = 20.0  # the worker stops rendering after Thresholds.time_budget_s and answers with what it found

MESSAGES: dict[str, Message] = {
    "not_pdf": _("文件不是 PDF 格式（按文件内容判断，修改扩展名无效），请上传 PDF 文件。"),
    "too_large": format_lazy(_("文件超过 {megabytes} MB，请压缩或拆分后重新上传。"), megabytes=MAX_BYTES // (1024 * 1024)),
    "too_many_pages": format_lazy(_("文件超过 {pages} 页，请拆分后重新上传。"), pages=MAX_PAGES),
    "encrypted": _("文件已加密或设有密码、权限限制，请去除后重新上传。"),
    "damaged": _("文件已损坏，无法读取，请重新生成或扫描后上传。"),
}
MESSAGE_UNREADABLE = _("文件无法在限定的时间和内存内读取，可能已损坏，请重新生成或扫描后上传。")
MESSAGE_TOO_COMPLEX = _("文件过于复杂（解压后内容过大或绘图指令过多），无法检查。请重新扫描或另存为普通 PDF 后上传。")


@dataclass(frozen=True)
class Sanitised:
    """An accepted upload: the PDF to store (active content removed), its pages and SHA-256, what was removed, and the
    scan pre-checks' findings: `warnings` as the API shows them, and the grey pages (`not_colour` for the materials
    the guide wants in colour: the caller knows which material it is)."""

    pdf: bytes
    pages: int
    sha256: str
    removed: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    greyscale_pages: list[int] = field(default_factory=list)


def refuse(reason: str, message: Message | None = None) -> FileRefused:
    return FileRefused(reason, message or MESSAGES[reason], code=reason)


def inspect_and_sanitise(data: bytes) -> Sanitised:
    """Accept `data` as a PDF material and return its sanitised form, or raise FileRefused saying why.

    Steps: size (without parsing) → `too_large`; the `%PDF-` marker in the first 1024 bytes → `not_pdf`; then the
    worker process parses it (`encrypted`, `damaged`, `too_many_pages`) and strips active content; then a second
    worker runs the scan pre-checks on the sanitised PDF (warnings only, never a refusal).
    """
    if len(data) > MAX_BYTES:
        raise refuse("too_large")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise refuse("not_pdf")
    header, body = _run_worker(data)
    if not header.get("ok"):
        reason = header.get("reason")
        logger.info("upload refused as %s: %s", reason, str(header.get("detail", ""))[:500])
        if reason not in FileRefused.REASONS:
            logger.error("PDF worker answered an unknown reason %r", reason)
            raise refuse("damaged", MESSAGE_UNREADABLE)
        if header.get("code") == "too_complex":
            raise FileRefused("damaged", MESSAGE_TOO_COMPLEX, code="too_complex")
        raise refuse(reason)
    pages = header.get("pages")
    if not isinstance(pages, int) or not 0 < pages <= MAX_PAGES or not body.startswith(b"%PDF-"):
        logger.error("PDF worker answered an unusable result: %r", header)
        raise refuse("damaged", MESSAGE_UNREADABLE)
    warnings, greyscale_pages = scan_check(body, pages=pages)
    return Sanitised(
        pdf=body,
        pages=pages,
        sha256=hashlib.sha256(body).hexdigest(),
        removed=[str(item) for item in header.get("removed", [])],
        warnings=warnings,
        greyscale_pages=greyscale_pages,
    )


def scan_thresholds() -> Thresholds:
    """The scan pre-checks' thresholds, from the SCAN_* settings."""
    return Thresholds(
        min_dpi=settings.SCAN_MIN_DPI,
        blank_max_ink_per_10000=settings.SCAN_BLANK_MAX_INK_PER_10000,
        ink_distance=settings.SCAN_INK_DISTANCE,
        colour_min_chroma=settings.SCAN_COLOUR_MIN_CHROMA,
        colour_min_per_10000=settings.SCAN_COLOUR_MIN_PER_10000,
        max_rendered_pages=settings.SCAN_MAX_RENDERED_PAGES,
    )


def scan_check(pdf: bytes, *, pages: int) -> tuple[list[dict[str, Any]], list[int]]:
    """The scan pre-checks of a sanitised PDF of `pages` pages: (warnings, grey pages). Never raises: whatever goes
    wrong (the worker crashes, times out, answers nonsense) is logged and gives no warnings."""
    try:
        answer = _run_scan_worker(pdf, pages=pages)
        if answer is None:
            return [], []
        if answer.get("failures"):
            logger.info("scan pre-checks partly failed: %s", "; ".join(map(str, answer["failures"]))[:2000])
        logger.info("scan pre-checks of %d pages took %s s", pages, answer.get("seconds"))
        return _scan_warnings(answer.get("warnings"), pages), _page_numbers(answer.get("greyscale_pages"), pages)
    except ValueError as error:
        logger.error("scan pre-checks answered an unusable result: %s: no warnings", str(error)[:500])
    except Exception:
        logger.exception("scan pre-checks could not run: no warnings")
    return [], []


def _run_scan_worker(pdf: bytes, *, pages: int) -> dict[str, Any] | None:
    """The worker's answer to the scan pre-checks, or None (logged) when it has none to give."""
    command = [
        *WORKER_COMMAND,
        "--scan-checks", json.dumps(asdict(scan_thresholds())),
        "--memory", str(MEMORY_BYTES),
        "--cpu", str(CPU_S),
    ]
    try:
        completed = subprocess.run(
            command, input=pdf, capture_output=True, timeout=SCAN_TIMEOUT_S, env={"LC_ALL": "C.UTF-8"}, check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("scan pre-checks timed out after %s s on a %d-page PDF: no warnings", SCAN_TIMEOUT_S, pages)
        return None
    try:
        answer = json.loads(completed.stdout.partition(b"\n")[0]) if completed.returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not answer.get("ok"):
        detail = answer.get("detail") if isinstance(answer, dict) else completed.stderr[-2000:].decode(errors="replace")
        logger.warning(
            "scan pre-checks failed (exit %s) on a %d-page PDF: %s: no warnings", completed.returncode, pages, detail
        )
        return None
    return answer


def _scan_warnings(items: Any, pages: int) -> list[dict[str, Any]]:
    """The worker's warnings, checked: known codes, each once, in the contract's order, with valid page numbers (and
    `rotated` with the subset of its pages that are upside down)."""
    if not isinstance(items, list):
        raise ValueError("warnings is not a list")
    by_code: dict[str, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict) or item.get("code") not in WARNING_ORDER or item["code"] in by_code:
            raise ValueError(f"bad warning {item!r}")
        warning: dict[str, Any] = {"code": item["code"], "pages": _page_numbers(item.get("pages"), pages)}
        if item["code"] == "rotated" and item.get("upside_down"):
            turned = _page_numbers(item["upside_down"], pages)
            if not set(turned) <= set(warning["pages"]):
                raise ValueError(f"bad warning {item!r}")
            warning["upside_down"] = turned
        by_code[item["code"]] = warning
    return [by_code[code] for code in WARNING_ORDER if code in by_code and by_code[code]["pages"]]


def _page_numbers(numbers: Any, pages: int) -> list[int]:
    if not isinstance(numbers, list) or not all(type(n) is int and 1 <= n <= pages for n in numbers):
        raise ValueError(f"bad page numbers {numbers!r}")
    return sorted(set(numbers))


def _run_worker(data: bytes) -> tuple[dict, bytes]:
    """Parse `data` in the worker process: its JSON answer and the sanitised PDF that follows it."""
    command = [
        *WORKER_COMMAND,
        "--max-pages", str(MAX_PAGES),
        "--memory", str(MEMORY_BYTES),
        "--cpu", str(CPU_S),
        "--max-stream-bytes", str(MAX_STREAM_BYTES),
        "--max-decoded-bytes", str(MAX_DECODED_BYTES),
        "--max-operators", str(MAX_OPERATORS),
    ]
    try:
        completed = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=TIMEOUT_S,
            env={"LC_ALL": "C.UTF-8"},  # nothing of the server's environment (keys, database URL) reaches it
            check=False,
        )
    except subprocess.TimeoutExpired:
        logger.warning("PDF worker timed out after %s s on a %d-byte upload", TIMEOUT_S, len(data))
        raise refuse("damaged", MESSAGE_UNREADABLE) from None
    stdout = completed.stdout
    line, _newline, body = stdout.partition(b"\n")
    try:
        header = json.loads(line) if completed.returncode == 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict):
        logger.warning(
            "PDF worker failed (exit %s) on a %d-byte upload: %s",
            completed.returncode, len(data), completed.stderr[-2000:].decode(errors="replace"),
        )
        raise refuse("damaged", MESSAGE_UNREADABLE)
    logger.info("PDF worker took %s s CPU, %s KiB at most, on a %d-byte upload",
                header.get("seconds"), header.get("peak_kib"), len(data))
    return header, body
