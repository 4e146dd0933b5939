"""The facts of a case, gathered for the policy: the unit record, the applicant's profile and permit, the system's
state (quota, penalties) and the case's own answers (the children to add, the new address, …).

The result is an assessment request of contracts/assessment.md; `case_evaluate` runs the policy on it. What the case
itself answers depends on its kind: `children` (names and cases) for children_change and initial, `housing` for an
address change, `real_name`/`hukou` for a name or hukou change, `degree` for an education change. Children's names
stay in the case (they are needed for the permit) and are not sent to the policy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wrp.accounts.models import ApplicantProfile
from wrp.cases.models import Case
from wrp.core.errors import Invalid
from wrp.permits.selectors import permit_facts, permit_of
from wrp.policy import Evaluation, InvalidRequest, evaluate
from wrp.policy.codes import UNIT_SERVICES, Service
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.units.selectors import unit_facts

ANSWER_KEYS = {
    "children_change": ("children",),
    "initial": ("children",),
    "info_change:address": ("housing",),
    "info_change:name_or_hukou": ("hukou",),
    "info_change:education": ("degree",),
}


def is_personal(case: Case) -> bool:
    return case.kind not in UNIT_SERVICES


def answer_keys(case: Case) -> tuple[str, ...]:
    """The applicant facts a case of this kind carries in its own answers (they override the profile)."""
    key = f"{case.kind}:{case.subtype}" if case.kind == Service.INFO_CHANGE else case.kind
    return ANSWER_KEYS.get(key, ())


def profile_facts(user: Any) -> dict[str, Any]:
    profile = ApplicantProfile.objects.filter(user=user).first()
    return dict(profile.facts) if profile else {}


def gather_facts(case: Case, *, as_of: date, quota_remaining: int | None = None) -> dict[str, Any]:
    """The assessment request for this case as of a date (quota_remaining from a locked ledger when given)."""
    unit = unit_facts(case.unit, as_of=as_of)
    if quota_remaining is not None:
        unit["quota_remaining"] = quota_remaining
    request: dict[str, Any] = {"service": case.kind, "as_of": as_of.isoformat(), "unit": unit}
    if case.kind == Service.INFO_CHANGE:
        request["change"] = {"subtype": case.subtype}
    if case.kind in UNIT_SERVICES or case.applicant is None:
        return request
    applicant = profile_facts(case.applicant)
    applicant.pop("permit", None)
    for key in answer_keys(case):
        if key in case.answers:
            applicant[key] = case.answers[key]
    if "children" in applicant:
        applicant["children"] = [{"case": child.get("case")} for child in applicant["children"] or []]
    applicant["permit"] = permit_facts(permit_of(case.applicant))
    request["applicant"] = applicant
    return request


def case_evaluate(case: Case, *, as_of: date, quota_remaining: int | None = None) -> tuple[dict[str, Any], Evaluation]:
    """Gather and assess; incomplete or invalid facts → Invalid naming each field by its dotted path."""
    request = gather_facts(case, as_of=as_of, quota_remaining=quota_remaining)
    try:
        return request, evaluate(request, calendar=policy_calendar(), wages=policy_wages())
    except InvalidRequest as invalid:
        zh, en = invalid.messages("zh"), invalid.messages("en")
        raise Invalid({path: f"{zh[path]} / {en[path]}" for path in zh}) from None


def frozen_assessment(evaluation: Evaluation) -> dict[str, Any]:
    """Both languages of the contract's response, as stored on the case at submission."""
    return {"zh": evaluation.assessment("zh").as_json_dict(), "en": evaluation.assessment("en").as_json_dict()}
