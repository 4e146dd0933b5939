"""Answers that must not change when the engine changes how it reads or runs a request.

- `golden/cli_golden.json` pins what `wrp assess` printed, byte for byte, for a fixed set of requests in both languages
  (valid ones of every item, and invalid ones of many kinds); `golden/regenerate.py` writes it.
- A request is read by a fast reader into plain objects, and through the pydantic models only when the fast reader is
  unsure. The two must agree: the fast reader accepts only requests the models accept, and the answers are the same.
- `wrp assess` answers a valid request without loading pydantic (its cold start; the timing itself is in bench/).
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.policy.factories import ABSENT, SERVICES, base_request, with_facts
from wrp.cli import assess_command
from wrp.policy import InvalidRequest, evaluate
from wrp.policy.codes import District, HousingKind
from wrp.policy.models import AssessmentRequest
from wrp.policy.plain import read_fast

GOLDEN = json.loads((Path(__file__).parent / "golden" / "cli_golden.json").read_text(encoding="utf-8"))
EXAMPLE = Path(__file__).parents[1] / "contract" / "example_request.json"


@pytest.mark.parametrize("case", GOLDEN, ids=[case["name"] for case in GOLDEN])
def test_wrp_assess_prints_exactly_what_it_printed_before(case: dict[str, Any]) -> None:
    for lang, expected in case["answers"].items():
        stdin = io.TextIOWrapper(io.BytesIO(case["stdin"].encode()), encoding="utf-8")
        stdout, stderr = io.StringIO(), io.StringIO()
        status = assess_command(["--lang", lang], stdin, stdout, stderr)
        printed = stdout.getvalue()
        assert (status, stderr.getvalue()) == (expected["status"], expected["stderr"]), lang
        assert hashlib.sha256(printed.encode()).hexdigest() == expected["stdout_sha256"], (lang, printed)
        if status == 0:
            assert json.loads(printed)["decision"] == expected["decision"]


# --- the fast reader and the models agree ----------------------------------------------------------------------------

PATHS = (
    "service", "as_of", "change", "change.subtype", "unit", "unit.kind", "unit.legal_person", "unit.registered_district",
    "unit.tax_district", "unit.tax_paid_since", "unit.registered_capital", "unit.annual_tax", "unit.account",
    "unit.account.status", "unit.account.district", "unit.quota_remaining", "unit.quota_frozen", "unit.penalty",
    "unit.qualifications", "unit.other", "applicant", "applicant.nationality", "applicant.hukou", "applicant.dispatched",
    "applicant.employment_start", "applicant.contract_end", "applicant.housing", "applicant.housing.kind",
    "applicant.housing.lease_end", "applicant.talent_condition", "applicant.degree", "applicant.work_experience_years",
    "applicant.professional_title", "applicant.award", "applicant.ip", "applicant.startup", "applicant.annual_tax_paid",
    "applicant.recommended_and_approved", "applicant.overseas_qualification", "applicant.taxable_income_12m",
    "applicant.taxable_income_by_year", "applicant.income_paid_by_unit", "applicant.social_insurance_months_by_unit",
    "applicant.social_insurance_unit_matches", "applicant.children", "applicant.accompanying_spouse",
    "applicant.permit", "applicant.permit.status", "applicant.permit.valid_until", "applicant.other", "other",
)  # fmt: skip
VALUES: tuple[Any, ...] = (
    None, ABSENT, True, False, 0, 1, -1, 3, 11, 81, 1201, 1.5, -0.0, 2.0, 1e20, 12345678901234567890, float("nan"),
    "", " 1", "1_000", "１２", "0300000", "300000.50", "1e5", "+5", ".5", "NaN", "2025-06-03", "2025-02-30",
    "2025-6-3", "２０２５-０６-０３", "2025-06-03T00:00", "1989-12-31", "CN", "cn", "C", "chaoyang", "Chaoyang",
    "enterprise", "valid", "owned", "rented_rural", "in_policy", "bachelor", "intermediate", "open", "blacklisted",
    "non_beijing", "address", "initial", [], ["high_tech_enterprise"], ["nope"], [{"case": "in_policy"}], [{}],
    [None], {}, {"x": 1}, {"2024": 1}, {"2024": "abc"}, {"1899": 1}, {"2024 ": 5}, {2024: 5}, {"02024": 5},
    {"kind": "rented_residential", "lease_end": "2026-03-01"}, {"status": "valid", "valid_until": "2026-01-01"},
    {"status": "open", "district": "chaoyang"}, {"status": "open"}, {"level": "national", "grade": 1},
    {"author_rank": 1, "invention_patents": 1, "other_patents": 0, "software_copyrights": 0,
     "commercialised_in_beijing": True},
    {"self_investment_3y": 6000000, "equity_financing": 0, "avg_annual_tax_3y": 0, "shareholding_percent": 5,
     "shareholder_rank": 5},
    {"subtype": "address"}, Decimal("5"), Decimal("-1"), Decimal("NaN"), date(2025, 6, 3), District.HAIDIAN,
    HousingKind.OWNED, (1,), b"CN",
)  # fmt: skip


def _answers(request: Any) -> tuple[str, Any]:
    try:
        evaluation = evaluate(request)
    except InvalidRequest as invalid:
        return "invalid", invalid.fields
    return "ok", (evaluation, evaluation.assessment("zh").as_json_dict(), evaluation.assessment("en").as_json_dict())


@pytest.mark.parametrize("service", SERVICES)
def test_the_fast_reader_accepts_only_what_the_models_accept_and_reads_the_same_facts(service: str) -> None:
    disagreements = []
    for path in PATHS:
        for value in VALUES:
            request = with_facts(base_request(service), {path: value})
            fast = read_fast(request)
            try:
                model = AssessmentRequest.model_validate(request)
            except ValidationError:
                if fast is not None:
                    disagreements.append((path, value, "read fast, refused by the models"))
                continue
            if fast is not None and _answers(request) != _answers(model):
                disagreements.append((path, value, "answered differently"))
    assert disagreements == []


@pytest.mark.parametrize("service", SERVICES)
def test_json_text_is_read_fast_like_the_same_dict(service: str) -> None:
    for path in PATHS:
        for value in VALUES:
            request = with_facts(base_request(service), {path: value})
            try:
                text = json.dumps(request, ensure_ascii=False, allow_nan=False)
            except (TypeError, ValueError):
                continue  # not JSON
            if json.loads(text) != request:
                continue  # not the same request as JSON (a number as a key, a tuple, a date…)
            fast = read_fast(request)
            assert (read_fast(text) is None, read_fast(text.encode()) is None) == (fast is None, fast is None)
            if fast is not None:  # (what the fast reader refuses goes to the models, as before)
                assert _answers(text) == _answers(text.encode()) == _answers(request), (path, value)


def test_wrp_assess_answers_a_valid_request_without_loading_pydantic() -> None:
    code = (
        "import sys, wrp.cli;"
        "status = wrp.cli.main(['assess', sys.argv[1]]);"
        "print(status, sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'django', 'ninja')),"
        " file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["decision"] == "eligible"
    assert result.stderr.strip() == "0 []"
