"""Benchmark of the employee import (issue 15 §1; not part of the test suite): CPU time (time.process_time, one core)
to read and check a 5,000-row sheet — the worker's part before it writes — as .xlsx (openpyxl read-only) and as .csv,
and of the batch pre-check's policy runs for 5,000 people. No database: the checks of the rows and the engine are pure;
the duplicate lookups (two indexed queries per 500 numbers) and the invitations' inserts are not measured here.

    DJANGO_SETTINGS_MODULE=wrp.config.settings .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")

import django  # noqa: E402

django.setup()

from tests.imports.sheets import csv_bytes, employees, xlsx  # noqa: E402

from wrp.imports.precheck import Subject, assess_one  # noqa: E402
from wrp.imports.sheet import read_clean  # noqa: E402

ROWS = 5000
TODAY = date(2026, 11, 26)
UNIT = {
    "kind": "enterprise", "legal_person": True, "registered_district": "chaoyang", "tax_district": "chaoyang",
    "tax_paid_since": "2019-05-01", "registered_capital": 5000000,
    "annual_tax": {"2023": 300000, "2024": 300000, "2025": 300000}, "account": {"status": "open", "district": "chaoyang"},
    "quota_remaining": 1, "quota_frozen": False, "penalty": None, "qualifications": [],
}  # fmt: skip


def cpu(label: str, work) -> object:
    start = time.process_time()
    result = work()
    print(f"{label}: {time.process_time() - start:.2f} s CPU")
    return result


def main() -> None:
    rows = employees(ROWS)
    book = cpu(f"write a {ROWS}-row .xlsx (test data, openpyxl)", lambda: xlsx(rows))
    text = csv_bytes(rows)
    print(f"sizes: xlsx {len(book) / 1024:.0f} KiB, csv {len(text) / 1024:.0f} KiB")
    checked = cpu(f"read + check {ROWS} rows from .xlsx", lambda: list(read_clean(book, "xlsx", today=TODAY)))
    assert all(row is not None for row, _errors in checked)
    cpu(f"read + check {ROWS} rows from .csv", lambda: list(read_clean(text, "csv", today=TODAY)))
    subjects = [Subject(row.name, "", row.facts) for row, _errors in checked if row is not None]
    verdicts = cpu(f"pre-check ({ROWS} × initial)", lambda: [assess_one(s, "initial", UNIT, as_of=TODAY) for s in subjects])
    print("decisions:", {d: sum(1 for v in verdicts if v.decision == d) for d in {v.decision for v in verdicts}})


if __name__ == "__main__":
    main()
