"""Benchmark of the policy engine (make bench; not part of the test suite).

1. Assessments per CPU-second (time.process_time), one core, over a mixed corpus of all seven services: from
   JSON-like dicts (validation included; target ≥ 10,000, issue 14), from JSON text, and from request models.
2. CPU time of `wrp assess FILE` from a cold process (user + system of the child, resource.getrusage(RUSAGE_CHILDREN)),
   median of several runs, against `python -c pass` measured the same way in the same run (target < 200 ms). Each
   run is a new interpreter; bytecode caches are used as an installed program uses them.
"""

from __future__ import annotations

import json
import os
import resource
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
TARGET_RATE = 10_000  # assessments per CPU-second from dicts (issue 14)
TARGET_CLI_MS = 200  # CPU milliseconds of `wrp assess` from cold (issue 14)


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
    """Assessments per CPU-second (process time), the calendar and wage table built beforehand as a server has them."""
    calendar, wages = default_calendar(), builtin_table()
    for request in requests:  # warm up
        assess(request, calendar=calendar, wages=wages)
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for request in requests:
            assess(request, calendar=calendar, wages=wages)
        done += len(requests)
    return done / (time.process_time() - start)


def child_cpu_ms(command: list[str], runs: int) -> float:
    """Median CPU time (user + system, ms) of a command run `runs` times, each a new process.

    The processes run as an installed program does: Python may cache the bytecode of the modules it imports (a
    PYTHONDONTWRITEBYTECODE in this environment is not passed on), and a first run, not counted, writes that cache.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, check=True, capture_output=True, env=env)
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, check=True, capture_output=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(samples)


def cli_cpu_ms(runs: int = 11) -> tuple[float, float]:
    """`wrp assess FILE` and `python -c pass`, each from cold: median CPU milliseconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(EXAMPLE, handle)
    script = Path(sys.executable).parent / "wrp"
    try:
        bare = child_cpu_ms([sys.executable, "-c", "pass"], runs)
        cli = child_cpu_ms([str(script), "assess", handle.name], runs)
    finally:
        os.unlink(handle.name)
    return cli, bare


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    requests = corpus()
    services = sorted({request["service"] for request in requests})
    print(f"corpus: {len(requests)} requests over {len(services)} services: {', '.join(services)}")
    from_dicts = rate(requests)
    from_json = rate([json.dumps(request).encode() for request in requests], seconds=2.0)
    models = [AssessmentRequest.model_validate(request) for request in requests]
    from_models = rate(models, seconds=2.0)
    cli, bare = cli_cpu_ms()
    rate_ok, cli_ok = from_dicts >= TARGET_RATE, cli < TARGET_CLI_MS
    print(
        f"assessments per CPU-second, from JSON-like dicts (validation included): {from_dicts:9,.0f}"
        f"   target ≥ {TARGET_RATE:,} ({from_dicts / TARGET_RATE:.2f}×)  {verdict(rate_ok)}"
    )
    print(f"assessments per CPU-second, from JSON text (bytes):                     {from_json:9,.0f}")
    print(f"assessments per CPU-second, from request models:                        {from_models:9,.0f}")
    print(
        f"wrp assess, cold process, CPU ms (median of 11): {cli:6.1f}   python -c pass: {bare:5.1f}"
        f" ({cli / bare:.1f}×, {cli - bare:.1f} ms more)   target < {TARGET_CLI_MS} ms  {verdict(cli_ok)}"
    )
    return 0 if rate_ok and cli_ok else 1


if __name__ == "__main__":
    sys.exit(main())
