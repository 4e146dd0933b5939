"""The layout every printed document shares: A4, the font, the paragraph styles, filled-in blanks, ruled grids,
signature blocks kept together with their date, the page furniture (footer and page number) and the issuer's name and
date with the seal area (印章).

One font, embedded, so a document prints and shows the same everywhere (poppler-based viewers, print shops) without any
font installed: Noto Serif SC Regular (SIL Open Font License 1.1), shipped in `fonts/` as a static TrueType file cut
down to Latin, punctuation, the CJK Unified Ideographs and Extension A (see fonts/README.md for source and licence).
reportlab embeds the subset of glyphs each document uses. Its Latin letters and digits are a serif that goes with the
Chinese, so `LATIN` names the same font; `text_runs` still cuts text into runs, for a Latin face of its own later.
Plain text from the records is escaped; `Markup` marks text made here, escaped already.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics import shapes as _shapes
from reportlab.lib import colors
from reportlab.lib import textsplit as _textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _paragraph
from reportlab.platypus import tables as _tables

from wrp.policy.office import OFFICE

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-Regular.ttf"
CJK = "NotoSerifSC"
LATIN = CJK  # the font's own Latin serif: every font of a document is embedded
if CJK not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(CJK, str(FONT_FILE)))
# A table cell's own font (for plain strings, even empty ones) and a drawing's initial font (the certificate's QR code)
# default to Helvetica, which is never embedded: make them this font, so no document names a font it does not carry.
_tables.CellStyle.fontname = CJK
_shapes.STATE_DEFAULTS["fontName"] = CJK
# reportlab's line breaker keeps 、 and 。 off the start of a line but not the full-width comma, semicolon, colon and
# the like (GB/T 15834): add them, so such a mark hangs at the end of the line instead.
for _module in (_textsplit, _paragraph):
    _module.ALL_CANNOT_START += "".join(ch for ch in "，；：！？）》」』】〉”’" if ch not in _module.ALL_CANNOT_START)

BLANK = "________"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 26 * mm, 28 * mm, 24 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
GREY = colors.HexColor("#505a5f")
PLATFORM = OFFICE.platform[0]
BUREAU = OFFICE.bureau[0]
INSTITUTION = OFFICE.institution[0]
_ASCII_RUN = re.compile(r"[\x21-\x7e\u00b7](?:[\x20-\x7e\u00b7]*[\x21-\x7e\u00b7])?")  # Latin, digits, middle dot


class Markup(str):
    """Paragraph markup made here (escaped already), as opposed to plain text from the records."""


def cn_date(value: date | None) -> str:
    """2026年11月26日; the blank to write by hand when there is no date."""
    return f"{value.year}年{value.month}月{value.day}日" if value else "______年____月____日"


def text_runs(text: str) -> list[tuple[str, str]]:
    """The text cut into runs of one font each: Latin letters, digits and their punctuation in `LATIN`."""
    runs, last = [], 0
    for match in _ASCII_RUN.finditer(text):
        runs += [(text[last:match.start()], CJK), (match.group(), LATIN)]
        last = match.end()
    return [(run, font) for run, font in [*runs, (text[last:], CJK)] if run]


def markup(text: str) -> Markup:
    """Plain text as paragraph markup: escaped, each Latin run in its font."""
    return Markup("".join(escape(run) if font == CJK else f'<font face="{font}">{escape(run)}</font>'
                          for run, font in text_runs(text)))


def filled(value: str, blank: str = BLANK) -> Markup:
    """A blank of the form filled in: the value underlined, or the blank line to write on."""
    value = (value or "").strip()
    return Markup(f"<u>{markup(value)}</u>") if value else markup(blank)


def para(style: ParagraphStyle, *parts: str) -> Paragraph:
    """A paragraph of plain text and markup parts."""
    return Paragraph("".join(part if isinstance(part, Markup) else markup(part) for part in parts), style)


def make_style(name: str, *, size: float = 14, leading: float | None = None, align: int = TA_JUSTIFY,
           indent: float = 0, left: float = 0, before: float = 0, after: float = 0, colour: Any = colors.black,
           ) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=CJK, fontSize=size, leading=leading or size * 1.9, alignment=align, firstLineIndent=indent,
        leftIndent=left, spaceBefore=before, spaceAfter=after, textColor=colour, wordWrap="CJK",
    )


SIGN_AT = TEXT_WIDTH * 0.45  # signature lines start right of the middle, as on the guide's forms
ANNEX = make_style("annex", size=13, align=TA_LEFT)
TITLE = make_style("title", size=22, leading=30, align=TA_CENTER, before=4, after=16)
SUBTITLE = make_style("subtitle", size=11, leading=16, align=TA_CENTER, after=14, colour=GREY)
BODY = make_style("body", size=14, leading=27, indent=28)
LETTER = make_style("letter", size=13, leading=23, indent=26)
PLAIN = make_style("plain", size=12.5, leading=21, align=TA_LEFT)
ITEM = make_style("item", size=12.5, leading=21, left=20, indent=-20, after=4)
SIGN = make_style("sign", size=14, leading=27, align=TA_LEFT, left=SIGN_AT)
NOTE = make_style("note", size=9.5, leading=13, align=TA_LEFT, left=SIGN_AT, colour=GREY)
RIGHT = make_style("right", size=14, leading=26, align=TA_RIGHT)
CELL_LABEL = make_style("cell_label", size=10.5, leading=15, align=TA_LEFT, colour=GREY)
CELL = make_style("cell", size=11.5, leading=16, align=TA_LEFT)
SMALL = make_style("small", size=9, leading=12, align=TA_LEFT, colour=GREY)
CAPTION = make_style("caption", size=10, leading=14, align=TA_CENTER)


def signature(label: str, *, note: str = "", space: float = 12 * mm) -> list[Flowable]:
    """A signature line: the label, the guide's note in small print under it, and room to sign. Put it in a
    `signature_block` so that it stays on the page of its date."""
    return [para(SIGN, label), *([para(NOTE, note)] if note else []), Spacer(1, space)]


def date_line() -> Table:
    """「年　月　日」 with room for the figures, written by hand when signing."""
    cell = SIGN.clone("date_cell", leftIndent=0)
    table = Table([["", para(cell, "年"), "", para(cell, "月"), "", para(cell, "日")]], hAlign="LEFT",
                  colWidths=[SIGN_AT + 16 * mm, 7 * mm, 12 * mm, 7 * mm, 12 * mm, 7 * mm])
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def signature_block(*parts: Flowable | Sequence[Flowable], dated: bool = True) -> KeepTogether:
    """Signature lines (lists from `signature`, or any flowable such as 「（聘用单位盖章）」) and, when `dated`, the
    date line under them, kept on one page: a page never ends with a label whose date (or a date whose label) is on
    the next."""
    flowables: list[Flowable] = []
    for part in parts:
        flowables += [part] if isinstance(part, Flowable) else list(part)
    return KeepTogether([*flowables, *([date_line()] if dated else [])])


def lines_table(rows: Sequence[tuple[str, str]], *, label_width: float, width: float) -> Table:
    """Labelled values, one a line, with a rule under each (the certificate's particulars)."""
    table = Table([[para(CELL_LABEL, label), para(CELL, value or "—")] for label, value in rows],
                  colWidths=[label_width, width - label_width])
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


Pair = tuple[str, str]


def grid(rows: Sequence[Sequence[Pair]]) -> Table:
    """The ruled particulars of a notice or a decision: one or two labelled values a row (one spans the row)."""
    # room for the widest case id and credit code (WWW… in Times-Roman) and a date; long values get a row of their own
    widths = [35 * mm, 60 * mm, 27 * mm, TEXT_WIDTH - 122 * mm]
    data, spans = [], []
    for index, row in enumerate(rows):
        cells: list[Any] = []
        for name, text in row:
            cells += [para(CELL_LABEL, name), para(CELL, text or "—")]
        if len(row) == 1:
            cells += ["", ""]
            spans.append(("SPAN", (1, index), (3, index)))
        else:
            spans.append(("BACKGROUND", (2, index), (2, index), colors.HexColor("#f3f2f1")))
        data.append(cells)
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a8f93")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f2f1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        *spans,
    ]))
    return table


def draw_mixed(canvas: Canvas, x: float, y: float, text: str, size: float, *, right: bool = False) -> None:
    """A line of page furniture on the canvas, each run in its font."""
    runs = text_runs(text)
    if right:
        x -= sum(pdfmetrics.stringWidth(run, font, size) for run, font in runs)
    for run, font in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def pdf_bytes(story: list[Flowable], *, title: str, subject: str, footer: str) -> bytes:
    """The story on A4 with the platform's footer and the page number on every page."""

    def furniture(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(GREY)
        draw_mixed(canvas, MARGIN_X, 12 * mm, footer, 8)
        draw_mixed(canvas, PAGE_WIDTH - MARGIN_X, 12 * mm, f"第 {doc.page} 页", 8, right=True)
        canvas.restoreState()

    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, subject=subject, author=INSTITUTION, creator=PLATFORM,
        lang="zh-CN", initialFontName=CJK,
    ).build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


def footer(case_id: str) -> str:
    return f"{PLATFORM}生成　案件编号 {case_id}" if case_id else f"{PLATFORM}生成"


SEAL_DIAMETER = 42 * mm  # an administrative organ's round seal (GB/T 19412 type: 42 mm)
SEAL_LABEL = "印章"
SEAL_OVERHANG = 8 * mm


class IssuerBlock(Flowable):
    """The issuer's name and the date, right-aligned, over the seal area: a dashed circle of a seal's size labelled
    印章 where the physical or electronic seal goes, covering the name and the date as a seal does."""

    def __init__(self, name: str, on: date) -> None:
        super().__init__()
        self.lines = [para(RIGHT, name), para(RIGHT, cn_date(on))]
        self.heights: list[float] = []

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.heights = [line.wrap(available_width, available_height)[1] for line in self.lines]
        self.width = available_width
        # the seal reaches past the block by SEAL_OVERHANG above and below, into the space before it and the margin
        # under it, as a seal covers the lines around the date: the block takes less than a seal's height of page
        self.height = max(sum(self.heights), SEAL_DIAMETER - 2 * SEAL_OVERHANG)
        return self.width, self.height

    def draw(self) -> None:
        canvas, radius = self.canv, SEAL_DIAMETER / 2
        text_height = sum(self.heights)
        top = (self.height + text_height) / 2  # the text in the middle of the block, the seal's centre on it
        widest = max(pdfmetrics.stringWidth(cn_date(None), CJK, RIGHT.fontSize),
                     min(self.width, pdfmetrics.stringWidth(self.lines[0].getPlainText(), CJK, RIGHT.fontSize)))
        centre_x = max(radius, min(self.width - radius, self.width - min(widest, self.width * 0.45) / 2))
        centre_y = self.height / 2
        canvas.saveState()
        canvas.setStrokeColor(GREY)
        canvas.setFillColor(GREY)
        canvas.setLineWidth(0.6)
        canvas.setDash(3, 2.5)
        canvas.circle(centre_x, centre_y, radius, stroke=1, fill=0)
        canvas.setFont(CJK, 8)
        canvas.drawCentredString(centre_x, centre_y - radius + 4 * mm, f"（{SEAL_LABEL}）")
        canvas.restoreState()
        y = top
        for line, height in zip(self.lines, self.heights, strict=True):
            y -= height
            line.drawOn(canvas, 0, y)


def issuer(name: str, on: date) -> KeepTogether:
    """The issuing organ and the date at the foot of a letter, with the seal area over them, kept on one page."""
    return KeepTogether(issuer_flowables(name, on))


def issuer_flowables(name: str, on: date) -> list[Flowable]:
    """The issuer block with the room its seal reaches into above and below, to keep together with what precedes it
    in one KeepTogether (reportlab breaks a page early before a KeepTogether nested in another)."""
    return [Spacer(1, SEAL_OVERHANG + 2 * mm), IssuerBlock(name, on), Spacer(1, SEAL_OVERHANG)]
