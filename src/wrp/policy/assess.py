"""The assessment: may this case be accepted, and what must it carry? (contracts/assessment.md)

`assess` validates the request, runs every rule that applies to the service in the guide's order, folds the outcomes
into one decision (any `fail` → ineligible, else any `review` → needs_review, else eligible), and adds the income
threshold used, the materials checklist and the date a decision is due if the case were submitted on `as_of`.
`evaluate` keeps both languages, for callers that store the result and show it later in either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from wrp.policy.codes import ChangeSubtype, Decision, Outcome, Reviewer, Service
from wrp.policy.facts import validate
from wrp.policy.items import ITEMS, Applies
from wrp.policy.materials import checklist
from wrp.policy.quick import quick_init
from wrp.policy.response import Assessment, Check, Income
from wrp.policy.rules import RULES, Result, Rule
from wrp.policy.rules.base import run
from wrp.policy.rules.conditions import CONDITION_MANUAL_CHECKS
from wrp.policy.wages import Threshold, WageTable, builtin_table, plain
from wrp.policy.workdays import Calendar, DueDate, default_calendar

if TYPE_CHECKING:
    from wrp.policy.models import AssessmentRequest


@quick_init
@dataclass(frozen=True, slots=True)
class Evaluation:
    """An assessment in both languages."""

    service: Service
    subtype: ChangeSubtype | None
    as_of: date
    decision: Decision
    results: tuple[Result, ...]
    manual_checks: tuple[tuple[str, str], ...]
    income: Threshold | None
    materials: tuple[str, ...]
    time_limit: int
    due: DueDate
    review_chain: tuple[Reviewer, ...]

    def assessment(self, lang: str = "zh") -> Assessment:
        """The contract's response in one language (`zh` or `en`)."""
        english = lang == "en"
        income = None
        if self.income is not None:
            income = Income(
                reference_year=self.income.reference.year,
                reference_monthly_wage=plain(self.income.reference.monthly),
                multiplier=plain(self.income.multiplier),
                monthly_threshold=plain(self.income.monthly),
                annual_threshold=plain(self.income.annual),
            )
        return Assessment(
            service=self.service,
            as_of=self.as_of,
            decision=self.decision,
            checks=tuple(Check(r.rule, r.outcome, r.clause, r.en if english else r.zh) for r in self.results),
            manual_checks=tuple(text[1] if english else text[0] for text in self.manual_checks),
            income=income,
            materials=self.materials,
            time_limit_working_days=self.time_limit,
            decision_due=self.due.date,
            review_chain=self.review_chain,
            provisional=self.due.provisional,
        )


def decide(results: tuple[Result, ...]) -> Decision:
    """Any fail → ineligible; else any review → needs_review; else eligible (warnings change nothing)."""
    outcomes = {result.outcome for result in results}
    if Outcome.FAIL in outcomes:
        return Decision.INELIGIBLE
    if Outcome.REVIEW in outcomes:
        return Decision.NEEDS_REVIEW
    return Decision.ELIGIBLE


@cache
def _plan(service: Service) -> tuple[tuple[Rule, Applies | None], ...]:
    """The rules of a service item, in order, each with the condition under which it applies."""
    return tuple((RULES[rule_id], applies) for rule_id, applies in ITEMS[service].rules)


def evaluate(
    request: bytes | str | dict[str, Any] | AssessmentRequest,
    *,
    calendar: Calendar | None = None,
    wages: WageTable | None = None,
) -> Evaluation:
    """Assess a request in both languages; raises `InvalidRequest` naming every bad field."""
    context = validate(request, calendar=calendar or default_calendar(), wages=wages or builtin_table())
    item = ITEMS[context.service]
    results = tuple(
        run(rule, context) for rule, applies in _plan(context.service) if applies is None or applies(context)
    )
    income = next((result.income for result in results if result.income is not None), None)
    manual = item.manual_checks
    if context.service == Service.INITIAL and context.applicant.talent_condition is not None:
        manual = manual + CONDITION_MANUAL_CHECKS.get(context.applicant.talent_condition, ())
    return Evaluation(
        service=context.service,
        subtype=context.subtype,
        as_of=context.as_of,
        decision=decide(results),
        results=results,
        manual_checks=manual,
        income=income,
        materials=tuple(checklist(context.service, context.subtype, context.unit, context.applicant)),
        time_limit=item.time_limit,
        due=context.calendar.deadline(context.as_of, item.time_limit),
        review_chain=item.review_chain,
    )


def assess(
    request: bytes | str | dict[str, Any] | AssessmentRequest,
    *,
    lang: str = "zh",
    calendar: Calendar | None = None,
    wages: WageTable | None = None,
) -> Assessment:
    """「可否受理、需要哪些材料」: the contract's response for one request, messages in `lang` (zh or en)."""
    return evaluate(request, calendar=calendar, wages=wages).assessment(lang)
