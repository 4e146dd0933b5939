"""Scan pre-checks: what a clerk would otherwise find by eye in an uploaded material, reported page by page.

The guide asks every material to be a PDF scan, complete, unobstructed, continuous and upright (【注意事项】2: 内容完整、
不得有遮挡、内容连续、方向正确、PDF扫描件), most of them a colour scan of the original (原件彩色扫描件). These checks
look for the faults a program can see — blank pages, pages not upright, scans too coarse to read, grey scans — and
only warn: the uploader and the clerk see the warnings, the file is kept as it is.

They run inside the worker process (`python -m wrp.documents.pdfworker --scan-checks`, with its memory and CPU
limits) on the sanitised PDF, with PDFium (pypdfium2) to read and render pages and Pillow to measure the renderings.
This module imports no Django. Every page is judged as a reader sees it: with its `/Rotate` applied. Per page:

- **rotated**: the page's text runs sideways or upside down as displayed. With text objects (a typed page, or a scan
  with an OCR layer): the direction of their text matrices, less the page's `/Rotate`, in the quarter turn most of
  them share (`text_orientation`). Without text, on a scanned page: the rendering's text lines run vertically
  (`is_sideways`), or, horizontal, they are ragged on the left and flush on the right — a page read left to right
  turned by 180° (`is_upside_down`). The turned pages are also listed in the warning's `upside_down`.
- **low_resolution**: on a scanned page (one image covering at least half of the page) whose image has fewer than
  `Thresholds.min_dpi` pixels per inch of the page in its coarser direction, the text is measured: its lines' inked
  height in the image's pixels, against the height of body text (`TEXT_BAND_PT`) scanned at `min_dpi`. A phone photo
  stored at 72 dpi has big text in pixels and passes; a coarse scan has small text and warns. A page where no text
  lines can be measured is judged by its pixels: fewer than an A5 sheet at `min_dpi` warns.
- **blank_page**: the rendering at `RENDER_DPI`, margins cut, has at most `blank_max_ink_per_10000` ‱ of pixels
  farther than `faint_ink_distance` grey levels (or four times the background's own noise, if more) from the page's
  background (its most frequent grey): faint but legible text (a pale print, a pencil) is ink, the paper's grain and
  the scanner's noise are not, a few specks of dust are too little. A page that looks blank is rendered again at
  `BLANK_CONFIRM_DPI` and must look blank there too (thin faint strokes lose their contrast at 48 dpi).
- **greyscale** (reported as page numbers; the caller turns them into `not_colour` for colour materials only): the
  scanned page's image is DeviceGray, CalGray or 1-bit; or the rendering has fewer than `colour_min_per_10000` ‱ of
  pixels whose chroma (max − min of R, G, B) reaches `colour_min_chroma`.
- **not_checked**: a page that was not rendered (past `max_rendered_pages`, the time budget spent, or the rendering
  failed), so the checks that need its picture (blank, sideways or upside-down scans, the text size) did not run.

A blank page gets `blank_page` alone. Rendering is bounded: the first `max_rendered_pages` pages only, at `RENDER_DPI`
(fewer dots for pages larger than `MAX_RENDER_PIXELS` allow), and none once `time_budget_s` is spent; the cheap checks
(text direction, the image's resolution and colour space: a few milliseconds a page) read every page. A check that
fails on a page is recorded in the report's `failures` and yields no warning for that page.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from wrp.documents.scanlines import (
    TEXT_BAND_PT,
    TEXT_MAX_BAND_PT,
    TEXT_MIN_LINES,
    is_sideways,
    is_upside_down,
    text_lines,
)

RENDER_DPI = 48
BLANK_CONFIRM_DPI = 150  # a page that looks blank at RENDER_DPI is looked at again, closer
MAX_RENDER_PIXELS = 4_000_000  # an A0 page at 48 dpi; larger pages are rendered coarser
SCANNED_PAGE_COVERAGE = 0.5  # one image covering at least half of the page makes it a scanned page
MARGIN = 0.03  # cut from each side before measuring: scanner edges and shadows are not content
MAX_OBJECTS = 5000  # page objects examined per page in search of the scanned image and the text
MAX_FORM_DEPTH = 4
# Text direction from text objects: at least TEXT_MIN_OBJECTS of them, TEXT_MIN_SHARE sharing one quarter turn.
TEXT_MIN_OBJECTS = 3
TEXT_MIN_SHARE = 0.6
MIN_PAGE_SQUARE_INCHES = 5.83 * 8.27  # A5: a page without measurable text needs its pixels at min_dpi
NOISE_WINDOW = 16  # grey levels around the background that measure its noise
NOISE_SIGMAS = 4

WARNING_ORDER = ("blank_page", "rotated", "low_resolution", "not_checked")


@dataclass(frozen=True)
class Thresholds:
    """The settings the checks read (wrp.config.settings SCAN_*), passed to the worker as JSON."""

    min_dpi: int = 150
    blank_max_ink_per_10000: int = 20  # 0.2 %: one line of 12-pt text on A4 is 0.46 %
    ink_distance: int = 48  # grey levels from the background that make a pixel ink (text lines, orientation)
    faint_ink_distance: int = 24  # for blank pages: faint legible text is 30+ levels off the paper, noise < 10
    colour_min_chroma: int = 24
    colour_min_per_10000: int = 10  # 0.1 %: a red seal 4 cm across on a white A4 page is above it
    max_rendered_pages: int = 50
    time_budget_s: float = 15.0


@dataclass(frozen=True)
class ScannedImage:
    """The image that covers a scanned page: its resolution on the page, its pixels and whether it was stored grey."""

    dpi: float
    pixels: int
    grey: bool


@dataclass
class PageFindings:
    blank: bool = False
    rotated: bool = False
    upside_down: bool = False
    low_resolution: bool = False
    greyscale: bool = False
    not_checked: bool = False


@dataclass
class ScanReport:
    warnings: list[dict[str, Any]] = field(default_factory=list)
    greyscale_pages: list[int] = field(default_factory=list)
    checked_pages: int = 0
    rendered_pages: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "warnings": self.warnings,
            "greyscale_pages": self.greyscale_pages,
            "checked_pages": self.checked_pages,
            "rendered_pages": self.rendered_pages,
            "failures": self.failures[:50],
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Rendering:
    """A page as displayed, margins cut: its RGB picture, its ink, and how many pixels of it make one point."""

    picture: Any
    ink: Any
    scale: float


def scan_report(pdf: bytes, thresholds: Thresholds) -> ScanReport:
    """Check every page of `pdf` (already sanitised) and gather the findings as warnings with 1-based page numbers."""
    import pypdfium2 as pdfium

    started = time.monotonic()
    report = ScanReport()
    deadline = started + thresholds.time_budget_s
    found: dict[str, list[int]] = {code: [] for code in WARNING_ORDER}
    upside_down: list[int] = []
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
            except Exception as error:  # PDFium cannot load this page: it is not checked
                report.failures.append(f"page {number}: {type(error).__name__}: {error}"[:300])
                found["not_checked"].append(number)
                continue
            try:
                findings = page_findings(page, number, thresholds, render=render, failures=report.failures)
            finally:
                page.close()
            report.checked_pages += 1
            report.rendered_pages += render and not findings.not_checked
            for code, flagged in (
                ("blank_page", findings.blank),
                ("rotated", findings.rotated),
                ("low_resolution", findings.low_resolution),
                ("not_checked", findings.not_checked),
            ):
                if flagged:
                    found[code].append(number)
            if findings.upside_down:
                upside_down.append(number)
            if findings.greyscale:
                report.greyscale_pages.append(number)
    finally:
        document.close()
    report.warnings = [{"code": code, "pages": pages} for code, pages in found.items() if pages]
    for warning in report.warnings:
        if warning["code"] == "rotated" and upside_down:
            warning["upside_down"] = upside_down
    report.seconds = time.monotonic() - started
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
    turn = attempt("text direction", text_orientation, page)
    rendering = attempt("rendering", render_page, page, thresholds.ink_distance) if render else None
    findings.not_checked = rendering is None
    if rendering is not None and attempt("blank", looks_blank, page, rendering, thresholds):
        findings.blank = True
        return findings
    if turn is not None:
        findings.rotated = turn != 0
        findings.upside_down = turn == 180
    elif scanned is not None and rendering is not None:
        if attempt("sideways", is_sideways, rendering.ink):
            findings.rotated = True
        elif attempt("upside down", is_upside_down, rendering.ink):
            findings.rotated = findings.upside_down = True
    if scanned is not None:
        findings.low_resolution = bool(
            attempt(
                "resolution", is_low_resolution, page, scanned, rendering, thresholds.min_dpi,
                findings.rotated and not findings.upside_down,
            )
        )
        findings.greyscale = scanned.grey
    if rendering is not None and not findings.greyscale:
        colourful = attempt(
            "colour", is_colourful, rendering.picture, thresholds.colour_min_chroma, thresholds.colour_min_per_10000
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
    for image, matrix in _objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE):
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
    return ScannedImage(dpi=dpi, pixels=pixels_wide * pixels_high, grey=grey)


def text_orientation(page: Any) -> int | None:
    """The quarter turn (0, 90, 180 or 270, counter-clockwise) of the page's text as displayed, or None when the page
    has too few text objects or they do not agree.

    A text object's matrix (its text matrix and the graphics state's, composed by PDFium) gives the direction its
    baseline runs in user space; the page's `/Rotate` turns the display clockwise, so it is subtracted.
    """
    import pypdfium2.raw as pdfium_c

    votes = [0, 0, 0, 0]
    for _text, matrix in _objects(page, pdfium_c.FPDF_PAGEOBJ_TEXT):
        if matrix.a == 0 and matrix.b == 0:
            continue
        degrees = math.degrees(math.atan2(matrix.b, matrix.a))
        votes[round(degrees / 90) % 4] += 1
    total = sum(votes)
    if total < TEXT_MIN_OBJECTS:
        return None
    quarter = max(range(4), key=votes.__getitem__)
    if votes[quarter] < TEXT_MIN_SHARE * total:
        return None
    return int(quarter * 90 - page.get_rotation()) % 360


def _objects(
    page: Any, kind: int, form: Any = None, outer: Any = None, depth: int = 0, budget: list[int] | None = None
) -> Iterator[tuple[Any, Any]]:
    """Each object of `kind` on the page with the matrix that places it on the page (forms' matrices composed)."""
    import pypdfium2.raw as pdfium_c

    budget = [MAX_OBJECTS] if budget is None else budget
    for obj in page.get_objects(form=form, max_depth=1, level=depth):
        budget[0] -= 1
        if budget[0] < 0:
            return
        if obj.type not in (kind, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        matrix = obj.get_matrix() if outer is None else obj.get_matrix().multiply(outer)
        if obj.type == kind:
            yield obj, matrix
        elif depth + 1 < MAX_FORM_DEPTH:
            yield from _objects(page, kind, obj, matrix, depth + 1, budget)


def _placed_box(matrix: Any) -> tuple[float, float, float, float]:
    """The box, in page space, of the unit square an image is drawn in, under `matrix`."""
    corners = [matrix.on_point(x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs = [x for x, _y in corners]
    ys = [y for _x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def render_page(page: Any, ink_distance: int = Thresholds.ink_distance, dpi: float = RENDER_DPI) -> Rendering:
    """The page as PDFium draws it (its /Rotate applied), in RGB at `dpi` or coarser, margins cut, with its ink."""
    scale = render_scale(page, dpi)
    bitmap = page.render(scale=scale, rev_byteorder=True, limit_image_cache=True)
    picture = bitmap.to_pil().convert("RGB")
    cut_x, cut_y = int(picture.width * MARGIN), int(picture.height * MARGIN)
    picture = picture.crop((cut_x, cut_y, picture.width - cut_x, picture.height - cut_y))
    return Rendering(picture=picture, ink=ink_mask(picture, ink_distance), scale=scale)


def render_scale(page: Any, dpi: float) -> float:
    """Pixels per point to render `page` at `dpi`, or fewer so that it stays within MAX_RENDER_PIXELS."""
    width, height = page.get_size()
    scale = dpi / 72
    if width * height * scale * scale > MAX_RENDER_PIXELS:
        scale = math.sqrt(MAX_RENDER_PIXELS / (width * height))
    return scale


def _background(grey: Any) -> int:
    histogram = grey.histogram()
    window = 4  # a scanned background spreads over a few levels: take the level with the most pixels around it
    return max(range(256), key=lambda level: sum(histogram[max(0, level - window) : level + window + 1]))


def ink_mask(picture: Any, distance: int) -> Any:
    """255 where a pixel is farther than `distance` grey levels from the background (the most frequent grey), else 0."""
    grey = picture.convert("L")
    background = _background(grey)
    return grey.point([255 if abs(level - background) > distance else 0 for level in range(256)])


def faint_ink_mask(picture: Any, distance: int) -> Any:
    """The ink of a page that may be faint: every pixel farther than `distance` grey levels from the background, or
    NOISE_SIGMAS times the background's own spread (the scanner's noise, the paper's grain) if that is more."""
    grey = picture.convert("L")
    histogram = grey.histogram()
    background = _background(grey)
    near = range(max(0, background - NOISE_WINDOW), min(256, background + NOISE_WINDOW + 1))
    count = sum(histogram[level] for level in near)
    spread = math.sqrt(sum(histogram[level] * (level - background) ** 2 for level in near) / max(1, count))
    limit = max(distance, round(NOISE_SIGMAS * spread))
    return grey.point([255 if abs(level - background) > limit else 0 for level in range(256)])


def looks_blank(page: Any, rendering: Rendering, thresholds: Thresholds) -> bool:
    """Whether the page has no more ink than dust, even faint: measured on the rendering, then, if it looks blank
    there, again at BLANK_CONFIRM_DPI, where thin strokes of faint text keep their contrast."""
    for picture in (rendering.picture, None):
        if picture is None:
            picture = render_page(page, thresholds.ink_distance, dpi=BLANK_CONFIRM_DPI).picture
        faint = faint_ink_mask(picture, thresholds.faint_ink_distance)
        if not is_blank(faint, thresholds.blank_max_ink_per_10000):
            return False
    return True


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


def text_dpi(page: Any, image: ScannedImage, rendering: Rendering, *, sideways: bool = False) -> float | None:
    """The resolution the scan's text has, as if it were body text: the median inked height of its text lines in the
    image's pixels, over TEXT_BAND_PT. Measured on a rendering at the image's own resolution (capped at
    MAX_RENDER_PIXELS), where a line of text is as many pixels tall as in the scan; None when fewer than
    TEXT_MIN_LINES lines can be measured."""
    if render_scale(page, image.dpi) > rendering.scale * 1.05:
        rendering = render_page(page, dpi=image.dpi)
    _turned, lines = text_lines(rendering.ink, sideways=sideways)
    if len(lines) < TEXT_MIN_LINES:
        return None
    band_points = statistics.median(end - first for first, end in lines) / rendering.scale
    if band_points > TEXT_MAX_BAND_PT:
        return None
    return image.dpi * band_points / TEXT_BAND_PT


def is_low_resolution(
    page: Any, image: ScannedImage, rendering: Rendering | None, min_dpi: int, sideways: bool
) -> bool:
    """Whether a scanned page is too coarse to read: its image below `min_dpi` on the page, and then its text smaller
    in pixels than body text at `min_dpi` — or, without measurable text, fewer pixels than an A5 sheet at `min_dpi`."""
    if round(image.dpi) >= min_dpi:
        return False
    measured = text_dpi(page, image, rendering, sideways=sideways) if rendering is not None else None
    if measured is not None:
        return round(measured) < min_dpi
    return image.pixels < min_dpi * min_dpi * MIN_PAGE_SQUARE_INCHES
