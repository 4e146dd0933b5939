"""The batch pre-check for quota planning (issue 15 §2) and the batch drafts (§3a).

The policy engine (`wrp.policy.evaluate`, contracts/assessment.md) runs for each person over the unit's record and
the person's facts — an imported row's (its invitation) or an employee's profile with their permit — as of today:
`initial` for everyone, `renewal` too for a holder of a permit. Each person and item gets eligible / needs review /
ineligible with the failing (and the reviewer's) rule IDs, or "incomplete" naming the facts still missing. For
planning, the unit's quota is taken as sufficient (U-QUOTA would refuse everyone once this year's is used up: the
point is to learn how many units to declare); every other unit rule applies as it stands.

The summary: how many qualify for `initial` (eligible, and needing review) under the wage year in force today, and
the quota units to declare = those qualifying less what remains of this year's quota.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from wrp.cases.facts import profile_facts
from wrp.cases.services import case_open
from wrp.cases.workflow import items_offered
from wrp.core.errors import Invalid, ServiceError
from wrp.imports.models import ImportBatch, Invitation, InvitationState
from wrp.permits.models import Permit, PermitStatus
from wrp.permits.selectors import permit_facts
from wrp.policy import InvalidRequest, evaluate
from wrp.policy.codes import Outcome
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.units.models import Association, AssociationState, Unit
from wrp.units.selectors import unit_facts

INITIAL, RENEWAL = "initial", "renewal"
INCOMPLETE = "incomplete"
DECISION_WORDS = {
    "eligible": ("符合条件", "Eligible"),
    "needs_review": ("需人工审核", "Needs review"),
    "ineligible": ("不符合条件", "Ineligible"),
    INCOMPLETE: ("信息不全", "Incomplete"),
}
ITEM_WORDS = {INITIAL: ("初次申请", "Initial application"), RENEWAL: ("延期", "Renewal")}


@dataclass
class Subject:
    """One person to assess: how the page names them, their facts, and where they come from."""

    name: str
    masked_id: str
    facts: dict[str, Any]
    permit: dict[str, Any] | None = None
    association: Association | None = None
    invitation: Invitation | None = None
    row: int | None = None


@dataclass
class Verdict:
    item: str
    decision: str
    failed: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    wage_year: int | None = None


@dataclass
class PersonResult:
    subject: Subject
    verdicts: list[Verdict]

    def of(self, item: str) -> Verdict | None:
        return next((verdict for verdict in self.verdicts if verdict.item == item), None)


@dataclass
class Summary:
    people: int
    initial: dict[str, int]
    qualifying: int
    quota_remaining: int
    to_declare: int
    wage_year: int | None
    renewal: dict[str, int]
    as_of: date


def planning_unit(unit: Unit, *, as_of: date) -> tuple[dict[str, Any], int]:
    """The unit's facts for planning (quota taken as sufficient) and what really remains of this year's quota."""
    facts = unit_facts(unit, as_of=as_of)
    remaining = int(facts.get("quota_remaining") or 0)
    facts["quota_remaining"] = max(remaining, 1)
    return facts, remaining


def request_for(subject: Subject, item: str, unit: dict[str, Any], *, as_of: date) -> dict[str, Any]:
    applicant = dict(subject.facts)
    applicant["permit"] = subject.permit
    return {"service": item, "as_of": as_of.isoformat(), "unit": unit, "applicant": applicant}


def assess_one(subject: Subject, item: str, unit: dict[str, Any], *, as_of: date) -> Verdict:
    try:
        evaluation = evaluate(
            request_for(subject, item, unit, as_of=as_of), calendar=policy_calendar(), wages=policy_wages()
        )
    except InvalidRequest as invalid:
        return Verdict(item, INCOMPLETE, missing=sorted(invalid.fields))
    return Verdict(
        item,
        evaluation.decision.value,
        failed=[result.rule for result in evaluation.results if result.outcome == Outcome.FAIL],
        review=[result.rule for result in evaluation.results if result.outcome == Outcome.REVIEW],
        wage_year=evaluation.income.reference.year if evaluation.income is not None else None,
    )


def precheck(
    unit: Unit, subjects: Iterable[Subject], *, as_of: date | None = None
) -> tuple[list[PersonResult], Summary]:
    as_of = as_of or timezone.localdate()
    facts, remaining = planning_unit(unit, as_of=as_of)
    results = []
    for subject in subjects:
        items = [INITIAL] + ([RENEWAL] if subject.permit is not None else [])
        results.append(PersonResult(subject, [assess_one(subject, item, facts, as_of=as_of) for item in items]))
    counts = {key: 0 for key in DECISION_WORDS}
    renewal = {key: 0 for key in DECISION_WORDS}
    wage_year = None
    for result in results:
        initial = result.of(INITIAL)
        assert initial is not None
        counts[initial.decision] += 1
        wage_year = wage_year or initial.wage_year
        if (verdict := result.of(RENEWAL)) is not None:
            renewal[verdict.decision] += 1
    if wage_year is None:  # nobody's income rule ran (all incomplete): the year in force all the same
        reference = policy_wages().reference(as_of)
        wage_year = reference.year if reference is not None else None
    qualifying = counts["eligible"] + counts["needs_review"]
    return results, Summary(
        len(results), counts, qualifying, remaining, max(0, qualifying - remaining), wage_year, renewal, as_of
    )


# --- who is assessed -----------------------------------------------------------------------------------------------


def subjects_of_batch(batch: ImportBatch) -> list[Subject]:
    """The people an import invited (pending or confirmed): the facts the sheet gave."""
    invitations = batch.invitations.exclude(state__in=(InvitationState.DECLINED, InvitationState.CANCELLED))
    return [
        Subject(inv.real_name, inv.id_number_masked, dict(inv.facts), invitation=inv, row=inv.row_number)
        for inv in invitations.order_by("row_number", "pk")
    ]


def employees_of(unit: Unit, selected: Iterable[int] | None = None) -> list[Association]:
    rows = Association.objects.select_related("applicant").filter(unit=unit, state=AssociationState.ACTIVE)
    if selected is not None:
        rows = rows.filter(pk__in=list(selected))
    return list(rows.order_by("pk"))


def subjects_of_employees(unit: Unit, associations: list[Association]) -> list[Subject]:
    """Employees in post: their profile, their permit (the latest not revoked, as the case facts read it)."""
    permits: dict[int, Permit] = {}
    for permit in (
        Permit.objects.filter(holder_id__in=[a.applicant_id for a in associations])
        .exclude(status=PermitStatus.REVOKED)
        .order_by("issued_on", "id")
    ):
        permits[permit.holder_id] = permit  # the latest wins
    subjects = []
    for association in associations:
        user = association.applicant
        facts = profile_facts(user)
        facts.pop("permit", None)
        subjects.append(
            Subject(
                user.real_name or user.username,
                user.id_number_masked,
                facts,
                permit=permit_facts(permits.get(user.pk)),
                association=association,
            )
        )
    return subjects


# --- the export ----------------------------------------------------------------------------------------------------


def precheck_xlsx(results: list[PersonResult], summary: Summary, *, lang: str, unit: Unit) -> bytes:
    en = lang == "en"

    def word(pair: tuple[str, str]) -> str:
        return pair[1] if en else pair[0]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(word(("预审结果", "Pre-check")))
    sheet.append(
        [
            word(("行", "Row")),
            word(("姓名", "Name")),
            word(("公民身份号码", "Resident ID number")),
            word(("事项", "Item")),
            word(("结论", "Result")),
            word(("未通过的规则", "Rules failed")),
            word(("需人工审核的规则", "Rules for review")),
            word(("缺少的信息", "Facts missing")),
        ]
    )
    for result in results:
        for verdict in result.verdicts:
            sheet.append(
                [
                    result.subject.row or "",
                    result.subject.name,
                    result.subject.masked_id,
                    word(ITEM_WORDS[verdict.item]),
                    word(DECISION_WORDS[verdict.decision]),
                    " ".join(verdict.failed),
                    " ".join(verdict.review),
                    " ".join(verdict.missing),
                ]
            )
    totals = book.create_sheet(word(("汇总", "Summary")))
    totals.append([word(("单位", "Unit")), f"{unit.name} ({unit.credit_code})"])
    totals.append([word(("预审日期", "As of")), summary.as_of.isoformat()])
    totals.append([word(("适用的月平均工资年度", "Wage year in force")), summary.wage_year or ""])
    totals.append([word(("人数", "People")), summary.people])
    for key, pair in DECISION_WORDS.items():
        totals.append([word(ITEM_WORDS[INITIAL]) + " · " + word(pair), summary.initial[key]])
    totals.append(
        [
            word(("初次申请可申报人数（符合条件＋需人工审核）", "Qualifying for initial (eligible + review)")),
            summary.qualifying,
        ]
    )
    totals.append([word(("本年度剩余指标", "Quota remaining this year")), summary.quota_remaining])
    totals.append([word(("需申报的指标数", "Quota units to declare")), summary.to_declare])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- batch drafts --------------------------------------------------------------------------------------------------


@dataclass
class DraftOutcome:
    association: Association
    kind: str | None = None
    case_id: str | None = None
    reason: Any = None


def batch_drafts(
    *, actor: Any, unit: Unit, associations: list[Association], today: date | None = None
) -> list[DraftOutcome]:
    """Open a prefilled draft for each employee: `renewal` when they are in their renewal window, else `initial` when
    the pre-check finds them eligible or needing review; otherwise why not. Each through `case_open` (its rights and
    checks), each on its own: one refusal does not undo the others."""
    today = today or timezone.localdate()
    results, _summary = precheck(unit, subjects_of_employees(unit, associations), as_of=today)
    outcomes = []
    for result in results:
        association = result.subject.association
        assert association is not None
        offers = {offer.spec.key: offer for offer in items_offered(association.applicant, unit, today=today)}
        renewal, initial = offers.get(RENEWAL), offers.get(INITIAL)
        verdict = result.of(INITIAL)
        if result.subject.permit is not None and renewal is not None and renewal.refusal is None:
            kind = RENEWAL
        elif (
            initial is not None
            and initial.refusal is None
            and verdict is not None
            and verdict.decision in ("eligible", "needs_review")
        ):
            kind = INITIAL
        else:
            reason = (renewal.refusal if result.subject.permit is not None and renewal is not None else None) or (
                initial.refusal if initial is not None and initial.refusal else None
            )
            outcomes.append(DraftOutcome(association, reason=reason or verdict))
            continue
        try:
            with transaction.atomic():
                case = case_open(actor=actor, kind=kind, unit=unit, applicant=association.applicant, answers={})
        except Invalid as refused:
            outcomes.append(DraftOutcome(association, kind=kind, reason="；".join(refused.messages().values())))
        except ServiceError as refused:
            outcomes.append(DraftOutcome(association, kind=kind, reason=str(refused)))
        else:
            outcomes.append(DraftOutcome(association, kind=kind, case_id=case.public_id))
    return outcomes
