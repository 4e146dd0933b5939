"""What one upload may cost the PDF worker (`wrp.documents.pdfworker`) besides time and memory: inflated bytes per
stream and in all, and content-stream operators. Both are counted cheaply, before the pages are parsed: streams are
inflated in chunks up to the cap (a Flate bomb stops at the cap, never fills memory) and operators are counted by a
word scan of the content streams. A file past a limit is refused as `damaged` with the detail `too_complex: …`.

Imports no Django: it runs inside the worker, after the worker has set its limits.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

# The limits on what a file may cost, when the parent does not say (it always does: wrp.documents.pdfcheck).
MAX_STREAM_BYTES = 64 * 1024 * 1024
MAX_DECODED_BYTES = 256 * 1024 * 1024
MAX_OPERATORS = 500_000
# Filters after which qpdf leaves the data as it is (image codecs): the decoded size stops being counted there.
IMAGE_FILTERS = frozenset({"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode", "/Crypt"})
INFLATE_CHUNK = 1024 * 1024
# An operator is a bare word of letters (and ' " *), not a number, a /Name or inside a string: counting these words
# over-counts a little (words inside strings), never under-counts, which is what a cap wants.
OPERATOR = re.compile(rb"(?<![A-Za-z0-9_/.#*'\"-])[A-Za-z'\"][A-Za-z0-9*'\"]*")


class Refusal(Exception):
    """A file the worker refuses: `reason` of the contract (cases-api.md), and a finer `code` (default: the reason)."""

    def __init__(self, reason: str, detail: str, *, code: str = "") -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.code = code or reason


class Limits:
    """What one file may cost besides time and memory: inflated bytes per stream and in all, and operators."""

    def __init__(self, *, stream_bytes: int = MAX_STREAM_BYTES, decoded_bytes: int = MAX_DECODED_BYTES,
                 operators: int = MAX_OPERATORS) -> None:
        self.stream_bytes, self.decoded_bytes, self.operators = stream_bytes, decoded_bytes, operators


def too_complex(detail: str) -> Refusal:
    return Refusal("damaged", f"too_complex: {detail}", code="too_complex")


def check_decoded_size(pdf: Any, limits: Limits) -> None:
    """Refuse a file whose streams inflate past the limits, counting as they inflate (never more than the cap held)."""
    import pikepdf

    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        size = _decoded_size(obj, limits.stream_bytes)
        if size > limits.stream_bytes:
            raise too_complex(f"a stream inflates past {limits.stream_bytes} bytes")
        total += size
        if total > limits.decoded_bytes:
            raise too_complex(f"the streams inflate past {limits.decoded_bytes} bytes in all")


def _decoded_size(stream: Any, cap: int) -> int:
    """The stream's size as qpdf would decode it, or cap + 1 once past `cap`. Flate (the bomb's filter, nested or
    not) is inflated here in chunks; ASCII filters only shrink; others (LZW, RunLength) are decoded by qpdf, within
    the address-space limit; image codecs end the count."""
    import pikepdf

    filters = stream.get("/Filter")
    chain = list(filters) if isinstance(filters, pikepdf.Array) else ([] if filters is None else [filters])
    names = [str(item) for item in chain]
    data = stream.read_raw_bytes()
    for index, name in enumerate(names):
        if name in IMAGE_FILTERS:
            break
        if name in ("/FlateDecode", "/Fl"):
            last = all(later in IMAGE_FILTERS for later in names[index + 1:])
            if last:  # count without keeping: the bomb's bytes are never held
                return _inflate(data, cap, keep=False)[1]
            data = _inflate(data, cap, keep=True)[0]
            if len(data) > cap:
                return cap + 1
        elif name in ("/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"):
            continue  # a little smaller than its input: the input's size is a bound
        else:
            try:
                return len(stream.read_bytes())
            except Exception:  # qpdf cannot decode it: it will not be decoded when saved either
                return len(data)
    return len(data)


def _inflate(data: bytes, cap: int, *, keep: bool) -> tuple[bytes, int]:
    """Inflate at most cap + 1 bytes of `data`: (the bytes if `keep`, how many). A damaged stream gives what could be
    inflated."""
    inflater = zlib.decompressobj()
    parts, size, pending = [], 0, data
    try:
        while pending and size <= cap:
            part = inflater.decompress(pending, min(INFLATE_CHUNK, cap + 1 - size))
            if keep:
                parts.append(part)
            size += len(part)
            pending = inflater.unconsumed_tail
            if not part and not pending:
                break
    except zlib.error:
        pass
    return b"".join(parts), size


def check_operators(pdf: Any, limits: Limits) -> None:
    """Refuse a file whose pages hold more content-stream operators than the limit, counted by a word scan of the
    decoded content streams (a full parse of millions of operators would itself take many seconds)."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    count = 0
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        for stream in streams:
            if not isinstance(stream, pikepdf.Stream) or (stream.is_indirect and stream.objgen in seen):
                continue
            if stream.is_indirect:
                seen.add(stream.objgen)
            try:
                data = stream.read_bytes()
            except Exception as error:
                raise Refusal("damaged", f"a content stream cannot be read: {error}") from error
            count += len(OPERATOR.findall(data))
            if count > limits.operators:
                raise too_complex(f"more than {limits.operators} content-stream operators")
