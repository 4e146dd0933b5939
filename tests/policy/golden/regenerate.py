"""Regenerate cli_golden.json: what `wrp assess` printed for a fixed set of requests (run from the repository root).

    .venv/bin/python tests/policy/golden/regenerate.py

The file pins the command line's exact bytes (exit status, standard output, standard error, in both languages) so that
a change to how the engine reads or runs a request cannot change an answer unnoticed. Regenerate it only when an answer
is meant to change, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from tests.policy.factories import ABSENT, SERVICES, base_request, with_facts  # noqa: E402

from wrp.cli import assess_command  # noqa: E402

GOLDEN = Path(__file__).with_name("cli_golden.json")

# (path, value) changes that make a request invalid, or valid in an unusual way
CHANGES: list[tuple[str, Any]] = [
    ("applicant.hukou", "x"),
    ("applicant.hukou", ABSENT),
    ("applicant.contract_end", ABSENT),
    ("applicant.contract_end", None),
    ("applicant.contract_end", "2025-02-30"),
    ("applicant.contract_end", "2025-6-3"),
    ("applicant.employment_start", "２０２５-０６-０３"),
    ("applicant.taxable_income_12m", -1),
    ("applicant.taxable_income_12m", "300000.50"),
    ("applicant.taxable_income_12m", "1e5"),
    ("applicant.taxable_income_12m", " 1"),
    ("applicant.taxable_income_12m", 1.5),
    ("applicant.taxable_income_12m", True),
    ("applicant.taxable_income_12m", "NaN"),
    ("applicant.taxable_income_12m", 12345678901234567890),
    ("applicant.social_insurance_months_by_unit", 1201),
    ("applicant.social_insurance_months_by_unit", 12.0),
    ("applicant.social_insurance_months_by_unit", "12"),
    ("applicant.talent_condition", 11),
    ("applicant.talent_condition", 4),
    ("applicant.talent_condition", 5),
    ("applicant.nationality", "cn"),
    ("applicant.nationality", "US"),
    ("applicant.dispatched", 0),
    ("applicant.housing", {"kind": "rented_rural"}),
    ("applicant.housing", {"kind": "rented_residential", "lease_end": "2025-07-01"}),
    ("applicant.housing", {"kind": None}),
    ("applicant.children", [{}, {"case": None}, {"case": "x"}, {"case": "in_policy", "x": 1}]),
    ("applicant.children", [{"case": "in_policy"}, {"case": "out_of_wedlock"}]),
    ("applicant.children", "in_policy"),
    ("applicant.permit", {"status": "valid", "valid_until": "2026-01-01"}),
    ("applicant.permit", {"status": "valid"}),
    ("applicant.award", {"level": "national", "grade": 4}),
    ("applicant.taxable_income_by_year", {"2024": 1, "abc": 2, "1899": 3, "2024 ": 4}),
    ("applicant.taxable_income_by_year", {"2022": 700000, "2023": 700000, "2024": 700000}),
    ("applicant.work_experience_years", 81),
    ("applicant.work_experience_years", "1.5"),
    ("applicant.extra", 1),
    ("unit.kind", ABSENT),
    ("unit.kind", "other"),
    ("unit.account", {"status": "open"}),
    ("unit.account", {"status": "open", "district": None}),
    ("unit.account", {"status": "closed", "district": "haidian"}),
    ("unit.quota_remaining", -1),
    ("unit.quota_remaining", 0),
    ("unit.quota_frozen", True),
    ("unit.penalty", "blacklisted"),
    ("unit.qualifications", ["nope"]),
    ("unit.qualifications", ["high_tech_enterprise", "law_firm"]),
    ("unit.annual_tax", {"2024": "abc"}),
    ("change", {"subtype": "address"}),
    ("as_of", "1989-12-31"),
    ("as_of", "2017-06-01"),
    ("as_of", "2027-06-01"),
    ("as_of", "2025-06-03T00:00"),
    ("service", "nope"),
    ("service", ABSENT),
    ("unit", ABSENT),
    ("applicant", ABSENT),
    ("applicant", []),
]
RAW: list[tuple[str, str]] = [
    ("not json", "{"),
    ("empty", ""),
    ("a list", "[]"),
    ("a string", '"initial"'),
    ("NaN literal", '{"service": "initial", "as_of": "2025-06-03", "applicant": {"taxable_income_12m": NaN}}'),
    ("a key twice", '{"service": "unit_opening", "service": "initial", "as_of": "2025-06-03"}'),
    ("byte order mark", '\ufeff{"service": "initial", "as_of": "2025-06-03"}'),
    ("escaped text", '{"service": "\\u0069nitial", "as_of": "2025-06-03"}'),
]


def requests() -> list[tuple[str, str]]:
    import assess as bench  # bench/assess.py: the mixed corpus of the benchmark

    cases = [("contract example", (ROOT / "tests" / "contract" / "example_request.json").read_text(encoding="utf-8"))]
    corpus = bench.corpus()[::4]  # every service, dates and outcomes; a quarter keeps the file small
    cases += [(f"bench corpus {n}", json.dumps(request, ensure_ascii=False)) for n, request in enumerate(corpus)]
    for service in SERVICES:
        for as_of in ("2025-06-03", "2026-12-28"):
            subtypes = ("address", "name_or_hukou", "education") if service == "info_change" else ("address",)
            for subtype in subtypes:
                request = base_request(service, as_of=as_of, subtype=subtype)
                cases.append((f"{service} {subtype} {as_of}", json.dumps(request, ensure_ascii=False)))
    for condition in range(1, 11):
        request = base_request("initial", {"applicant.talent_condition": condition})
        cases.append((f"initial condition {condition}", json.dumps(request, ensure_ascii=False)))
    for service in ("initial", "renewal", "unit_opening"):
        for path, value in CHANGES:
            request = with_facts(base_request(service), {path: value})
            cases.append((f"{service} {path}={value!r}", json.dumps(request, ensure_ascii=False)))
    return cases + RAW


def run(stdin: str, lang: str) -> dict[str, Any]:
    """`wrp assess --lang LANG` in this process: exit status, standard error, and standard output by its SHA-256.

    (An answer runs to a few kilobytes; its digest pins every byte and keeps the file small. The decision is kept
    in clear to make the file readable.)
    """
    text = io.TextIOWrapper(io.BytesIO(stdin.encode()), encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    status = assess_command(["--lang", lang], text, stdout, stderr)
    printed = stdout.getvalue()
    decision = json.loads(printed)["decision"] if status == 0 else None
    return {
        "status": status,
        "decision": decision,
        "stdout_sha256": hashlib.sha256(printed.encode()).hexdigest(),
        "stderr": stderr.getvalue(),
    }


def main() -> None:
    golden = [
        {"name": name, "stdin": stdin, "answers": {lang: run(stdin, lang) for lang in ("zh", "en")}}
        for name, stdin in requests()
    ]
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in golden)
    GOLDEN.write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"{len(golden)} requests, each answered in both languages, written to {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
