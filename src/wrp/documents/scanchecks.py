"""Scan pre-checks: what a clerk would otherwise find by eye in an uploaded material, reported page by page.

The guide asks every material to be a PDF scan, complete, unobstructed, continuous and upright (【注意事项】2: 内容完整、
不得有遮挡、内容连续、方向正确、PDF扫描件), most of them a colour scan of the original (原件彩色扫描件). These checks
look for the faults a program can see — blank pages, pages not upright, scans too coarse to read, grey scans — and
only warn: the uploader and the clerk see the warnings, the file is kept as it is.

They run inside the worker process (`python -m wrp.documents.pdfworker --scan-checks`, with its memory and CPU
limits) on the sanitised PDF, with PDFium (pypdfium2) to read and render pages and Pillow to measure the renderings.
This module imports no Django. Per page:

- **rotated**: the page has `/Rotate` 90, 180 or 270; or, on a scanned page, its rendering has text lines that run
  vertically (see `is_sideways`). Sideways content only: a scan upside down (180°) is not detected.
- **low_resolution**: on a scanned page (one image covering at least half of the page), the image's pixels over its
  placed size in inches, in the coarser direction, below `Thresholds.min_dpi`.
- **blank_page**: the rendering at `RENDER_DPI`, margins cut, has at most `blank_max_ink_per_10000` ‱ of pixels
  farther than `ink_distance` grey levels from the page's background (its most frequent grey).
- **greyscale** (reported as page numbers; the caller turns them into `not_colour` for colour materials only): the
  scanned page's image is DeviceGray, CalGray or 1-bit; or the rendering has fewer than `colour_min_per_10000` ‱ of
  pixels whose chroma (max − min of R, G, B) reaches `colour_min_chroma`.

A blank page gets `blank_page` alone. Rendering is bounded: the first `max_rendered_pages` pages only, at `RENDER_DPI`
(fewer dots for pages larger than `MAX_RENDER_PIXELS` allow), and none once `time_budget_s` is spent; the cheap checks
(`/Rotate`, resolution, grey image: a few milliseconds a page) read every page. A check that fails on a page is
recorded in the report's `failures` and yields no warning for that page.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

RENDER_DPI = 48
MAX_RENDER_PIXELS = 4_000_000  # an A0 page at 48 dpi; larger pages are rendered coarser
SCANNED_PAGE_COVERAGE = 0.5  # one image covering at least half of the page makes it a scanned page
MARGIN = 0.03  # cut from each side before measuring: scanner edges and shadows are not content
MAX_OBJECTS = 5000  # page objects examined per page in search of the scanned image
MAX_FORM_DEPTH = 4
# Sideways text: the rendering's empty columns (no more than EMPTY_LINE_INK of their length inked), within the ink's
# extent, must be at least SIDEWAYS_MIN_EMPTY of them, SIDEWAYS_RATIO times the share of empty rows, and separate at
# least SIDEWAYS_MIN_LINES bands of ink (text lines).
EMPTY_LINE_INK = 0.02
SIDEWAYS_MIN_EMPTY = 0.15
SIDEWAYS_RATIO = 2.0
SIDEWAYS_MIN_LINES = 3
MIN_EXTENT = 20  # pixels: ink spread over less than this is too little to judge its lines
SKEW_ANGLES = (0.0, -1.5, 1.5, -3.0, 3.0)  # degrees: scans are rarely straighter than this

WARNING_ORDER = ("blank_page", "rotated", "low_resolution")


@dataclass(frozen=True)
class Thresholds:
    """The settings the checks read (wrp.config.settings SCAN_*), passed to the worker as JSON."""

    min_dpi: int = 150
    blank_max_ink_per_10000: int = 20  # 0.2 %: one line of 12-pt text on A4 is 0.46 %
    ink_distance: int = 48  # grey levels from the background that make a pixel ink
    colour_min_chroma: int = 24
    colour_min_per_10000: int = 10  # 0.1 %: a red seal 4 cm across on a white A4 page is above it
    max_rendered_pages: int = 50
    time_budget_s: float = 15.0


@dataclass(frozen=True)
class ScannedImage:
    """The image that covers a scanned page: its effective resolution and whether it was stored grey."""

    dpi: float
    grey: bool


@dataclass
class PageFindings:
    blank: bool = False
    rotated: bool = False
    low_resolution: bool = False
    greyscale: bool = False


@dataclass
class ScanReport:
    warnings: list[dict[str, Any]] = field(default_factory=list)
    greyscale_pages: list[int] = field(default_factory=list)
    checked_pages: int = 0
    rendered_pages: int = 0
    failures: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "warnings": self.warnings,
            "greyscale_pages": self.greyscale_pages,
            "checked_pages": self.checked_pages,
            "rendered_pages": self.rendered_pages,
            "failures": self.failures[:50],
        }


def scan_report(pdf: bytes, thresholds: Thresholds) -> ScanReport:
    """Check every page of `pdf` (already sanitised) and gather the findings as warnings with 1-based page numbers."""
    import pypdfium2 as pdfium

    report = ScanReport()
    deadline = time.monotonic() + thresholds.time_budget_s
    found: dict[str, list[int]] = {code: [] for code in WARNING_ORDER}
    document = pdfium.PdfDocument(pdf)
    try:
        rendered_limit = thresholds.max_rendered_pages
        for index in range(len(document)):
            number = index + 1
            if index < rendered_limit and time.monotonic() > deadline:
                report.failures.append(f"time budget spent: pages {number}–{rendered_limit} not rendered")
                rendered_limit = index
            render = index < rendered_limit
            try:
                page = document[index]
            except Exception as error:  # PDFium cannot load this page: nothing to say about it
                report.failures.append(f"page {number}: {type(error).__name__}: {error}"[:300])
                continue
            try:
                findings = page_findings(page, number, thresholds, render=render, failures=report.failures)
            finally:
                page.close()
            report.checked_pages += 1
            report.rendered_pages += render
            for code, flagged in (
                ("blank_page", findings.blank),
                ("rotated", findings.rotated),
                ("low_resolution", findings.low_resolution),
            ):
                if flagged:
                    found[code].append(number)
            if findings.greyscale:
                report.greyscale_pages.append(number)
    finally:
        document.close()
    report.warnings = [{"code": code, "pages": pages} for code, pages in found.items() if pages]
    return report


def page_findings(page: Any, number: int, thresholds: Thresholds, *, render: bool, failures: list[str]) -> PageFindings:
    """The findings on one page; each check that fails is noted in `failures` and finds nothing."""

    def attempt(check: str, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except Exception as error:  # a check may fail on a strange page; the others still run
            failures.append(f"page {number} {check}: {type(error).__name__}: {error}"[:300])
            return None

    findings = PageFindings()
    scanned = attempt("scanned image", scanned_image, page)
    picture = attempt("rendering", render_page, page) if render else None
    ink = attempt("ink", ink_mask, picture, thresholds.ink_distance) if picture is not None else None
    if ink is not None and attempt("blank", is_blank, ink, thresholds.blank_max_ink_per_10000):
        findings.blank = True
        return findings
    findings.rotated = bool(attempt("rotation", lambda: page.get_rotation() % 360 != 0))
    if scanned is not None:
        findings.low_resolution = round(scanned.dpi) < thresholds.min_dpi
        findings.greyscale = scanned.grey
        if ink is not None and not findings.rotated:
            findings.rotated = bool(attempt("sideways", is_sideways, ink))
    if picture is not None and not findings.greyscale:
        colourful = attempt(
            "colour", is_colourful, picture, thresholds.colour_min_chroma, thresholds.colour_min_per_10000
        )
        findings.greyscale = colourful is False
    return findings


def scanned_image(page: Any) -> ScannedImage | None:
    """The image covering the largest part of the page, if it covers at least SCANNED_PAGE_COVERAGE of it."""
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = page.get_cropbox()
    page_area = (right - left) * (top - bottom)
    if page_area <= 0:
        return None
    best: tuple[float, Any, Any] | None = None
    for image, matrix in _images(page):
        x0, y0, x1, y1 = _placed_box(matrix)
        width = max(0.0, min(x1, right) - max(x0, left))
        height = max(0.0, min(y1, top) - max(y0, bottom))
        coverage = width * height / page_area
        if coverage >= SCANNED_PAGE_COVERAGE and (best is None or coverage > best[0]):
            best = (coverage, image, matrix)
    if best is None:
        return None
    _coverage, image, matrix = best
    pixels_wide, pixels_high = image.get_px_size()
    inches_wide = math.hypot(matrix.a, matrix.b) / 72
    inches_high = math.hypot(matrix.c, matrix.d) / 72
    if inches_wide <= 0 or inches_high <= 0:
        return None
    dpi = min(pixels_wide / inches_wide, pixels_high / inches_high)
    metadata = image.get_metadata()
    grey = metadata.bits_per_pixel == 1 or metadata.colorspace in (
        pdfium_c.FPDF_COLORSPACE_DEVICEGRAY,
        pdfium_c.FPDF_COLORSPACE_CALGRAY,
    )
    return ScannedImage(dpi=dpi, grey=grey)


def _images(
    page: Any, form: Any = None, outer: Any = None, depth: int = 0, budget: list[int] | None = None
) -> Iterator[tuple[Any, Any]]:
    """Each image on the page with the matrix that places it on the page (forms' matrices composed)."""
    import pypdfium2.raw as pdfium_c

    budget = [MAX_OBJECTS] if budget is None else budget
    for obj in page.get_objects(form=form, max_depth=1, level=depth):
        budget[0] -= 1
        if budget[0] < 0:
            return
        if obj.type not in (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        matrix = obj.get_matrix() if outer is None else obj.get_matrix().multiply(outer)
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            yield obj, matrix
        elif depth + 1 < MAX_FORM_DEPTH:
            yield from _images(page, obj, matrix, depth + 1, budget)


def _placed_box(matrix: Any) -> tuple[float, float, float, float]:
    """The box, in page space, of the unit square an image is drawn in, under `matrix`."""
    corners = [matrix.on_point(x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs = [x for x, _y in corners]
    ys = [y for _x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def render_page(page: Any) -> Any:
    """The page as PDFium draws it (its /Rotate applied), in RGB at RENDER_DPI or coarser, margins cut."""
    width, height = page.get_size()
    scale = RENDER_DPI / 72
    if width * height * scale * scale > MAX_RENDER_PIXELS:
        scale = math.sqrt(MAX_RENDER_PIXELS / (width * height))
    bitmap = page.render(scale=scale, rev_byteorder=True, limit_image_cache=True)
    picture = bitmap.to_pil().convert("RGB")
    cut_x, cut_y = int(picture.width * MARGIN), int(picture.height * MARGIN)
    return picture.crop((cut_x, cut_y, picture.width - cut_x, picture.height - cut_y))


def ink_mask(picture: Any, distance: int) -> Any:
    """255 where a pixel is farther than `distance` grey levels from the background (the most frequent grey), else 0."""
    grey = picture.convert("L")
    histogram = grey.histogram()
    window = 4  # a scanned background spreads over a few levels: take the level with the most pixels around it
    background = max(range(256), key=lambda level: sum(histogram[max(0, level - window) : level + window + 1]))
    return grey.point([255 if abs(level - background) > distance else 0 for level in range(256)])


def is_blank(ink: Any, max_ink_per_10000: int) -> bool:
    total = ink.width * ink.height
    return total > 0 and ink.histogram()[255] * 10000 <= max_ink_per_10000 * total


def is_colourful(picture: Any, min_chroma: int, min_per_10000: int) -> bool:
    """Whether enough pixels have a chroma (max − min of R, G, B) of at least `min_chroma`."""
    from PIL import ImageChops

    red, green, blue = picture.split()
    highest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    lowest = ImageChops.darker(ImageChops.darker(red, green), blue)
    chroma = ImageChops.subtract(highest, lowest).histogram()
    coloured = sum(chroma[min_chroma:])
    total = picture.width * picture.height
    return total > 0 and coloured * 10000 >= max(1, min_per_10000 * total)


def is_sideways(ink: Any) -> bool:
    """Whether the inked lines of a scan run vertically: text turned by 90° or 270°.

    Lines of text upright leave empty rows between them and hardly any empty column; turned sideways, the reverse.
    Measured within the ink's bounding box, so margins do not count, and at each angle of `SKEW_ANGLES`, keeping the
    best, so a scan a little askew still shows its lines. A photo, a form crossed by rules or too little ink gives no
    verdict (False).
    """
    from PIL import Image

    box = ink.getbbox()
    if box is None or box[2] - box[0] < MIN_EXTENT or box[3] - box[1] < MIN_EXTENT:
        return False
    inked = ink.crop(box)
    empty_rows = empty_columns = 0.0
    column_bands = 0
    for angle in SKEW_ANGLES:
        turned = inked
        if angle:
            turned = inked.rotate(angle, resample=Image.Resampling.NEAREST, expand=True)
            turned = turned.crop(turned.getbbox())
        rows, _bands = line_profile(turned)
        columns, bands = line_profile(turned.transpose(Image.Transpose.TRANSPOSE))
        empty_rows = max(empty_rows, rows)
        if columns > empty_columns:
            empty_columns, column_bands = columns, bands
    return (
        empty_columns >= SIDEWAYS_MIN_EMPTY
        and column_bands >= SIDEWAYS_MIN_LINES
        and empty_columns >= SIDEWAYS_RATIO * empty_rows
    )


def line_profile(ink: Any) -> tuple[float, int]:
    """The share of the mask's rows that are (nearly) empty, and the number of bands of inked rows between them."""
    width, height = ink.size
    data = ink.tobytes()
    limit = max(1, int(EMPTY_LINE_INK * width))
    empty = bands = 0
    in_band = False
    for row in range(height):
        if data[row * width : (row + 1) * width].count(255) <= limit:
            empty += 1
            in_band = False
        elif not in_band:
            bands += 1
            in_band = True
    return empty / height, bands
