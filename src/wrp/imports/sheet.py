"""The employees sheet: its columns, the template a handler downloads, reading an upload (xlsx or csv) and checking
every row with the validators of the single forms.

One row per employee: name, resident ID number, mobile and/or email, start date, then the self-check's facts
(`wrp.public.questions.FACTS`: the same wording, the same codes). A choice cell takes the code, or its Chinese or
English wording (the template's drop-down lists offer the Chinese). Headers are matched by their Chinese or English
half, so a handler may reorder or drop the optional columns. Errors name the sheet row (as Excel numbers it, the
header being row 1), the column (letter and header) and the reason in both languages — never the cell's value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from wrp.policy.codes import HousingKind
from wrp.policy.identifiers import normalise_resident_id, resident_id_problem
from wrp.public.questions import FACTS, ask
from wrp.public.wording import code_choices

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024
XLSX, CSV = "xlsx", "csv"
OPEN_ENDED = ("无固定期限", "open-ended")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
EARLIEST = date(1950, 1, 1)

Pair = tuple[str, str]


@dataclass(frozen=True)
class Column:
    key: str  # name | id_number | mobile | email | a fact path ("applicant.hukou")
    zh: str
    en: str
    kind: str  # text, id_number, mobile, email, or a question kind (date, choice, yes_no, money, decimal, count, …)
    required: bool = False
    choices: tuple[tuple[str, str, str], ...] = ()  # (code, Chinese, English)
    hint: Pair = ("", "")

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"

    def title(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _fact_column(path: str, *, kind: str | None = None, required: bool = False, hint: Pair = ("", "")) -> Column:
    spec = FACTS.get(path, None)
    if path == "applicant.housing.kind":
        question = ask(path, "choice", code_choices(HousingKind))
    elif path in ("applicant.housing.lease_end", "applicant.contract_end"):
        question = ask(path, "date")
    else:
        assert isinstance(spec, tuple)
        question = ask(path, *spec)
    zh, en = question.choice_labels("zh"), dict(question.choice_labels("en"))
    choices = tuple((code, text, en[code]) for code, text in zh)
    return Column(path, question.label("zh"), question.label("en"), kind or question.kind, required, choices, hint)


def _columns() -> tuple[Column, ...]:
    return (
        Column("name", "姓名", "Name", "text", True),
        Column("id_number", "公民身份号码", "Resident ID number", "id_number", True),
        Column(
            "mobile",
            "手机号码",
            "Mobile",
            "mobile",
            hint=("手机号码与电子邮箱至少填一项", "Mobile or email, at least one"),
        ),
        Column("email", "电子邮箱", "Email", "email"),
        _fact_column("applicant.employment_start", required=True, hint=("YYYY-MM-DD", "YYYY-MM-DD")),
        _fact_column("applicant.nationality"),
        _fact_column("applicant.hukou"),
        _fact_column("applicant.dispatched"),
        _fact_column(
            "applicant.contract_end",
            kind="contract_end",
            hint=("YYYY-MM-DD，或“无固定期限”", "YYYY-MM-DD, or “open-ended”"),
        ),
        _fact_column("applicant.housing.kind"),
        _fact_column("applicant.housing.lease_end", hint=("租住房屋必填", "Required for rented housing")),
        _fact_column("applicant.talent_condition"),
        _fact_column("applicant.degree"),
        _fact_column("applicant.work_experience_years", hint=("年", "years")),
        _fact_column("applicant.professional_title"),
        _fact_column("applicant.taxable_income_12m", hint=("元", "yuan")),
        _fact_column("applicant.income_paid_by_unit"),
        _fact_column("applicant.social_insurance_months_by_unit", hint=("0–12", "0–12")),
        _fact_column("applicant.social_insurance_unit_matches"),
        _fact_column("applicant.accompanying_spouse"),
    )


_CACHE: dict[str, tuple[Column, ...]] = {}


def columns() -> tuple[Column, ...]:
    if "all" not in _CACHE:
        _CACHE["all"] = _columns()
    return _CACHE["all"]


def column(key: str) -> Column:
    return next(col for col in columns() if col.key == key)


# --- the template --------------------------------------------------------------------------------------------------

INSTRUCTIONS: tuple[Pair, ...] = (
    ("每行填写一名员工；第1行为表头，请勿修改。", "One employee per row; row 1 holds the headers, do not change them."),
    (
        "带 * 的列必填；手机号码与电子邮箱至少填一项。",
        "Columns marked * are required; give a mobile number or an email, or both.",
    ),
    ("日期格式为 YYYY-MM-DD；金额以元为单位。", "Dates as YYYY-MM-DD; amounts in yuan."),
    (
        "选择项请使用下拉列表中的文字（也可填写英文或代码）。",
        "For the choices use the drop-down wording (the English wording or the code is accepted too).",
    ),
    (
        f"每个文件最多 {MAX_ROWS} 行，不超过 10 MB；也可上传 UTF-8 或 GB18030 编码的 CSV 文件，表头相同。",
        f"At most {MAX_ROWS} rows and 10 MB a file; a CSV file (UTF-8 or GB18030) with the same headers is accepted too.",
    ),
    (
        "导入后系统向每名员工发出关联邀请，员工登录确认后才与本单位关联。",
        "The import sends each employee an association invitation; they are associated only once they confirm it.",
    ),
)


def template_xlsx() -> bytes:
    """The template: the sheet 员工 with the headers, drop-down lists for the choices, and the sheet 填写说明."""
    book = Workbook()
    sheet = book.active
    sheet.title = "员工 Employees"
    lists = book.create_sheet("选项 Choices")
    for index, col in enumerate(columns(), start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=col.header + (" *" if col.required else ""))
        cell.font = Font(bold=True)
        if col.required:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        sheet.column_dimensions[letter].width = max(14, len(col.header) + 4)
        if col.choices:
            lists.cell(row=1, column=index, value=col.zh)
            for offset, (_code, zh, _en) in enumerate(col.choices, start=2):
                lists.cell(row=offset, column=index, value=zh)
            last = len(col.choices) + 1
            rule = DataValidation(
                type="list",
                formula1=f"='选项 Choices'!${letter}$2:${letter}${last}",
                allow_blank=True,
                showErrorMessage=True,
            )
            rule.error, rule.errorTitle = "请从列表中选择 / Choose from the list", col.zh
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        elif col.kind in ("date",):
            rule = DataValidation(
                type="date", operator="greaterThan", formula1="DATE(1950,1,1)", allow_blank=True, showErrorMessage=True
            )
            rule.error = "YYYY-MM-DD"
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        if col.kind in ("id_number", "mobile", "date", "contract_end"):
            sheet.column_dimensions[letter].number_format = "@"  # text, so 18-digit numbers keep their digits
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"
    notes = book.create_sheet("填写说明 Instructions")
    notes.column_dimensions["A"].width = 90
    for row, (zh, en) in enumerate(INSTRUCTIONS, start=1):
        notes.cell(row=2 * row - 1, column=1, value=zh)
        notes.cell(row=2 * row, column=1, value=en).font = Font(italic=True)
    start = 2 * len(INSTRUCTIONS) + 2
    notes.cell(row=start, column=1, value="列 Columns").font = Font(bold=True)
    for offset, col in enumerate(columns(), start=1):
        hint = f" — {col.hint[0]} / {col.hint[1]}" if col.hint[0] else ""
        notes.cell(row=start + offset, column=1, value=f"{col.header}{' *' if col.required else ''}{hint}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading an upload ---------------------------------------------------------------------------------------------


class SheetRefused(Exception):
    """The file is not a sheet this import reads (`reason`: not_sheet, too_large, too_many_rows, no_header,
    damaged)."""

    def __init__(self, reason: str, message: Pair) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message


REFUSALS: dict[str, Pair] = {
    "too_large": ("文件超过 10 MB。", "The file is larger than 10 MB."),
    "not_sheet": (
        "文件不是 .xlsx 工作簿或 CSV 文本文件。",
        "The file is neither an .xlsx workbook nor a CSV text file.",
    ),
    "damaged": ("文件已损坏，无法读取。", "The file is damaged and cannot be read."),
    "no_header": (
        "第1行应为模板的表头（至少包括姓名、公民身份号码、入职日期）。",
        "Row 1 must hold the template's headers (at least name, resident ID number and start date).",
    ),
    "too_many_rows": (f"文件超过 {MAX_ROWS} 行。", f"The file has more than {MAX_ROWS} rows."),
    "empty": ("文件中没有员工数据。", "The file holds no employee rows."),
}


def refuse(reason: str) -> SheetRefused:
    return SheetRefused(reason, REFUSALS[reason])


def sniff(data: bytes) -> str:
    """`xlsx` or `csv` by content (a real xlsx zip with a workbook part, or text), else SheetRefused."""
    if len(data) > MAX_BYTES:
        raise refuse("too_large")
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            raise refuse("damaged") from None
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise refuse("not_sheet")
        return XLSX
    if data.startswith(BINARY_SIGNATURES):
        raise refuse("not_sheet")
    head = decode_csv(data)
    if any(ord(char) < 32 and char not in "\t\r\n" for char in head[:65536]):
        raise refuse("not_sheet")  # text has no control characters: a binary file that happens to decode
    return CSV


# %PDF, the old .xls (OLE2), images, gzip, 7z, rar: files that are not a sheet this import reads
BINARY_SIGNATURES = (
    b"%PDF",
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
)


def decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse("not_sheet")


def _cell_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def raw_rows(data: bytes, file_format: str) -> Iterator[list[Any]]:
    """Every row of the first sheet (or of the CSV) as cell values, the header first."""
    if file_format == XLSX:
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise refuse("damaged") from None
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield [_cell_text(value) for value in row]
        finally:
            book.close()
        return
    text = decode_csv(data)
    for row in csv.reader(io.StringIO(text, newline="")):
        yield [cell.strip() for cell in row]


def _header_key(text: str) -> str | None:
    text = str(text or "").replace("*", "").strip().lower()
    if not text:
        return None
    for col in columns():
        if text in (col.header.lower(), col.zh.lower(), col.en.lower(), col.key.lower()):
            return col.key
    return None


@dataclass
class Parsed:
    """The sheet as read: which column holds which key, and the data rows (sheet row number, cells by key)."""

    positions: dict[str, int]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def parse(data: bytes, file_format: str) -> Parsed:
    rows = raw_rows(data, file_format)
    header = next(rows, None)
    if not header:
        raise refuse("no_header")
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text) if isinstance(text, str) else None
        if key is not None and key not in positions:
            positions[key] = index
    if not {"name", "id_number", "applicant.employment_start"} <= set(positions):
        raise refuse("no_header")
    parsed = Parsed(positions)
    for number, cells in enumerate(rows, start=2):
        values = {key: cells[index] if index < len(cells) else "" for key, index in positions.items()}
        if all(value in ("", None) for value in values.values()):
            continue  # blank lines (Excel keeps formatted empty rows) are not employees
        if len(parsed.rows) >= MAX_ROWS:
            raise refuse("too_many_rows")
        parsed.rows.append((number, values))
    if not parsed.rows:
        raise refuse("empty")
    return parsed


# --- checking the rows ---------------------------------------------------------------------------------------------

MESSAGES: dict[str, Pair] = {
    "required": ("必填。", "Required."),
    "contact_required": ("手机号码与电子邮箱至少填写一项。", "Give a mobile number or an email address."),
    "bad_mobile": ("手机号码应为以1开头的11位数字。", "A mobile number has 11 digits starting with 1."),
    "bad_email": ("电子邮箱格式不正确。", "The email address is not valid."),
    "bad_date": ("日期格式应为 YYYY-MM-DD。", "A date must be written YYYY-MM-DD."),
    "date_range": ("日期不在合理范围内。", "The date is out of range."),
    "start_in_future": ("入职日期不能晚于今天。", "The start date cannot be after today."),
    "bad_choice": ("不是可选的值，请从下拉列表中选择。", "Not one of the choices: pick one from the drop-down list."),
    "bad_number": ("应为不小于0的数字。", "Must be a number of at least 0."),
    "bad_count": ("应为不小于0的整数。", "Must be a whole number of at least 0."),
    "months_range": ("应为0到12之间的整数。", "Must be a whole number from 0 to 12."),
    "lease_end_required": ("租住房屋须填写租期截止日。", "Rented housing needs the lease's end date."),
    "name_too_long": ("姓名不超过100个字。", "A name has at most 100 characters."),
}


@dataclass
class RowError:
    row: int
    column: str  # letter, "" when the column is absent from the sheet
    field: str
    code: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
        }


@dataclass
class CleanRow:
    row: int
    name: str
    id_number: str
    mobile: str
    email: str
    start_date: date
    facts: dict[str, Any]


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")[1:]  # without "applicant"
    for part in parts[:-1]:
        tree = tree.setdefault(part, {})
    tree[parts[-1]] = value


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        raise ValueError("bad_date")
    try:
        result = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError("bad_date") from None
    if not EARLIEST <= result <= date(2100, 12, 31):
        raise ValueError("date_range")
    return result


def _choice(col: Column, value: str) -> str:
    wanted = value.strip().lower()
    for code, zh, en in col.choices:
        if wanted in (code.lower(), zh.lower(), en.lower()):
            return code
    raise ValueError("bad_choice")


YES_NO = {"yes": True, "no": False}


def _cell(col: Column, value: Any, today: date) -> Any:
    """The cell's value for the facts (ValueError(code) when it is not acceptable)."""
    kind = col.kind
    if kind == "text":
        if len(str(value)) > 100:
            raise ValueError("name_too_long")
        return str(value)
    if kind == "id_number":
        problem = resident_id_problem(str(value))
        if problem is not None:
            raise ValueError("id:" + problem.code, problem.zh, problem.en)
        return normalise_resident_id(str(value))
    if kind == "mobile":
        number = re.sub(r"[\s-]", "", str(value)).removeprefix("+86")
        if not MOBILE.match(number):
            raise ValueError("bad_mobile")
        return number
    if kind == "email":
        try:
            validate_email(str(value))
        except ValidationError:
            raise ValueError("bad_email") from None
        return str(value).strip()
    if kind == "date":
        return _date(value).isoformat()
    if kind == "contract_end":
        if str(value).strip().lower() in OPEN_ENDED:
            return None
        return _date(value).isoformat()
    if kind in ("choice", "none_choice"):
        code = _choice(col, str(value))
        return None if code == "none" else code
    if kind == "number_choice":
        return int(_choice(col, str(value)))
    if kind == "yes_no":
        return YES_NO[_choice(col, str(value))]
    if kind in ("money", "decimal"):
        try:
            amount = Decimal(str(value).replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise ValueError("bad_number") from None
        if not amount.is_finite() or amount < 0:
            raise ValueError("bad_number")
        return str(amount) if kind == "money" else float(amount)
    if kind == "count":
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError("bad_count")
        count = int(text)
        if col.key == "applicant.social_insurance_months_by_unit" and count > 12:
            raise ValueError("months_range")
        return count
    raise ValueError("bad_choice")  # pragma: no cover - every kind of `columns()` is handled above


def check_rows(parsed: Parsed, *, today: date) -> Iterator[tuple[CleanRow | None, list[RowError]]]:
    """Each data row checked: its clean values, or None with its errors (row, column, reason). A resident ID number
    given on an earlier row is an error on the later one."""
    letters = {key: get_column_letter(index + 1) for key, index in parsed.positions.items()}
    seen: dict[str, int] = {}
    by_key = {col.key: col for col in columns()}
    for number, cells in parsed.rows:
        errors: list[RowError] = []

        def fail(
            key: str, code: str, message: Pair | None = None, errors: list[RowError] = errors, number: int = number
        ) -> None:
            zh, en = message or MESSAGES[code]
            errors.append(RowError(number, letters.get(key, ""), key, code, zh, en))

        values: dict[str, Any] = {}
        for key, col in by_key.items():
            raw = cells.get(key, "")
            if raw in ("", None):
                if col.required:
                    fail(key, "required")
                continue
            try:
                values[key] = _cell(col, raw, today)
            except ValueError as problem:
                code, *pair = problem.args
                fail(key, code, (pair[0], pair[1]) if pair else None)
        if (
            not values.get("mobile")
            and not values.get("email")
            and "mobile" not in {e.field for e in errors}
            and "email" not in {e.field for e in errors}
        ):
            fail("mobile" if "mobile" in letters or "email" not in letters else "email", "contact_required")
        start = values.get("applicant.employment_start")
        if start and date.fromisoformat(start) > today:
            fail("applicant.employment_start", "start_in_future")
        housing = values.get("applicant.housing.kind")
        if (
            housing in ("rented_residential", "rented_rural")
            and "applicant.housing.lease_end" not in values
            and "applicant.housing.lease_end" not in {e.field for e in errors}
        ):
            fail("applicant.housing.lease_end", "lease_end_required")
        number_id = values.get("id_number")
        if number_id:
            if number_id in seen:
                fail(
                    "id_number",
                    "duplicate_in_sheet",
                    (
                        f"与第 {seen[number_id]} 行的公民身份号码重复。",
                        f"The same resident ID number as row {seen[number_id]}.",
                    ),
                )
            else:
                seen[number_id] = number
        if errors:
            yield None, errors
            continue
        facts: dict[str, Any] = {}
        for key, value in values.items():
            if key.startswith("applicant."):
                _set(facts, key, value)
        yield (
            CleanRow(
                number,
                values["name"],
                str(number_id),
                values.get("mobile", ""),
                values.get("email", ""),
                date.fromisoformat(values["applicant.employment_start"]),
                facts,
            ),
            [],
        )


def read_clean(data: bytes, file_format: str, *, today: date) -> Iterable[tuple[CleanRow | None, list[RowError]]]:
    return check_rows(parse(data, file_format), today=today)
