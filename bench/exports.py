"""Exports at size (issue 15 §4): the clerk's list of every case, N rows, written as CSV (streamed) and as Excel
(openpyxl write-only, to a temporary file) — CPU seconds (time.process_time, load-insensitive), queries, the file's
size and the process's peak resident memory after each, to show that neither holds the list in memory and to size
EXPORT_XLSX_MAX_ROWS.

    .venv/bin/python bench/exports.py [N=20000]      (SQLite in a temporary directory; DATABASE_URL for PostgreSQL)
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import timedelta

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
_tmp = tempfile.mkdtemp()
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("WRP_DATA_DIR", _tmp)
os.environ.setdefault("WRP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrp.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from wrp.accounts.models import Role, User  # noqa: E402
from wrp.cases.models import Case  # noqa: E402
from wrp.exports.exporters import EXPORTERS, rows_of  # noqa: E402
from wrp.exports.writers import CHUNK, csv_lines, xlsx_file  # noqa: E402
from wrp.units.models import Unit  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup() -> User:
    call_command("migrate", verbosity=0)
    clerk = User.objects.create_user(username="bench_clerk", role=Role.WINDOW_CLERK)
    handler = User.objects.create_user(username="bench_handler", role=Role.UNIT_HANDLER)
    applicant = User.objects.create_user(username="bench_applicant", role=Role.APPLICANT, real_name="王测试",
                                         id_number_masked="110105********0012")
    unit = Unit.objects.create(name="北京导出测试有限公司", credit_code="91110105MA0000000X")
    today = timezone.localdate()
    Case.objects.bulk_create(
        Case(public_id=f"CB{n:010d}", kind="renewal", state="in_review", unit=unit, applicant=applicant,
             created_by=handler, version=1, time_limit=20, accepted_on=today, due_on=today + timedelta(days=n % 30),
             received_at=timezone.now(), acceptance_due=today)
        for n in range(N)
    )
    return clerk


def run(clerk: User, fmt: str) -> None:
    request = RequestFactory().get(f"/exports/clerk-cases.{fmt}")
    request.user = clerk
    exporter = EXPORTERS["clerk-cases"]
    started = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        parts, columns = exporter.rows(request), exporter.columns()
        if fmt == "csv":
            size = sum(len(line) for line in csv_lines(columns, rows_of(parts, CHUNK)))
        else:
            handle = xlsx_file(columns, rows_of(parts, CHUNK), title="bench")
            size = handle.seek(0, 2)
            handle.close()
    cpu = time.process_time() - started
    print(f"{fmt:4} {N:>7} rows  {cpu:6.2f} s CPU  {N / cpu:8.0f} rows/s  {len(queries):3} queries  "
          f"{size / 1e6:6.1f} MB file  peak RSS {peak_mb():6.0f} MB")


if __name__ == "__main__":
    clerk = setup()
    print(f"load: {os.getloadavg()[0]:.2f}  database: {connection.vendor}  peak RSS after setup {peak_mb():.0f} MB")
    run(clerk, "csv")
    run(clerk, "xlsx")
