"""The lines of ink on a rendered page (`wrp.documents.scanchecks`): whether they run sideways, whether a page read left
to right was turned by 180° (ragged on the left, flush on the right), and the text lines' heights that measure a scan's
resolution. Pure measurements of a Pillow "1"-mode ink mask, no PDF and no Django: the scan checks render the page and
ask these.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from typing import Any

# Sideways text: the rendering's empty columns (no more than EMPTY_LINE_INK of their length inked), within the ink's
# extent, must be at least SIDEWAYS_MIN_EMPTY of them, SIDEWAYS_RATIO times the share of empty rows, and separate at
# least SIDEWAYS_MIN_LINES bands of ink (text lines).
EMPTY_LINE_INK = 0.02
SIDEWAYS_MIN_EMPTY = 0.15
SIDEWAYS_RATIO = 2.0
SIDEWAYS_MIN_LINES = 3
MIN_EXTENT = 20  # pixels: ink spread over less than this is too little to judge its lines
SKEW_ANGLES = (0.0, -1.5, 1.5, -3.0, 3.0)  # degrees: scans are rarely straighter than this
# Upside down: at least UPSIDE_MIN_LINES text lines; a line's end is flush when within UPSIDE_FLUSH_EMS line heights
# of the common margin (so a first-line indent of two characters is flush); the left side must have at least
# UPSIDE_MIN_RAGGED ragged lines, UPSIDE_RATIO times as many as the right side, and a third of all lines.
UPSIDE_MIN_LINES = 4
UPSIDE_FLUSH_EMS = 2.5
UPSIDE_MIN_RAGGED = 3
UPSIDE_RATIO = 2.0
# Text size: a line of 10-pt English text inks about this height (10.5-pt Chinese, 五号, about 9.5 pt); lines between
# TEXT_MIN_BAND_PX pixels of the rendering and TEXT_MAX_BAND_PT points tall count as text (thinner: rules; taller:
# headings, seals, photos).
TEXT_BAND_PT = 6.5
TEXT_MIN_BAND_PX = 3
TEXT_MAX_BAND_PT = 30.0
TEXT_MIN_LINES = 3


def _straightened(ink: Any) -> Iterator[Any]:
    """The ink within its bounding box, at each angle of SKEW_ANGLES (a scan a little askew shows its lines at one)."""
    from PIL import Image

    box = ink.getbbox()
    if box is None or box[2] - box[0] < MIN_EXTENT or box[3] - box[1] < MIN_EXTENT:
        return
    inked = ink.crop(box)
    for angle in SKEW_ANGLES:
        turned = inked
        if angle:
            turned = inked.rotate(angle, resample=Image.Resampling.NEAREST, expand=True)
            turned = turned.crop(turned.getbbox())
        yield turned


def is_sideways(ink: Any) -> bool:
    """Whether the inked lines of a scan run vertically: text turned by 90° or 270°.

    Lines of text upright leave empty rows between them and hardly any empty column; turned sideways, the reverse.
    Measured within the ink's bounding box, so margins do not count, and at each angle of `SKEW_ANGLES`, keeping the
    best, so a scan a little askew still shows its lines. A photo, a form crossed by rules or too little ink gives no
    verdict (False).
    """
    from PIL import Image

    empty_rows = empty_columns = 0.0
    column_bands = 0
    for turned in _straightened(ink):
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
    empty, bands = _row_bands(ink)
    return empty / max(1, ink.height), len(bands)


def _row_bands(ink: Any) -> tuple[int, list[tuple[int, int]]]:
    """How many of the mask's rows are (nearly) empty, and the bands of inked rows between them as (first, end)."""
    width, height = ink.size
    data = ink.tobytes()
    limit = max(1, int(EMPTY_LINE_INK * width))
    empty = 0
    bands: list[tuple[int, int]] = []
    start: int | None = None
    for row in range(height):
        if data[row * width : (row + 1) * width].count(255) <= limit:
            empty += 1
            if start is not None:
                bands.append((start, row))
                start = None
        elif start is None:
            start = row
    if start is not None:
        bands.append((start, height))
    return empty, bands


def text_lines(ink: Any, *, sideways: bool = False) -> tuple[Any, list[tuple[int, int]]]:
    """The mask straightened at the skew angle that leaves the most empty rows (columns when `sideways`), and its
    bands of ink that have the height of text lines (taller ones — headings, seals, photos — left out)."""
    from PIL import Image

    best: tuple[int, Any, list[tuple[int, int]]] | None = None
    for turned in _straightened(ink):
        if sideways:
            turned = turned.transpose(Image.Transpose.TRANSPOSE)
        empty, bands = _row_bands(turned)
        if best is None or empty > best[0]:
            best = (empty, turned, bands)
    if best is None:
        return ink, []
    _empty, turned, bands = best
    lines = [(first, end) for first, end in bands if end - first >= TEXT_MIN_BAND_PX]
    if len(lines) >= TEXT_MIN_LINES:
        middle = statistics.median(end - first for first, end in lines)
        lines = [(first, end) for first, end in lines if end - first <= 2.5 * middle]
    return turned, lines


def is_upside_down(ink: Any) -> bool:
    """Whether horizontal text lines are ragged on the left and flush on the right: a page written left to right
    (Chinese and English alike), turned by 180°.

    Upright, lines start at the left margin (a first-line indent of two characters still counts as flush) and some
    end short of the right one (a paragraph's last line, ragged English); turned, the reverse. The margins are the
    second outermost line ends. A line ragged on both sides (a centred title) says nothing; nor does a line ragged on
    the left in the bottom quarter of the text, or on the right in its top quarter: a date or signature aligned right
    at the foot of an upright page, or at the head of a turned one. The verdict needs UPSIDE_MIN_RAGGED lines ragged
    on the left only and UPSIDE_RATIO times fewer ragged on the right only; too few lines gives none (False).
    """
    turned, lines = text_lines(ink)
    if len(lines) < UPSIDE_MIN_LINES:
        return False
    spans: list[tuple[int, int, int]] = []  # (row, left, right)
    for first, end in lines:
        box = turned.crop((0, first, turned.width, end)).getbbox()
        if box is not None:
            spans.append((first, box[0], box[2]))
    if len(spans) < UPSIDE_MIN_LINES:
        return False
    flush = UPSIDE_FLUSH_EMS * statistics.median(end - first for first, end in lines)
    left_margin = _common_edge([left for _row, left, _right in spans])
    right_margin = -_common_edge([-right for _row, _left, right in spans])
    top, bottom = spans[0][0], spans[-1][0]
    head, foot = top + (bottom - top) / 4, bottom - (bottom - top) / 4
    ragged_left = ragged_right = 0
    for row, left, right in spans:
        left_ragged, right_ragged = left - left_margin > flush, right_margin - right > flush
        if left_ragged and not right_ragged and row < foot:
            ragged_left += 1
        elif right_ragged and not left_ragged and row > head:
            ragged_right += 1
    return ragged_left >= UPSIDE_MIN_RAGGED and ragged_left >= UPSIDE_RATIO * ragged_right


def _common_edge(edges: list[int]) -> int:
    """The margin the lines keep to: the second smallest edge (one speck or stray mark does not move it)."""
    return sorted(edges)[1]
