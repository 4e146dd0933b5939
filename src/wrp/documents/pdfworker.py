"""The PDF inspector that runs in a process of its own: it parses an untrusted upload and strips its active content.

It is started by `wrp.documents.pdfcheck` as `python -I -m wrp.documents.pdfworker --max-pages N --memory BYTES
--cpu SECONDS`, reads the upload on stdin, and answers on stdout with one line of JSON, followed, when the file is
accepted, by the sanitised PDF:

    {"ok": true, "pages": 3, "removed": ["document /OpenAction (JavaScript)", ...]}\n%PDF-...
    {"ok": false, "reason": "encrypted", "detail": "..."}\n

Started with `--scan-checks THRESHOLDS` (JSON of `wrp.documents.scanchecks.Thresholds`) instead of `--max-pages`, it
reads a PDF it sanitised before and answers with the scan pre-checks of `wrp.documents.scanchecks`, one line:

    {"ok": true, "warnings": [{"code": "blank_page", "pages": [2]}], "greyscale_pages": [1], ...}\n

The sanitised output is deterministic (its /ID is derived from the content), so the same upload always gives the same
bytes and SHA-256: that is how a file uploaded twice for two materials is recognised.

Besides the operating system's limits (address space, CPU seconds, a lower priority), it refuses as `damaged` with the
detail `too_complex: …` a file whose streams inflate past `--max-stream-bytes` each or `--max-decoded-bytes` in all
(counted while inflating, so a Flate bomb is stopped at the cap, not after filling memory), or whose pages hold more
than `--max-operators` content-stream operators in all (counted by a cheap scan before the pages are parsed). Every
answer carries the worker's own `seconds` (CPU) and `peak_kib` (resident memory), for the logs and the attack corpus.

It imports no Django and sets its own memory and CPU limits before it imports pikepdf or reads a byte, so a file
crafted to exhaust the parser kills this process and nothing else. Setting the limits here rather than in the parent's
`preexec_fn` keeps the parent safe in threaded servers, where `preexec_fn` can deadlock (see the `subprocess` docs).
Anything that goes wrong without a JSON answer (a crash, a limit hit) the parent reads as a damaged file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO

from wrp.documents.pdflimits import (
    MAX_DECODED_BYTES,
    MAX_OPERATORS,
    MAX_STREAM_BYTES,
    Limits,
    Refusal,
    check_decoded_size,
    check_operators,
)

# Actions a reader may follow without running anything or opening anything but a web page or a place in the file.
SAFE_ACTIONS = frozenset({"/GoTo", "/URI", "/Named", "/Thread"})
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
# Annotations that carry files, media or scripts rather than marks on the page: removed whole.
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
# Name trees of the catalog that hold scripts, attached files or media.
ACTIVE_NAME_TREES = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations", "/Renditions")
# Acrobat requires %%EOF within the last 1024 bytes; a file without it was cut short in transit.
EOF_WINDOW = 1024
NICENESS = 10  # the web and the other workers come first


def apply_limits(*, memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


def inspect(data: bytes, *, max_pages: int, limits: Limits | None = None) -> tuple[int, list[str], bytes]:
    """Open, check and sanitise one upload: (pages, what was removed, the sanitised PDF), or raise Refusal."""
    import pikepdf

    limits = limits or Limits()

    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise Refusal("damaged", "no %%EOF marker at the end: the file is truncated")
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as error:
        raise Refusal("encrypted", "a password is needed to open the file") from error
    except Exception as error:
        raise Refusal("damaged", f"cannot be parsed: {error}") from error
    with pdf:
        if pdf.is_encrypted:
            raise Refusal("encrypted", "the file is encrypted (owner password or permissions)")
        pages = _page_count(pdf)
        if pages > max_pages:
            raise Refusal("too_many_pages", f"{pages} pages")
        if pages == 0:
            raise Refusal("damaged", "the file has no pages")
        check_decoded_size(pdf, limits)
        check_operators(pdf, limits)
        _check_pages(pdf)
        try:
            removed = strip_active_content(pdf)
        except Exception as error:  # a structure too broken to walk cannot be vouched for
            raise Refusal("damaged", f"cannot be sanitised: {error}") from error
        output = io.BytesIO()
        try:
            pdf.save(output, linearize=False, deterministic_id=True)
        except Exception as error:
            raise Refusal("damaged", f"cannot be written back: {error}") from error
    sanitised = output.getvalue()
    try:
        with pikepdf.open(io.BytesIO(sanitised)) as check:
            same = len(check.pages) == pages and len(check.attachments) == 0 and not check.is_encrypted
    except Exception as error:
        raise Refusal("damaged", f"the sanitised file cannot be read back: {error}") from error
    if not same:
        raise Refusal("damaged", "the sanitised file does not read back the same")
    return pages, _summarise(removed), sanitised


def _page_count(pdf: Any) -> int:
    try:
        return len(pdf.pages)
    except Exception as error:
        raise Refusal("damaged", f"the page tree is broken: {error}") from error


def _check_pages(pdf: Any) -> None:
    import pikepdf

    for number, page in enumerate(pdf.pages, start=1):
        try:
            if page.obj.get("/Type") != pikepdf.Name.Page:
                raise Refusal("damaged", f"page {number} is not a page object")
            pikepdf.parse_content_stream(page)
        except Refusal:
            raise
        except Exception as error:
            raise Refusal("damaged", f"page {number} cannot be read: {error}") from error


def strip_active_content(pdf: Any) -> list[str]:
    """Remove what a reader could run or open: actions, scripts, attached files, media. Returns what went, by place.

    Steps: the catalog's own actions, name trees, XFA forms and portfolio; each page's active annotations and links
    whose action is not safe; then every object reachable from the trailer loses its additional actions (/AA), its
    unsafe /A, any /JS, associated files (/AF) and embedded file streams (/EF). Objects no longer referenced (an
    attached file's stream) are not written by qpdf.
    """
    removed: list[str] = []
    removed += _strip_catalog(pdf.Root)
    page_numbers = {page.obj.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    for number, page in enumerate(pdf.pages, start=1):
        removed += _strip_annotations(page.obj, number)
    for obj in _reachable(pdf.trailer):
        removed += _strip_actions(obj, _describe(obj, pdf.Root, page_numbers))
    return removed


def _strip_catalog(root: Any) -> list[str]:
    removed = []
    if "/OpenAction" in root:
        removed.append(f"document /OpenAction{_action_kind(root.OpenAction)}")
        del root["/OpenAction"]
    names = root.get("/Names")
    if names is not None:
        for tree in ACTIVE_NAME_TREES:
            if tree in names:
                del names[tree]
                removed.append(f"document /Names{tree}")
    form = root.get("/AcroForm")
    if form is not None and "/XFA" in form:
        del form["/XFA"]
        removed.append("document /AcroForm/XFA")
    if "/Collection" in root:
        del root["/Collection"]
        removed.append("document /Collection (portfolio)")
    return removed


def _strip_annotations(page: Any, number: int) -> list[str]:
    import pikepdf

    annotations = page.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return []
    kept, removed = [], []
    for annotation in annotations:
        subtype = str(annotation.get("/Subtype", "")) if isinstance(annotation, pikepdf.Dictionary) else ""
        if subtype in ACTIVE_ANNOTATIONS:
            removed.append(f"page {number} {subtype} annotation")
        elif subtype == "/Link" and "/A" in annotation and not _action_is_safe(annotation.A):
            removed.append(f"page {number} /Link annotation{_action_kind(annotation.A)}")
        else:
            kept.append(annotation)
    if removed:
        page.Annots = pikepdf.Array(kept)
    return removed


def _strip_actions(obj: Any, place: str) -> list[str]:
    removed = []
    if "/AA" in obj:
        del obj["/AA"]
        removed.append(f"{place} /AA")
    if "/OpenAction" in obj:
        del obj["/OpenAction"]
        removed.append(f"{place} /OpenAction")
    if "/A" in obj and not _action_is_safe(obj.A):
        removed.append(f"{place} /A{_action_kind(obj.A)}")
        del obj["/A"]
    if "/JS" in obj:
        del obj["/JS"]
        removed.append(f"{place} /JS")
    if "/AF" in obj:  # PDF 2.0 associated files: attachments hung on any object
        del obj["/AF"]
        removed.append(f"{place} /AF (associated files)")
    if "/EF" in obj:  # a file specification's embedded file streams, wherever the specification is referenced
        del obj["/EF"]
        removed.append(f"{place} /EF (embedded file)")
    return removed


def _action_is_safe(action: Any, seen: set[tuple[int, int]] | None = None) -> bool:
    """An action is safe if it and every action chained after it by /Next is of a safe kind."""
    import pikepdf

    seen = set() if seen is None else seen
    if not isinstance(action, pikepdf.Dictionary):
        return False
    if action.is_indirect:
        if action.objgen in seen:
            return True
        seen.add(action.objgen)
    kind = str(action.get("/S", ""))
    if kind not in SAFE_ACTIONS:
        return False
    if kind == "/URI" and not str(action.get("/URI", "")).lower().startswith(SAFE_URI_SCHEMES):
        return False
    following = action.get("/Next")
    if following is None:
        return True
    chain = list(following) if isinstance(following, pikepdf.Array) else [following]
    return all(_action_is_safe(item, seen) for item in chain)


def _action_kind(action: Any) -> str:
    """The kinds along an action chain, for the report: " (URI → JavaScript)"."""
    import pikepdf

    kinds: list[str] = []
    while isinstance(action, pikepdf.Dictionary) and "/S" in action and len(kinds) < 5:
        kinds.append(str(action.S).lstrip("/"))
        action = action.get("/Next")
        if isinstance(action, pikepdf.Array):
            action = action[0] if len(action) else None
    return f" ({' → '.join(kinds)})" if kinds else ""


def _reachable(start: Any) -> Iterator[Any]:
    """Every dictionary and stream reachable from `start`, each indirect object once (the graph has cycles)."""
    import pikepdf

    containers = (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)
    stack, seen = [start], set()
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            yield obj  # the caller strips keys first, so what it removed is not walked
            children = [obj[key] for key in list(obj.keys())]
        stack.extend(child for child in children if isinstance(child, containers))


def _describe(obj: Any, root: Any, page_numbers: dict[tuple[int, int], int]) -> str:
    if obj.is_indirect and obj.objgen == root.objgen:
        return "document"
    if obj.is_indirect and obj.objgen in page_numbers:
        return f"page {page_numbers[obj.objgen]}"
    kind = obj.get("/Subtype")
    if kind is not None and "/Rect" in obj:
        return f"{str(kind).lstrip('/')} annotation"
    if kind is None:
        kind = obj.get("/Type")
    if kind is None and "/Title" in obj and ("/Parent" in obj or "/First" in obj):
        return "outline item"
    if kind is None and "/FT" in obj:
        return "form field"
    return f"{str(kind).lstrip('/')} object" if kind is not None else "object"


def _summarise(removed: list[str]) -> list[str]:
    counts = Counter(removed)
    return [item if counts[item] == 1 else f"{item} ×{counts[item]}" for item in dict.fromkeys(removed)]


def answer(out: BinaryIO, header: dict[str, Any], body: bytes = b"") -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    header = {**header, "seconds": round(usage.ru_utime + usage.ru_stime, 3), "peak_kib": peak_memory_kib()}
    out.write(json.dumps(header).encode() + b"\n" + body)
    out.flush()


def peak_memory_kib() -> int:
    """This process's peak resident memory: VmHWM (ru_maxrss would carry over the parent's peak across exec)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wrp.documents.pdfworker")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--max-pages", type=int)
    mode.add_argument("--scan-checks", metavar="THRESHOLDS")
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--max-stream-bytes", type=int, default=MAX_STREAM_BYTES)
    parser.add_argument("--max-decoded-bytes", type=int, default=MAX_DECODED_BYTES)
    parser.add_argument("--max-operators", type=int, default=MAX_OPERATORS)
    args = parser.parse_args(argv)
    apply_limits(memory=args.memory, cpu=args.cpu)
    # Our answer goes to a private copy of stdout; fd 1 now points at stderr, so nothing the C library prints can
    # slip into the PDF we send back.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    data = sys.stdin.buffer.read()
    if args.scan_checks is not None:
        return scan_checks(out, data, args.scan_checks)
    try:
        limits = Limits(stream_bytes=args.max_stream_bytes, decoded_bytes=args.max_decoded_bytes,
                        operators=args.max_operators)
        pages, removed, sanitised = inspect(data, max_pages=args.max_pages, limits=limits)
    except Refusal as refusal:
        answer(out, {"ok": False, "reason": refusal.reason, "code": refusal.code, "detail": refusal.detail[:500]})
        return 0
    answer(out, {"ok": True, "pages": pages, "removed": removed}, sanitised)
    return 0


def scan_checks(out: BinaryIO, data: bytes, thresholds: str) -> int:
    """Answer the scan pre-checks of an already sanitised PDF; a check that cannot run at all answers ok: false."""
    from wrp.documents.scanchecks import Thresholds, scan_report

    try:
        report = scan_report(data, Thresholds(**json.loads(thresholds)))
    except Exception as error:
        answer(out, {"ok": False, "detail": f"{type(error).__name__}: {error}"[:500]})
        return 0
    answer(out, {"ok": True, **report.as_json()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
