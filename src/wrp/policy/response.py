"""The engine's answer (contracts/assessment.md §Response) as light dataclasses, fast to build.

The pydantic `*Schema` twins in `wrp.policy.models` describe the same JSON for the OpenAPI document; this module
needs no pydantic, so that `wrp assess` answers without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from wrp.policy.codes import Decision, Outcome, Reviewer, Service
from wrp.policy.quick import quick_init


@quick_init
@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    outcome: Outcome
    clause: str
    message: str


@quick_init
@dataclass(frozen=True, slots=True)
class Income:
    reference_year: int
    reference_monthly_wage: str
    multiplier: str
    monthly_threshold: str
    annual_threshold: str


@quick_init
@dataclass(frozen=True, slots=True)
class Assessment:
    """The engine's answer (contract: assessment.md §Response)."""

    service: Service
    as_of: date
    decision: Decision
    checks: tuple[Check, ...]
    manual_checks: tuple[str, ...]
    income: Income | None
    materials: tuple[str, ...]
    time_limit_working_days: int
    decision_due: date
    review_chain: tuple[Reviewer, ...]
    provisional: bool = False

    def as_json_dict(self) -> dict[str, Any]:
        """The contract's JSON object: dates ISO, codes as strings, `provisional` only when true."""
        data: dict[str, Any] = {
            "service": self.service.value,
            "as_of": self.as_of.isoformat(),
            "decision": self.decision.value,
            "checks": [
                {"rule": c.rule, "outcome": c.outcome.value, "clause": c.clause, "message": c.message}
                for c in self.checks
            ],
            "manual_checks": list(self.manual_checks),
            "income": None
            if self.income is None
            else {
                "reference_year": self.income.reference_year,
                "reference_monthly_wage": self.income.reference_monthly_wage,
                "multiplier": self.income.multiplier,
                "monthly_threshold": self.income.monthly_threshold,
                "annual_threshold": self.income.annual_threshold,
            },
            "materials": list(self.materials),
            "time_limit_working_days": self.time_limit_working_days,
            "decision_due": self.decision_due.isoformat(),
            "review_chain": [reviewer.value for reviewer in self.review_chain],
        }
        if self.provisional:
            data["provisional"] = True
        return data
