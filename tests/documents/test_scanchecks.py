"""The scan pre-checks: each fault a scan can have, generated here, and the warning it gets — or none for a good scan.

The scans are Pillow pictures of a small document (text lines, a blue header, a red seal) saved as PDF at a chosen
resolution. Most tests go through `inspect_and_sanitise`, so the checks run where they run for real: in the worker.
"""

from __future__ import annotations

import io
import random
import subprocess
import time

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from wrp.documents import pdfcheck, scanchecks
from wrp.documents.pdfcheck import inspect_and_sanitise
from wrp.documents.scanchecks import Thresholds, scan_report

PAPER = (246, 244, 238)
PAGE_INCHES = (4.1, 5.8)  # A6: small scans keep the tests quick; the checks do not depend on the page size
WORDS = ("the", "applicant", "declares", "facts", "true", "and", "complete", "unit", "contract", "income", "12")


def document(*, dpi: int = 200, colour: bool = True, inches: tuple[float, float] = PAGE_INCHES) -> Image.Image:
    """A page of a document as a scanner sees it: text lines, and in colour a blue header and a red seal."""
    width, height = int(inches[0] * dpi), int(inches[1] * dpi)
    picture = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=max(8, int(dpi * 0.14)))
    if colour:
        draw.rectangle((0, 0, width, int(height * 0.08)), fill=(30, 90, 180))
        radius = int(dpi * 0.6)
        x, y = int(width * 0.7), int(height * 0.75)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=(210, 30, 40), width=max(2, dpi // 30))
    words = random.Random(6)
    y = int(height * 0.12)
    while y < height * 0.9:
        line = " ".join(words.choice(WORDS) for _ in range(words.randint(4, 7)))
        draw.text((int(width * 0.08), y), line, fill=(20, 20, 20), font=font)
        y += int(dpi * 0.28)
    return picture


def blank(*, dpi: int = 200, specks: int = 0) -> Image.Image:
    """An empty sheet of paper, with `specks` spots of dust."""
    picture = Image.new("RGB", (int(PAGE_INCHES[0] * dpi), int(PAGE_INCHES[1] * dpi)), PAPER)
    draw = ImageDraw.Draw(picture)
    spots = random.Random(3)
    for _ in range(specks):
        x, y = spots.randrange(100, picture.width - 100), spots.randrange(100, picture.height - 100)
        draw.ellipse((x, y, x + 10, y + 10), fill=(40, 40, 40))
    return picture


def scan(*pictures: Image.Image, dpi: int = 200) -> bytes:
    """The pictures as a scanner's PDF: one full-page image a page, `dpi` pixels to the inch."""
    buffer = io.BytesIO()
    pictures[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=list(pictures[1:]))
    return buffer.getvalue()


def saved(pdf: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def joined(*documents: bytes) -> bytes:
    """The pages of several PDFs in one (scans made at different resolutions)."""
    whole = pikepdf.new()
    parts = [pikepdf.open(io.BytesIO(data)) for data in documents]  # open until the whole is saved
    for part in parts:
        whole.pages.extend(part.pages)
    return saved(whole)


def with_rotate(data: bytes, *, page: int, degrees: int) -> bytes:
    pdf = pikepdf.open(io.BytesIO(data))
    pdf.pages[page - 1].obj.Rotate = degrees
    return saved(pdf)


def warnings_of(data: bytes) -> list[dict]:
    return inspect_and_sanitise(data).warnings


def test_a_colour_scan_at_200_dpi_gets_no_warning():
    checked = inspect_and_sanitise(scan(document(), document()))
    assert (checked.warnings, checked.greyscale_pages) == ([], [])


@pytest.mark.parametrize(
    "grey",
    [lambda page: page.convert("L"), lambda page: page.convert("1"), lambda page: page.convert("L").convert("RGB")],
    ids=["DeviceGray-image", "1-bit-image", "grey-pixels-in-an-RGB-image"],
)
def test_a_grey_scan_is_reported_as_grey_on_its_page(grey):
    checked = inspect_and_sanitise(scan(document(), grey(document(colour=False))))
    assert checked.greyscale_pages == [2]
    assert checked.warnings == []  # not_colour is the case's to give: only some materials must be in colour


def test_a_colour_scan_of_a_black_and_white_original_with_a_red_seal_is_colour():
    page = document(colour=False)
    ImageDraw.Draw(page).ellipse((420, 700, 660, 940), outline=(210, 30, 40), width=6)
    assert inspect_and_sanitise(scan(page)).greyscale_pages == []


def test_a_blank_page_among_three_is_reported_and_only_as_blank():
    checked = inspect_and_sanitise(scan(document(), blank(), document()))
    assert checked.warnings == [{"code": "blank_page", "pages": [2]}]
    assert checked.greyscale_pages == []


def test_a_blank_page_with_specks_of_dust_is_still_blank():
    assert warnings_of(scan(blank(specks=8))) == [{"code": "blank_page", "pages": [1]}]


def test_a_typed_page_with_one_line_is_not_blank_but_one_with_only_its_page_number_is():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica", 12)
    page.drawString(72, 700, "The applicant declares that the facts given above are true and complete.")
    page.showPage()
    page.drawString(290, 40, "- 2 -")
    page.showPage()
    page.save()
    assert scan_report(buffer.getvalue(), Thresholds()).warnings == [{"code": "blank_page", "pages": [2]}]


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_an_upright_page_turned_by_its_rotate_entry_is_reported_rotated(degrees):
    """Judged as displayed: /Rotate 90 or 270 shows it sideways, 180 upside down."""
    data = with_rotate(scan(document(), document()), page=2, degrees=degrees)
    expected = {"code": "rotated", "pages": [2], **({"upside_down": [2]} if degrees == 180 else {})}
    assert warnings_of(data) == [expected]


@pytest.mark.parametrize(
    ("degrees", "grey"),
    [(90, False), (270, True), (92, False), (267.5, True)],
    ids=["90", "270-grey", "92-askew", "267.5-askew-grey"],
)
def test_a_scan_of_a_document_lying_sideways_is_reported_rotated(degrees, grey):
    page = document(colour=not grey).rotate(degrees, expand=True, fillcolor=PAPER)
    assert warnings_of(scan(page)) == [{"code": "rotated", "pages": [1]}]


@pytest.mark.parametrize("degrees", [0, 2, -3], ids=["straight", "2-degrees-askew", "3-degrees-askew-the-other-way"])
def test_an_upright_scan_a_little_askew_is_not_reported_rotated(degrees):
    page = document().rotate(degrees, expand=True, fillcolor=PAPER)
    assert warnings_of(scan(page)) == []


def test_an_upright_table_with_rules_is_not_reported_rotated():
    page = document(colour=False)
    draw = ImageDraw.Draw(page)
    for x in range(60, page.width, 180):
        draw.line((x, 120, x, page.height - 120), fill=(0, 0, 0), width=3)
    for y in range(120, page.height - 100, 56):
        draw.line((60, y, page.width - 60, y), fill=(0, 0, 0), width=3)
    assert scan_report(scan(page), Thresholds()).warnings == []


def test_a_landscape_document_scanned_landscape_is_upright():
    assert warnings_of(scan(document(inches=(5.8, 4.1)))) == []


def test_a_72_dpi_scan_is_too_coarse_to_read():
    data = joined(scan(document()), scan(document(dpi=72), dpi=72))
    assert warnings_of(data) == [{"code": "low_resolution", "pages": [2]}]


@pytest.mark.parametrize(("dpi", "low"), [(100, True), (149, False), (150, False)], ids=["100-dpi", "149-dpi", "150-dpi"])
def test_below_150_dpi_the_text_size_decides(dpi, low):
    """150 dpi passes outright; below, the 10-pt text must be as tall in pixels as body text at 150 dpi."""
    warnings = scan_report(scan(document(dpi=dpi), dpi=dpi), Thresholds()).warnings
    assert warnings == ([{"code": "low_resolution", "pages": [1]}] if low else [])


@pytest.mark.parametrize(("widen", "low"), [(1.5, True), (3, False)], ids=["image-on-two-thirds-of-the-page", "image-on-a-third"])
def test_the_resolution_is_that_of_the_image_as_placed_on_a_page_it_mostly_covers(widen, low):
    """A 72-dpi image on a page wider than itself: still 72 dpi, but only a scan when it covers half the page."""
    pdf = pikepdf.open(io.BytesIO(scan(document(dpi=72), dpi=72)))
    box = pdf.pages[0].mediabox
    pdf.pages[0].mediabox = [0, 0, float(box[2]) * widen, float(box[3])]
    warnings = scan_report(saved(pdf), Thresholds()).warnings
    assert warnings == ([{"code": "low_resolution", "pages": [1]}] if low else [])


@pytest.mark.parametrize(
    ("setting", "value", "make", "before", "after"),
    [
        ("SCAN_MIN_DPI", 60, lambda: scan(document(dpi=72), dpi=72), [{"code": "low_resolution", "pages": [1]}], []),
        ("SCAN_BLANK_MAX_INK_PER_10000", 0, lambda: scan(blank(specks=8)), [{"code": "blank_page", "pages": [1]}], []),
        ("SCAN_MAX_RENDERED_PAGES", 1, lambda: scan(document(), blank()), [{"code": "blank_page", "pages": [2]}],
         [{"code": "not_checked", "pages": [2]}]),
    ],
    ids=["min-dpi-60-passes-a-72-dpi-scan", "no-ink-allowed-on-a-blank-page", "only-the-first-page-rendered"],
)
def test_the_thresholds_come_from_the_settings(settings, setting, value, make, before, after):
    data = make()
    assert warnings_of(data) == before
    setattr(settings, setting, value)
    assert warnings_of(data) == after


def test_the_colour_thresholds_come_from_the_settings(settings):
    data = scan(document())
    assert inspect_and_sanitise(data).greyscale_pages == []
    settings.SCAN_COLOUR_MIN_CHROMA = 255  # no pixel is that colourful
    assert inspect_and_sanitise(data).greyscale_pages == [1]


def test_pages_past_the_rendering_cap_get_the_cheap_checks_and_are_reported_not_checked():
    grey = document(dpi=72, colour=False).convert("L")
    data = with_rotate(scan(document(dpi=72), blank(dpi=72), grey, dpi=72), page=3, degrees=90)
    report = scan_report(data, Thresholds(max_rendered_pages=1))
    assert report.rendered_pages == 1
    assert report.warnings == [
        {"code": "low_resolution", "pages": [1, 2, 3]},  # pixels alone (an A6 at 72 dpi) for the unrendered pages
        {"code": "not_checked", "pages": [2, 3]},  # blank page 2 and sideways page 3 are not seen: the user is told
    ]
    assert report.greyscale_pages == [3]  # its image is DeviceGray


def test_a_typed_page_is_judged_by_its_text_direction_without_rendering():
    from tests.documents.scan_corpus import typed

    data = joined(typed(), typed(turn=180), typed(rotate=90), typed(landscape_content=True, rotate=90))
    report = scan_report(data, Thresholds(max_rendered_pages=0))
    assert report.warnings == [
        {"code": "rotated", "pages": [2, 3], "upside_down": [2]},
        {"code": "not_checked", "pages": [1, 2, 3, 4]},
    ]


def test_once_the_time_budget_is_spent_no_page_is_rendered_but_the_cheap_checks_go_on():
    report = scan_report(scan(blank(dpi=72), blank(dpi=72), dpi=72), Thresholds(time_budget_s=0))
    assert (report.checked_pages, report.rendered_pages) == (2, 0)
    assert report.warnings == [{"code": "low_resolution", "pages": [1, 2]}, {"code": "not_checked", "pages": [1, 2]}]
    assert report.failures == ["time budget spent: pages 1–50 not rendered"]


def test_a_check_that_fails_on_a_page_gives_no_warning_and_the_other_checks_still_run(monkeypatch):
    def broken(page, *args, **options):
        raise RuntimeError("cannot render")

    monkeypatch.setattr(scanchecks, "render_page", broken)
    report = scan_report(scan(blank(dpi=72), dpi=72), Thresholds())
    assert report.warnings == [  # not blank_page: that needs the rendering, so the page is reported not checked
        {"code": "low_resolution", "pages": [1]},
        {"code": "not_checked", "pages": [1]},
    ]
    assert report.failures == ["page 1 rendering: RuntimeError: cannot render"]


@pytest.mark.parametrize(
    "outcome",
    [
        subprocess.CompletedProcess([], -9, b"", b"killed"),
        subprocess.CompletedProcess([], 0, b"not json\n", b""),
        subprocess.CompletedProcess([], 0, b'{"ok": false, "detail": "PdfiumError"}\n', b""),
        subprocess.CompletedProcess([], 0, b'{"ok": true, "warnings": [{"code": "smudged", "pages": [1]}]}\n', b""),
        subprocess.CompletedProcess([], 0, b'{"ok": true, "warnings": [], "greyscale_pages": [7]}\n', b""),
        subprocess.TimeoutExpired([], 20),
    ],
    ids=["killed-by-a-limit", "not-json", "could-not-check", "unknown-code", "page-out-of-range", "timed-out"],
)
def test_scan_checks_that_cannot_finish_accept_the_file_without_warnings(monkeypatch, caplog, outcome):
    real_run = subprocess.run

    def run(command, **options):
        if "--scan-checks" not in command:
            return real_run(command, **options)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(pdfcheck.subprocess, "run", run)
    checked = inspect_and_sanitise(scan(blank(), dpi=200))
    assert (checked.pages, checked.warnings, checked.greyscale_pages) == (1, [], [])
    assert "scan pre-checks" in caplog.text


def test_scan_checks_that_cannot_even_start_accept_the_file_without_warnings(monkeypatch, caplog):
    def broken():
        raise AttributeError("SCAN_MIN_DPI")

    monkeypatch.setattr(pdfcheck, "scan_thresholds", broken)
    checked = inspect_and_sanitise(scan(blank()))
    assert (checked.pages, checked.warnings) == (1, [])
    assert "scan pre-checks could not run" in caplog.text


def test_the_same_upload_is_always_sanitised_to_the_same_bytes():
    """What makes a file uploaded twice recognisable by its SHA-256 (the case's `duplicate` warning)."""
    data = scan(document())
    first = inspect_and_sanitise(data)
    time.sleep(1.1)  # qpdf's default /ID is made from the time, in seconds
    assert inspect_and_sanitise(data).sha256 == first.sha256
