"""What a rule is: one function per rule ID of POLICY §5–§7, its clause, the facts it reads, and its verdict.

A rule function takes the `Context` of one assessment and returns a `Verdict` — the outcome and the reason in Chinese
and English, with the numbers used. The `rule` decorator registers it under its ID with the clause it cites and the
fact paths it reads (which makes those facts required in a request for any service the rule applies to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, TypeAlias

from wrp.policy.codes import ChangeSubtype, Outcome, Service
from wrp.policy.quick import quick_init
from wrp.policy.wages import Threshold, WageTable, plain
from wrp.policy.workdays import Calendar

if TYPE_CHECKING:
    from wrp.policy.models import Applicant, Unit
    from wrp.policy.plain import ApplicantFacts, UnitFacts

# The rules read the plain facts of a validated request (wrp.policy.plain); callers that build a `Context` by hand
# (the guide pages, the case workflow) may hand them the pydantic models instead: the field names are the same.
UnitLike: TypeAlias = "UnitFacts | Unit"
ApplicantLike: TypeAlias = "ApplicantFacts | Applicant"


@dataclass(frozen=True, slots=True)
class Context:
    service: Service
    as_of: date
    unit: UnitLike
    applicant: ApplicantLike
    subtype: ChangeSubtype | None
    calendar: Calendar
    wages: WageTable
    time_limit: int


class Verdict(NamedTuple):
    """A rule's answer (a named tuple: immutable, and cheap to build — every rule of every assessment returns one)."""

    outcome: Outcome
    zh: str
    en: str
    income: Threshold | None = None
    clause: str | None = None  # a more precise clause than the rule's own, e.g. the talent condition claimed


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    reads: tuple[str, ...]
    check: Callable[[Context], Verdict]
    doc: str = ""


@quick_init
@dataclass(frozen=True, slots=True)
class Result:
    rule: str
    clause: str
    outcome: Outcome
    zh: str
    en: str
    income: Threshold | None = field(default=None, compare=False)


RULES: dict[str, Rule] = {}
SECTION = {
    Service.UNIT_OPENING: "G1",
    Service.UNIT_TRANSFER: "G2",
    Service.INITIAL: "G3",
    Service.EMPLOYER_CHANGE: "G4",
    Service.CHILDREN_CHANGE: "G5",
    Service.INFO_CHANGE: "G6",
    Service.RENEWAL: "G7",
}


def cited(context: Context, verdict: Verdict, heading: str) -> Verdict:
    """The same requirement stands in each item's own section of the guide: cite the one of the service assessed."""
    return Verdict(verdict.outcome, verdict.zh, verdict.en, verdict.income, f"{SECTION[context.service]}.{heading}")


def rule(rule_id: str, *, clause: str, reads: tuple[str, ...]) -> Callable[[Callable[[Context], Verdict]], Rule]:
    """Register a rule function under its POLICY ID."""

    def register(function: Callable[[Context], Verdict]) -> Rule:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        registered = Rule(rule_id, clause, reads, function, (function.__doc__ or "").strip())
        RULES[rule_id] = registered
        return registered

    return register


def run(registered: Rule, context: Context) -> Result:
    verdict = registered.check(context)
    return Result(
        registered.id, verdict.clause or registered.clause, verdict.outcome, verdict.zh, verdict.en, verdict.income
    )


def ok(zh: str, en: str, income: Threshold | None = None) -> Verdict:
    return Verdict(Outcome.PASS, zh, en, income)


def fail(zh: str, en: str, income: Threshold | None = None) -> Verdict:
    return Verdict(Outcome.FAIL, zh, en, income)


def review(zh: str, en: str) -> Verdict:
    return Verdict(Outcome.REVIEW, zh, en)


def warn(zh: str, en: str) -> Verdict:
    return Verdict(Outcome.WARN, zh, en)


def amount(value: Decimal | int) -> str:
    """Yuan as plain digits (the UI adds separators): Decimal('211698.0') → '211698'."""
    return plain(value if type(value) is Decimal else Decimal(value))


def income_years(as_of: date) -> tuple[int, int, int]:
    """「近三年」: the three complete calendar years before the declaration year."""
    return (as_of.year - 3, as_of.year - 2, as_of.year - 1)
