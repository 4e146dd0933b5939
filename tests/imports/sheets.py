"""Sheets of employees for the import tests: 200 valid rows by default, deliberate errors on request."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook

from wrp.imports.sheet import column, columns, template_xlsx

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(n: int, *, birth: str = "19900101") -> str:
    first17 = f"110105{birth}{n % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def person_id(n: int) -> str:
    """A distinct valid number for each n (the birth day moves on every 1,000)."""
    birth = date(1985, 1, 1) + timedelta(days=n // 1000)
    return resident_id(n, birth=birth.strftime("%Y%m%d"))


def zh(key: str, code: str) -> str:
    return next(text for value, text, _en in column(key).choices if value == code)


def employee(n: int, *, low_income: bool = False) -> dict[str, Any]:
    return {
        "name": f"员工{n:04d}",
        "id_number": person_id(n),
        "mobile": f"138{n:08d}",
        "email": "",
        "applicant.employment_start": "2024-01-10",
        "applicant.nationality": zh("applicant.nationality", "CN"),
        "applicant.hukou": zh("applicant.hukou", "non_beijing"),
        "applicant.dispatched": "否",
        "applicant.contract_end": "无固定期限",
        "applicant.housing.kind": zh("applicant.housing.kind", "owned"),
        "applicant.housing.lease_end": "",
        "applicant.talent_condition": "1",
        "applicant.degree": zh("applicant.degree", "bachelor"),
        "applicant.work_experience_years": "3",
        "applicant.professional_title": zh("applicant.professional_title", "none"),
        "applicant.taxable_income_12m": "60000" if low_income else "400000",
        "applicant.income_paid_by_unit": "是",
        "applicant.social_insurance_months_by_unit": "12",
        "applicant.social_insurance_unit_matches": "是",
        "applicant.accompanying_spouse": "否",
    }


def employees(count: int = 200, *, low_income_every: int = 10, start: int = 1) -> list[dict[str, Any]]:
    return [employee(n, low_income=n % low_income_every == 0) for n in range(start, start + count)]


# The seven deliberate errors: (index in the list, key, value, the code reported). Sheet row = index + 2.
SEVEN_ERRORS = (
    (3, "id_number", "110105199001010011", "id:check_digit"),
    (18, "applicant.employment_start", "2024-13-01", "bad_date"),
    (31, "applicant.hukou", "火星户口", "bad_choice"),
    (48, "mobile", "12345", "bad_mobile"),
    (75, "name", "", "required"),
    (118, "id_number", None, "duplicate_in_sheet"),  # the number of the first row
    (148, "applicant.social_insurance_months_by_unit", "15", "months_range"),
)


def with_errors(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    broken = [dict(row) for row in rows]
    for index, key, value, _code in SEVEN_ERRORS:
        broken[index][key] = rows[0]["id_number"] if value is None else value
    return broken


def xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = load_workbook(io.BytesIO(template_xlsx()))
    sheet = book.worksheets[0]
    keys = [col.key for col in columns()]
    for row in rows:
        sheet.append([row.get(key, "") for key in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([col.header for col in columns()])
    keys = [col.key for col in columns()]
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    return out.getvalue().encode(encoding)
