"""The upload attack corpus (issue 11): PDFs crafted to cost the checker time or memory, built in well under a second
each, for tests/documents/test_upload_attack_corpus.py and bench/uploads.py."""

from __future__ import annotations

import io
import zlib

import pikepdf

from tests.documents import pdfs

PATH_OPERATORS = b"0 0 m 612 792 l S\n"  # three operators: a line across the page


def heavy_content_streams(*, pages: int = 200, lines_per_page: int = 20_000) -> bytes:
    """A small file (Flate squeezes repetition) of pages full of path operators: millions of operators in all."""
    pdf = pikepdf.new()
    squeezed = zlib.compress(PATH_OPERATORS * lines_per_page, 9)
    for _ in range(pages):
        pdf.add_blank_page()
        pdf.pages[-1].obj.Contents = pdf.make_stream(squeezed, Filter=pikepdf.Name.FlateDecode)
    return pdfs.saved(pdf)


def nested_flate_bomb(*, megabytes: int = 300) -> bytes:
    """A content stream Flate-encoded twice: a few hundred kilobytes that inflate to `megabytes` of spaces."""
    inner = zlib.compressobj(1)
    chunk = b" " * (1024 * 1024)
    once = b"".join(inner.compress(chunk) for _ in range(megabytes)) + inner.flush()
    twice = zlib.compress(once, 9)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pikepdf.Stream(
        pdf, twice, Filter=pikepdf.Array([pikepdf.Name.FlateDecode, pikepdf.Name.FlateDecode])
    )
    return pdfs.saved(pdf)


def many_pages(pages: int = 10_000) -> bytes:
    """`pages` pages sharing one content stream, written directly (pikepdf takes seconds to add 10,000 pages)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(pages))
    objects.append(b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids))
    content = b"q Q"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>"
    objects.extend(page for _ in range(pages))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


CORPUS = {
    "heavy_content_streams": heavy_content_streams,
    "nested_flate_bomb_300mb": nested_flate_bomb,
    "flate_bomb_300mb": lambda: pdfs.decompression_bomb_pdf(megabytes=300),
    "pages_10000": many_pages,
    "encrypted": lambda: pdfs.encrypted_pdf(user_password="secret"),
    "encrypted_owner_only": lambda: pdfs.encrypted_pdf(user_password=""),
    "active_content": pdfs.pdf_with_active_content,
}
