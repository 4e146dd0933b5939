"""A corpus of scans, generated at test time (no binary files kept): for each scan pre-check, the pages it must catch
(true positives), the pages it used to flag wrongly and now passes (former false positives), and good pages.

Pictures are drawn with Pillow (text lines in a Latin font, "Chinese" lines as square character cells with strokes,
justified with a two-character indent as Chinese documents are), saved as PDF at a chosen resolution; typed pages are
drawn with reportlab; `/Rotate` entries are set with pikepdf. `python -m tests.documents.scan_corpus` prints the
table with the time each document took per page.

Each `Sample` says what the worker must answer: its warnings (`code` → pages; `rotated` also lists its upside-down
pages) and its grey pages.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pikepdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

PAPER = (246, 244, 238)
INK = (20, 20, 20)
A6 = (4.1, 5.8)  # inches: small scans keep the corpus quick; the checks do not depend on the page size
A4_INCHES = (8.27, 11.69)
WORDS = ("the", "applicant", "declares", "facts", "true", "and", "complete", "unit", "contract", "income", "12")

TRUE_POSITIVE = "true positive"
FORMER_FALSE_POSITIVE = "former false positive"
TRUE_NEGATIVE = "true negative"


# --- pictures --------------------------------------------------------------------------------------------------------


def sheet(dpi: int, inches: tuple[float, float] = A6) -> Image.Image:
    return Image.new("RGB", (int(inches[0] * dpi), int(inches[1] * dpi)), PAPER)


def latin_page(
    *, dpi: int = 200, colour: bool = True, inches: tuple[float, float] = A6, fill: tuple[int, int, int] = INK,
    size_pt: float = 10.0,
) -> Image.Image:
    """A typed English page, ragged right, as a scanner sees it; in colour with a blue header and a red seal."""
    picture = sheet(dpi, inches)
    width, height = picture.size
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=max(6, round(dpi * size_pt / 72)))
    if colour:
        draw.rectangle((0, 0, width, int(height * 0.08)), fill=(30, 90, 180))
        radius = int(dpi * 0.6)
        x, y = int(width * 0.7), int(height * 0.75)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=(210, 30, 40), width=max(2, dpi // 30))
    words = random.Random(6)
    y = int(height * 0.12)
    step = dpi * size_pt * 2 / 72
    while y < height * 0.9:
        line = " ".join(words.choice(WORDS) for _ in range(words.randint(4, 7)))
        draw.text((int(width * 0.08), y), line, fill=fill, font=font)
        y += int(step)
    return picture


def chinese_page(*, dpi: int = 200, inches: tuple[float, float] = A4_INCHES, signature: bool = True) -> Image.Image:
    """A Chinese letter: 10.5-pt character cells with strokes, paragraphs justified to both margins with a
    two-character first-line indent and a short last line, and a date and signature aligned right."""
    picture = sheet(dpi, inches)
    width, height = picture.size
    draw = ImageDraw.Draw(picture)
    em = max(4, round(dpi * 10.5 / 72))
    strokes = random.Random(11)
    left, right = int(width * 0.12), int(width * 0.88)
    per_line = (right - left) // em

    def character(x: int, y: int) -> None:
        for _ in range(strokes.randint(3, 6)):
            if strokes.random() < 0.5:
                yy = y + strokes.randint(1, em - 2)
                draw.line((x + 1, yy, x + em - 2, yy), fill=INK, width=max(1, em // 10))
            else:
                xx = x + strokes.randint(1, em - 2)
                draw.line((xx, y + 1, xx, y + em - 2), fill=INK, width=max(1, em // 10))

    def line(y: int, start: int, count: int, *, from_right: bool = False) -> None:
        x0 = right - count * em if from_right else left + start * em
        for index in range(count):
            character(x0 + index * em, y)

    y = int(height * 0.1)
    line(y, (per_line - 10) // 2, 10)  # the title, centred
    y += em * 3
    for _paragraph in range(4):
        lines = strokes.randint(2, 4)
        for number in range(lines):
            if number == 0:
                line(y, 2, per_line - 2)
            elif number == lines - 1:
                line(y, 0, strokes.randint(3, per_line - 8))
            else:
                line(y, 0, per_line)
            y += int(em * 1.8)
    if signature:
        y += em * 2
        line(y, 0, 8, from_right=True)
        y += int(em * 1.8)
        line(y, 0, 11, from_right=True)
    return picture


def centred_certificate(*, dpi: int = 200) -> Image.Image:
    """A certificate: every line centred (ragged on both sides)."""
    picture = sheet(dpi, A4_INCHES)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=round(dpi * 14 / 72))
    for number, words in enumerate(("Certificate", "awarded to the applicant for", "outstanding work", "in the unit",
                                    "during the year", "signed by the board", "12 March")):
        text_width = draw.textlength(words, font=font)
        draw.text(((picture.width - text_width) / 2, picture.height * 0.2 + number * dpi * 0.6), words, fill=INK,
                  font=font)
    return picture


def photographed(page: Image.Image, *, pixels: tuple[int, int]) -> Image.Image:
    """A phone photo of `page`: the page fills most of a frame of `pixels`, on a darker table."""
    frame = Image.new("RGB", pixels, (120, 110, 100))
    inner = (int(pixels[0] * 0.92), int(pixels[1] * 0.92))
    frame.paste(page.resize(inner, Image.Resampling.BILINEAR), ((pixels[0] - inner[0]) // 2,
                                                                (pixels[1] - inner[1]) // 2))
    return frame


def noisy(picture: Image.Image, sigma: float = 5.0) -> Image.Image:
    """The scanner's noise: grey Gaussian noise of `sigma` levels added to every channel."""
    noise = Image.effect_noise(picture.size, sigma).convert("RGB")
    return ImageChops.add(picture, noise, scale=1.0, offset=-128)


def blank_sheet(*, dpi: int = 200, specks: int = 0, show_through: bool = False, noise: bool = False) -> Image.Image:
    """An empty sheet; with specks of dust, the back page's text showing faintly through, the scanner's noise."""
    picture = sheet(dpi)
    draw = ImageDraw.Draw(picture)
    spots = random.Random(3)
    for _ in range(specks):
        x, y = spots.randrange(100, picture.width - 100), spots.randrange(100, picture.height - 100)
        draw.ellipse((x, y, x + 10, y + 10), fill=(40, 40, 40))
    if show_through:
        back = latin_page(dpi=dpi, colour=False).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        back = back.filter(ImageFilter.GaussianBlur(dpi / 100))
        picture = Image.blend(picture, back, 0.08)  # about 10 grey levels of the back's text reach the front
    return noisy(picture) if noise else picture


def turned(picture: Image.Image, degrees: float) -> Image.Image:
    return picture.rotate(degrees, expand=True, fillcolor=PAPER)


# --- PDFs --------------------------------------------------------------------------------------------------------------


def scan(*pictures: Image.Image, dpi: int = 200) -> bytes:
    """The pictures as a scanner's PDF: one full-page image a page, `dpi` pixels to the inch."""
    buffer = io.BytesIO()
    pictures[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=list(pictures[1:]))
    return buffer.getvalue()


def saved(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def with_rotate(data: bytes, *, page: int, degrees: int) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    pdf.pages[page - 1].obj.Rotate = degrees
    return saved(pdf)


def joined(*documents: bytes) -> bytes:
    whole = pikepdf.new()
    parts = [pikepdf.open(io.BytesIO(data)) for data in documents]  # open until the whole is saved
    for part in parts:
        whole.pages.extend(part.pages)
    return saved(whole)


def typed(*, turn: int = 0, rotate: int = 0, landscape_content: bool = False, lines: int = 12) -> bytes:
    """A typed (born-digital) A4 page: text lines turned by `turn` degrees in the content, `/Rotate` of `rotate`.
    With `landscape_content`, a landscape page drawn on portrait media (text at 90°) that /Rotate 270 shows upright."""
    buffer = io.BytesIO()
    size = A4
    page = canvas.Canvas(buffer, pagesize=size)
    page.setFont("Helvetica", 11)
    width, height = size
    page.translate(width / 2, height / 2)
    page.rotate(90 if landscape_content else turn)
    long_side, short_side = (height, width) if landscape_content else (width, height)
    for number in range(lines):
        page.drawString(-long_side / 2 + 60, short_side / 2 - 80 - number * 20,
                        f"Line {number + 1}: the applicant declares that the facts given are true and complete.")
    page.showPage()
    page.save()
    data = buffer.getvalue()
    return with_rotate(data, page=1, degrees=rotate) if rotate else data


def typed_landscape_page() -> bytes:
    """A landscape page as most tools make it: a landscape media box, text upright, no /Rotate."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=landscape(A4))
    page.setFont("Helvetica", 11)
    for number in range(10):
        page.drawString(60, 500 - number * 20, f"Row {number + 1}: contract, income, unit, period, amount.")
    page.showPage()
    page.save()
    return buffer.getvalue()


def one_line_and_page_number() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica", 12)
    page.drawString(72, 700, "The applicant declares that the facts given above are true and complete.")
    page.showPage()
    page.drawString(290, 40, "- 2 -")
    page.showPage()
    page.save()
    return buffer.getvalue()


# --- the corpus --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    name: str
    check: str  # the check it exercises
    kind: str  # TRUE_POSITIVE, FORMER_FALSE_POSITIVE or TRUE_NEGATIVE
    make: Callable[[], bytes]
    warnings: dict[str, list[int]] = field(default_factory=dict)
    upside_down: list[int] = field(default_factory=list)
    grey: list[int] = field(default_factory=list)
    thresholds: dict[str, int | float] = field(default_factory=dict)

    def expected(self) -> list[dict]:
        from wrp.documents.scanchecks import WARNING_ORDER

        items: list[dict] = []
        for code in WARNING_ORDER:
            if code in self.warnings:
                item: dict = {"code": code, "pages": self.warnings[code]}
                if code == "rotated" and self.upside_down:
                    item["upside_down"] = self.upside_down
                items.append(item)
        return items


CORPUS: tuple[Sample, ...] = (
    # blank_page
    Sample("blank sheet", "blank_page", TRUE_POSITIVE, lambda: scan(latin_page(), blank_sheet(), latin_page()),
           {"blank_page": [2]}),
    Sample("blank sheet with dust and noise", "blank_page", TRUE_POSITIVE,
           lambda: scan(blank_sheet(specks=8, noise=True)), {"blank_page": [1]}),
    Sample("blank back page with show-through", "blank_page", TRUE_POSITIVE,
           lambda: scan(blank_sheet(show_through=True, noise=True)), {"blank_page": [1]}),
    Sample("typed page with only a page number", "blank_page", TRUE_POSITIVE, one_line_and_page_number,
           {"blank_page": [2]}, grey=[1]),
    Sample("faint print, 40 levels off the paper", "blank_page", FORMER_FALSE_POSITIVE,
           lambda: scan(noisy(latin_page(colour=False, fill=(206, 204, 198)))), grey=[1]),
    Sample("faint pencil, 32 levels off the paper", "blank_page", FORMER_FALSE_POSITIVE,
           lambda: scan(latin_page(colour=False, fill=(214, 212, 206))), grey=[1]),
    # rotated
    Sample("upright scan with /Rotate 90", "rotated", TRUE_POSITIVE,
           lambda: with_rotate(scan(latin_page(), latin_page()), page=2, degrees=90), {"rotated": [2]}),
    Sample("scan lying sideways (270°), grey", "rotated", TRUE_POSITIVE,
           lambda: scan(turned(latin_page(colour=False), 270)), {"rotated": [1]}, grey=[1]),
    Sample("scan lying sideways, 2° askew", "rotated", TRUE_POSITIVE, lambda: scan(turned(latin_page(), 92)),
           {"rotated": [1]}),
    Sample("scan upside down (English)", "rotated", TRUE_POSITIVE, lambda: scan(turned(latin_page(), 180)),
           {"rotated": [1]}, upside_down=[1]),
    Sample("scan upside down (Chinese, justified)", "rotated", TRUE_POSITIVE,
           lambda: scan(turned(chinese_page(dpi=150), 180), dpi=150), {"rotated": [1]}, upside_down=[1], grey=[1]),
    Sample("upright scan with /Rotate 180", "rotated", TRUE_POSITIVE,
           lambda: with_rotate(scan(latin_page()), page=1, degrees=180), {"rotated": [1]}, upside_down=[1]),
    Sample("typed page, text upside down", "rotated", TRUE_POSITIVE, lambda: typed(turn=180), {"rotated": [1]},
           upside_down=[1], grey=[1]),
    Sample("typed page with /Rotate 90", "rotated", TRUE_POSITIVE, lambda: typed(rotate=90), {"rotated": [1]},
           grey=[1]),
    Sample("sideways scan turned upright by /Rotate 270", "rotated", FORMER_FALSE_POSITIVE,
           lambda: with_rotate(scan(turned(latin_page(), 270)), page=1, degrees=270)),
    Sample("upside-down scan turned upright by /Rotate 180", "rotated", FORMER_FALSE_POSITIVE,
           lambda: with_rotate(scan(turned(latin_page(), 180)), page=1, degrees=180)),
    Sample("landscape content on portrait media, /Rotate 90", "rotated", FORMER_FALSE_POSITIVE,
           lambda: typed(landscape_content=True, rotate=90), grey=[1]),
    Sample("upright scan 3° askew", "rotated", TRUE_NEGATIVE, lambda: scan(turned(latin_page(), -3))),
    Sample("upright Chinese letter, justified, signed on the right", "rotated", TRUE_NEGATIVE,
           lambda: scan(chinese_page(dpi=150), dpi=150), grey=[1]),
    Sample("centred certificate", "rotated", TRUE_NEGATIVE, lambda: scan(centred_certificate(dpi=100), dpi=100),
           grey=[1], thresholds={"min_dpi": 100}),
    Sample("landscape typed page", "rotated", TRUE_NEGATIVE, typed_landscape_page, grey=[1]),
    # low_resolution
    Sample("72-dpi scan of 10-pt text", "low_resolution", TRUE_POSITIVE,
           lambda: joined(scan(latin_page()), scan(latin_page(dpi=72), dpi=72)), {"low_resolution": [2]}),
    Sample("100-dpi scan of 10-pt text", "low_resolution", TRUE_POSITIVE,
           lambda: scan(latin_page(dpi=100), dpi=100), {"low_resolution": [1]}),
    Sample("0.3-megapixel photo stored at 72 dpi", "low_resolution", TRUE_POSITIVE,
           lambda: scan(photographed(latin_page(dpi=150, inches=A4_INCHES), pixels=(480, 640)), dpi=72),
           {"low_resolution": [1]}),
    Sample("12-megapixel photo stored at 72 dpi", "low_resolution", FORMER_FALSE_POSITIVE,
           lambda: scan(photographed(latin_page(dpi=400, inches=A4_INCHES), pixels=(3000, 4000)), dpi=72)),
    Sample("130-dpi scan of 12-pt text", "low_resolution", FORMER_FALSE_POSITIVE,
           lambda: scan(latin_page(dpi=130, size_pt=12), dpi=130)),
    Sample("120-dpi scan of a Chinese letter (10.5 pt)", "low_resolution", FORMER_FALSE_POSITIVE,
           lambda: scan(chinese_page(dpi=120), dpi=120), grey=[1]),
    Sample("100-dpi scan of large print (24 pt)", "low_resolution", FORMER_FALSE_POSITIVE,
           lambda: scan(latin_page(dpi=100, size_pt=24), dpi=100)),
    Sample("200-dpi scan", "low_resolution", TRUE_NEGATIVE, lambda: scan(latin_page(), latin_page())),
    # not_checked
    Sample("pages past the rendering limit", "not_checked", TRUE_POSITIVE,
           lambda: scan(latin_page(), blank_sheet(), latin_page()), {"not_checked": [2, 3]},
           thresholds={"max_rendered_pages": 1}),
    Sample("time budget spent before the first page", "not_checked", TRUE_POSITIVE,
           lambda: scan(latin_page(), blank_sheet()), {"not_checked": [1, 2]}, thresholds={"time_budget_s": 0}),
    Sample("every page within the limit", "not_checked", TRUE_NEGATIVE,
           lambda: scan(latin_page(), latin_page(), latin_page()), thresholds={"max_rendered_pages": 3}),
)


def main() -> None:  # pragma: no cover - a report for people
    import time

    import pypdfium2 as pdfium

    from wrp.documents.scanchecks import Thresholds, scan_report

    print(f"| check | case | kind | expected | found | ok | ms/page |\n|{'---|' * 7}")
    for sample in CORPUS:
        data = sample.make()
        pages = len(pdfium.PdfDocument(data))
        started = time.monotonic()
        report = scan_report(data, Thresholds(**sample.thresholds))
        elapsed = (time.monotonic() - started) * 1000 / pages
        found = (report.warnings, report.greyscale_pages)
        ok = found == (sample.expected(), sample.grey)
        print(f"| {sample.check} | {sample.name} | {sample.kind} | {_short(sample.expected())} | "
              f"{_short(report.warnings)} | {'yes' if ok else 'NO'} | {elapsed:.0f} |")


def _short(warnings: list[dict]) -> str:
    return "; ".join(f"{w['code']} {w['pages']}" + (" (upside down)" if w.get("upside_down") else "")
                     for w in warnings) or "—"


if __name__ == "__main__":  # pragma: no cover
    main()
