"""Valid assessment requests for each of the seven services, and small helpers to vary one fact at a time.

`base_request(service)` is a complete request (contracts/assessment.md) whose every rule passes: the decision is
`eligible`. Its dates are laid out around `as_of` with wide margins (two years of tenure, a contract two years ahead,
a permit a year ahead, a renewal fifty days ahead), so that any declaration date keeps it valid and a test can move
one fact onto a boundary without disturbing the others.

Facts are changed by dotted path, the way the contract names fields (`applicant.children.0.case`):

    base_request("initial", {"unit.kind": "public_institution", "applicant.taxable_income_12m": "169358.4"})
    base_request("initial", applicant__contract_end=None)          # keyword form: `__` stands for `.`
    base_request("initial", {"applicant.contract_end": ABSENT})    # remove the key altogether
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from wrp.policy import Assessment

SERVICES = ("unit_opening", "unit_transfer", "initial", "employer_change", "children_change", "info_change", "renewal")
UNIT_SERVICES = ("unit_opening", "unit_transfer")
PERSONAL_SERVICES = ("initial", "employer_change", "children_change", "info_change", "renewal")
AS_OF = "2025-06-03"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""A value that removes the key: the fact is left out of the request rather than set to null."""


def _shift(as_of: str, **delta: int) -> str:
    return (date.fromisoformat(as_of) + relativedelta(**delta)).isoformat()  # type: ignore[arg-type]


def _unit(service: str, as_of: str) -> dict[str, Any]:
    year = date.fromisoformat(as_of).year
    if service in UNIT_SERVICES:
        account = {"status": "none"} if service == "unit_opening" else {"status": "open", "district": "haidian"}
        return {
            "kind": "enterprise",
            "legal_person": True,
            "registered_district": "chaoyang",
            "tax_district": "chaoyang",
            "tax_paid_since": _shift(as_of, years=-5),
            "registered_capital": 5_000_000,
            "annual_tax": {str(y): 300_000 for y in range(year - 3, year)},
            "account": account,
            "penalty": None,
        }
    unit: dict[str, Any] = {"account": {"status": "open", "district": "chaoyang"}, "penalty": None}
    if service in ("initial", "employer_change"):
        unit |= {"quota_remaining": 2, "quota_frozen": False}
    if service == "initial":
        unit |= {"kind": "enterprise", "qualifications": []}
    if service in ("children_change", "info_change", "renewal"):
        unit |= {"registered_district": "chaoyang", "tax_district": "chaoyang"}
    return unit


def _applicant(service: str, as_of: str, subtype: str | None) -> dict[str, Any] | None:
    year_ahead = {"status": "valid", "valid_until": _shift(as_of, years=1)}
    if service == "initial":
        return {
            "nationality": "CN",
            "hukou": "non_beijing",
            "dispatched": False,
            "employment_start": _shift(as_of, years=-2),
            "contract_end": _shift(as_of, years=2),
            "housing": {"kind": "owned"},
            "talent_condition": 1,
            "degree": "bachelor",
            "work_experience_years": 3,
            "taxable_income_12m": 300_000,
            "income_paid_by_unit": True,
            "social_insurance_months_by_unit": 12,
            "children": [],
            "accompanying_spouse": False,
            "permit": None,
        }
    if service == "employer_change":
        return {"permit": year_ahead, "social_insurance_unit_matches": True, "contract_end": _shift(as_of, years=2)}
    if service == "children_change":
        return {"permit": year_ahead, "children": [{"case": "in_policy"}], "accompanying_spouse": False}
    if service == "info_change":
        applicant: dict[str, Any] = {"permit": year_ahead}
        if subtype == "address":
            applicant["housing"] = {"kind": "owned"}
        return applicant
    if service == "renewal":
        return {
            # fifty days before the end: inside the 60-day window, and 20 working days of review still fit
            "permit": {"status": "valid", "valid_until": _shift(as_of, days=50)},
            "contract_end": _shift(as_of, years=2),
            "income_paid_by_unit": True,
            "social_insurance_months_by_unit": 12,
        }
    return None


def base_request(
    service: str,
    changes: Mapping[str, Any] | None = None,
    /,
    *,
    as_of: str = AS_OF,
    subtype: str = "address",
    **keyword_changes: Any,
) -> dict[str, Any]:
    """A complete, valid request for `service` on `as_of` (every rule passes), with `changes` applied by path."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    request: dict[str, Any] = {"service": service, "as_of": as_of, "unit": _unit(service, as_of)}
    if service == "info_change":
        request["change"] = {"subtype": subtype}
    applicant = _applicant(service, as_of, subtype if service == "info_change" else None)
    if applicant is not None:
        request["applicant"] = applicant
    merged = dict(changes or {})
    merged.update({key.replace("__", "."): value for key, value in keyword_changes.items()})
    return with_facts(request, merged)


def with_facts(request: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of `request` with each dotted path set (intermediate objects created; ABSENT removes the key)."""
    result = copy.deepcopy(dict(request))
    for path, value in changes.items():
        set_path(result, path, value)
    return result


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.b.0.c` in place; list indexes are numbers; ABSENT deletes the last key."""
    parts = path.split(".")
    holder: Any = document
    for part in parts[:-1]:
        if isinstance(holder, list):
            holder = holder[int(part)]
            continue
        if not isinstance(holder.get(part), dict | list):
            holder[part] = {}
        holder = holder[part]
    last = parts[-1]
    if isinstance(holder, list):
        holder[int(last)] = copy.deepcopy(value)
    elif value is ABSENT:
        holder.pop(last, None)
    else:
        holder[last] = copy.deepcopy(value)


def get_path(document: Mapping[str, Any], path: str) -> Any:
    holder: Any = document
    for part in path.split("."):
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    return holder


# --- reading an assessment -------------------------------------------------------------------------------------------


def check_for(assessment: Assessment, rule: str) -> Any:
    """The one check of `rule` in the assessment (fails the test when the rule is absent or appears twice)."""
    found = [check for check in assessment.checks if check.rule == rule]
    assert len(found) == 1, f"{rule}: expected exactly one check, got {[c.rule for c in assessment.checks]}"
    return found[0]


def outcome_of(assessment: Assessment, rule: str) -> str:
    return str(check_for(assessment, rule).outcome)


def rules_in(assessment: Assessment) -> set[str]:
    return {check.rule for check in assessment.checks}


def folded(outcomes: Iterable[str]) -> str:
    """POLICY §2: any fail → ineligible; else any review → needs_review; else eligible (warn changes nothing)."""
    seen = {str(outcome) for outcome in outcomes}
    if "fail" in seen:
        return "ineligible"
    if "review" in seen:
        return "needs_review"
    return "eligible"
