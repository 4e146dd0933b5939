"""Writing a list as a file: CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese) streamed row by row,
and Excel (.xlsx, openpyxl's write-only mode) written to a temporary file a row at a time and streamed from it.

Neither holds the list in memory: the rows come from a queryset's `iterator()` in chunks (one query per
`CHUNK` rows), a CSV line leaves as soon as it is written, the workbook's rows go straight to its temporary file.
A cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return) is prefixed with
an apostrophe (OWASP's CSV injection advice): names and reasons are typed by people outside the bureau.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

BOM = "\ufeff"
CHUNK = 2000  # rows read per query
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Value = str | int | Decimal | date | datetime | None


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (translated lazily, read in the page's language) and how a row gives its
    value."""

    header: str | Promise
    value: Callable[[Any], Any]


def plain(value: Any) -> Value:
    """A cell's value as the file keeps it: text safe from formula injection, local naive times, Decimal and
    integers as numbers, lazy translations as text."""
    if value is None or isinstance(value, bool):
        return "" if value is None else (gettext("是") if value else gettext("否"))
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if timezone.is_aware(value) else value
    if isinstance(value, (int, Decimal, date)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns what it was given (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: Value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def csv_lines(columns: list[Column], rows: Iterable[Any]) -> Iterator[bytes]:
    """The CSV, line by line, as UTF-8 bytes; the first carries the byte-order mark and the headers."""
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow([str(column.header) for column in columns])).encode()
    for row in rows:
        yield writer.writerow([_csv_text(plain(column.value(row))) for column in columns]).encode()


def xlsx_file(columns: list[Column], rows: Iterable[Any], *, title: str) -> Any:
    """The workbook in a temporary file (deleted when closed), positioned at its start, with the headers in bold and
    a row per row. Write-only mode: each row is written to disk as it comes."""
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, plain(column.value(row))) for column in columns])
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the FileResponse that streams it
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_cell(sheet: Any, value: Value) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value
