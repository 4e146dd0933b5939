"""The facts of a case, gathered for the policy: the unit record, the applicant's profile and permit, the system's
state (quota, penalties) and the case's own answers (the children to add, the new address, …).

The result is an assessment request of contracts/assessment.md; `case_evaluate` runs the policy on it. What the case
itself answers depends on its kind: `children` (names and cases) for children_change and initial, `housing` for an
address change, `real_name`/`hukou` for a name or hukou change, `degree` for an education change (the answers schema
of `wrp.cases.kinds`; the fields marked `fact` override the profile). Children's names stay in the case (they are
needed for the permit) and are not sent to the policy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.functional import Promise

from wrp.accounts.models import ApplicantProfile
from wrp.cases.kinds import kind_of
from wrp.cases.models import Case
from wrp.core.errors import Invalid
from wrp.core.language import policy_text
from wrp.permits.selectors import permit_facts, permit_of
from wrp.policy import Evaluation, InvalidRequest, evaluate
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.units.selectors import unit_facts


def answer_keys(case: Case) -> tuple[str, ...]:
    """The applicant facts a case of this kind carries in its own answers (they override the profile)."""
    return kind_of(case).fact_names


def profile_facts(user: Any) -> dict[str, Any]:
    profile = ApplicantProfile.objects.filter(user=user).first()
    return dict(profile.facts) if profile else {}


def gather_facts(case: Case, *, as_of: date, quota_remaining: int | None = None) -> dict[str, Any]:
    """The assessment request for this case as of a date (quota_remaining from a locked ledger when given)."""
    spec = kind_of(case)
    unit = unit_facts(case.unit, as_of=as_of)
    if quota_remaining is not None:
        unit["quota_remaining"] = quota_remaining
    request: dict[str, Any] = {"service": case.kind, "as_of": as_of.isoformat(), "unit": unit}
    if spec.subtype is not None:
        request["change"] = {"subtype": case.subtype}
    if not spec.personal or case.applicant is None:
        return request
    applicant = profile_facts(case.applicant)
    applicant.pop("permit", None)
    for key in spec.fact_names:
        if key in case.answers:
            applicant[key] = case.answers[key]
    if "children" in applicant:
        applicant["children"] = [{"case": child.get("case")} for child in applicant["children"] or []]
    applicant["permit"] = permit_facts(permit_of(case.applicant))
    request["applicant"] = applicant
    return request


def policy_refusal(invalid: InvalidRequest) -> Invalid:
    """The policy's invalid request as a refusal: each field's message in both of the policy's own languages, the
    one shown picked by the language active where it is rendered; its code, the policy's."""
    zh, en = invalid.messages("zh"), invalid.messages("en")
    fields: dict[str, Promise] = {path: policy_text(zh[path], en[path]) for path in zh}
    codes = {path: code for path, (code, _values) in invalid.fields.items()}
    return Invalid(fields, codes=codes)


def case_evaluate(case: Case, *, as_of: date, quota_remaining: int | None = None) -> tuple[dict[str, Any], Evaluation]:
    """Gather and assess; incomplete or invalid facts → Invalid naming each field by its dotted path."""
    request = gather_facts(case, as_of=as_of, quota_remaining=quota_remaining)
    try:
        return request, evaluate(request, calendar=policy_calendar(), wages=policy_wages())
    except InvalidRequest as invalid:
        raise policy_refusal(invalid) from None


def frozen_assessment(evaluation: Evaluation) -> dict[str, Any]:
    """Both languages of the contract's response, as stored on the case at submission."""
    return {"zh": evaluation.assessment("zh").as_json_dict(), "en": evaluation.assessment("en").as_json_dict()}
