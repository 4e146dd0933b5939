"""Benchmark of the policy engine (make bench; not part of the test suite).

1. Assessments per second in-process, one core, over a mixed corpus of all seven services (requests as JSON-like
   dicts, so validation is included), and the same from pre-built request models.
2. Median wall time of `wrp assess FILE` from a cold process (a new Python interpreter each time).
Targets (issue 2): ≥ 10,000 assessments/s; `wrp assess` < 300 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from copy import deepcopy
from pathlib import Path

from wrp.policy import assess
from wrp.policy.models import AssessmentRequest
from wrp.policy.wages import builtin_table
from wrp.policy.workdays import default_calendar

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = json.loads((ROOT / "tests" / "contract" / "example_request.json").read_text(encoding="utf-8"))
TARGET_RATE = 10_000
TARGET_CLI_MS = 300


def corpus() -> list[dict]:
    """A mixed corpus: every service, several dates, unit kinds, conditions, housing kinds and outcomes."""
    requests = []
    unit = EXAMPLE["unit"]
    applicant = EXAMPLE["applicant"]
    permit = {"status": "valid", "valid_until": "2026-12-20"}
    for day in ("2025-06-03", "2025-10-09", "2026-02-02", "2026-11-26"):
        for kind in ("enterprise", "public_institution", "foreign_rep_office"):
            opening_unit = {**unit, "kind": kind, "account": {"status": "none", "district": None}}
            requests.append({"service": "unit_opening", "as_of": day, "unit": opening_unit})
            moving_unit = {**unit, "kind": kind, "account": {"status": "open", "district": "haidian"}}
            requests.append({"service": "unit_transfer", "as_of": day, "unit": moving_unit})
        for condition in (1, 2, 4, 5, 8):
            first = deepcopy(EXAMPLE)
            first["as_of"] = day
            first["applicant"]["talent_condition"] = condition
            first["applicant"]["professional_title"] = "intermediate"
            first["applicant"]["taxable_income_by_year"] = {
                "2022": 700000,
                "2023": 700000,
                "2024": 700000,
                "2025": 700000,
            }
            first["applicant"]["annual_tax_paid"] = {"2022": 250000, "2023": 250000, "2024": 250000, "2025": 250000}
            requests.append(first)
        holder = {**applicant, "permit": permit}
        requests.append({"service": "employer_change", "as_of": day, "unit": unit, "applicant": holder})
        requests.append({"service": "children_change", "as_of": day, "unit": unit, "applicant": holder})
        for subtype in ("address", "name_or_hukou", "education"):
            requests.append(
                {
                    "service": "info_change",
                    "as_of": day,
                    "change": {"subtype": subtype},
                    "unit": unit,
                    "applicant": holder,
                }
            )
        requests.append({"service": "renewal", "as_of": day, "unit": unit, "applicant": holder})
    for request in requests:
        assess(request)  # every request of the corpus is valid
    return requests


def rate(requests: list, seconds: float = 3.0) -> float:
    calendar, wages = default_calendar(), builtin_table()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for request in requests:
            assess(request, calendar=calendar, wages=wages)
        done += len(requests)
    return done / (time.perf_counter() - start)


def cli_median_ms(runs: int = 15) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(EXAMPLE, handle)
    script = Path(sys.executable).parent / "wrp"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(script), "assess", handle.name], check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    os.unlink(handle.name)
    return statistics.median(times)


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    requests = corpus()
    services = sorted({request["service"] for request in requests})
    print(f"corpus: {len(requests)} requests over {len(services)} services: {', '.join(services)}")
    from_dicts = rate(requests)
    models = [AssessmentRequest.model_validate(request) for request in requests]
    from_models = rate(models)
    cli = cli_median_ms()
    print(f"assessments/s, one core, from JSON-like dicts (validation included): {from_dicts:,.0f}")
    print(f"assessments/s, one core, from request models:                        {from_models:,.0f}")
    print(f"wrp assess, cold process, median of 15:                            {cli:.0f} ms")
    ok = from_dicts >= TARGET_RATE and cli < TARGET_CLI_MS
    print(f"targets (≥ {TARGET_RATE:,}/s, < {TARGET_CLI_MS} ms): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
