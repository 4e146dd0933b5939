"""The facts of a case, gathered for the policy: the unit record, the applicant's profile and permit, the system's
state (quota, penalties) and the case's own answers (the children, the new address, …).

The result is an assessment request of contracts/assessment.md; `case_evaluate` runs the policy on it. What the case
itself answers depends on its kind: `children` (names and cases) for children_change and initial, `housing` for an
address change, `real_name`/`hukou` for a name or hukou change, `degree` for an education change (the answers schema
of `wrp.cases.kinds`; the fields marked `fact` override the profile). Only the parts the policy reads are sent:
children's names and the new home's address stay in the case (the permit and the decision need them).

A change (children_change, info_change) carries its new facts in its answers; when it carries none, they are the
applicant's profile's, as the contract describes the assessment's facts. What a change cannot go without — the
children after a children change, the new home, the new degree (`AnswerField.needed`) — is refused when the case is
opened or its answers change (what it carries) and at each submission (answers or else the profile), never at
approval: `change_check`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import ApplicantProfile
from wrp.cases.kinds import AnswerField, KindSpec, kind_of
from wrp.cases.models import Case
from wrp.core.errors import Invalid
from wrp.core.language import policy_text
from wrp.core.prepared import Prepared
from wrp.permits.selectors import permit_facts, permit_of
from wrp.policy import Evaluation, InvalidRequest, evaluate
from wrp.policy.codes import RENTED_HOUSING
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.units.selectors import unit_facts


def answer_keys(case: Case) -> tuple[str, ...]:
    """The applicant facts a case of this kind carries in its own answers (they override the profile)."""
    return kind_of(case).fact_names


# profile_facts' statement, compiled once (wrp.core.prepared): the applicant's pages and every assessment ask it
_PROFILE = Prepared(lambda user: ApplicantProfile.objects.filter(user_id=user)[:1], user=int)


def profile_facts(user: Any) -> dict[str, Any]:
    """The facts of the user's profile ({} without one, or without a user)."""
    if getattr(user, "pk", None) is None:
        return {}
    profile = _PROFILE.first(user=user.pk)
    return dict(profile.facts) if profile else {}


def policy_value(field: AnswerField, value: Any) -> Any:
    """What the policy reads of an answer: of an object (or of each row) only the parts it reads (`sent`)."""
    if not field.sent:
        return value

    def sent(part: Any) -> Any:
        return {key: item for key, item in part.items() if key in field.sent} if isinstance(part, dict) else part

    return [sent(row) for row in value] if field.many and isinstance(value, list) else sent(value)


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
    for field in spec.answers:
        if field.fact and field.name in case.answers:
            applicant[field.name] = policy_value(field, case.answers[field.name])
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


# --- what a change cannot go without ----------------------------------------------------------------------------------

Add = Callable[[str, Any, str], None]  # (path, message, code), as `services.Problems.add`
FROM_PROFILE = _("案件没有填写{field}，个人资料中也没有：请在案件的填报内容中填写。")


def _children_check(value: Any, add: Add, *, answered: bool, applicant: Any) -> None:
    """At least one child after the change (A-CHILDREN: the last child cannot be removed), and a change at all."""
    rows = [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []
    permit = permit_of(applicant) if applicant is not None else None
    current = list(permit.children.values_list("name", "case")) if permit is not None else []
    if not rows:
        if not answered:
            add("answers.children", format_lazy(FROM_PROFILE, field=_("变更后的随往子女")), "children_required")
        elif current:
            add("answers.children", _("不能删除全部随往子女：随往人员变更后至少保留一名随往子女。"), "last_child")
        else:
            add("answers.children", _("请填写变更后的随往子女，至少一名。"), "children_required")
        return
    named = all(str(row.get("name") or "").strip() for row in rows)
    after = Counter((str(row.get("name") or "").strip(), row.get("case")) if named else row.get("case") for row in rows)
    before = Counter((name.strip(), case) if named else case for name, case in current)
    if after == before:
        add("answers.children", _("所填随往子女与工作居住证上现有的相同，没有变更：请新增子女，或去掉要删除的子女。"),
            "no_change")


def _housing_check(value: Any, add: Add, *, answered: bool, applicant: Any) -> None:
    """The new home's kind, the lease's end when it is rented, and its address down to the house number if given."""
    from wrp.cases.housing_loan import address_problem  # housing_loan reads the profile through this module

    housing = value if isinstance(value, Mapping) else {}
    if not housing.get("kind"):
        if answered:
            add("answers.housing.kind", format_lazy(_("请填写{field}。"), field=_("新的住房情况")), "housing_required")
        else:
            add("answers.housing", format_lazy(FROM_PROFILE, field=_("新的住房情况")), "housing_required")
        return
    if housing.get("kind") in RENTED_HOUSING and not housing.get("lease_end"):
        add("answers.housing.lease_end", _("租住房屋须填写租赁合同到期日"), "lease_end_required")
    address = housing.get("address")
    if answered and address not in (None, ""):
        problem = address_problem(address.strip()) if isinstance(address, str) else _("应为文字。")
        if problem is not None:
            add("answers.housing.address", problem, "no_house_number" if isinstance(address, str) else "not_text")


def _degree_check(value: Any, add: Add, *, answered: bool, applicant: Any) -> None:
    if value in (None, ""):
        message = _("请填写{field}。") if answered else FROM_PROFILE
        add("answers.degree", format_lazy(message, field=_("新学历或学位")), "degree_required")


NEEDED: dict[str, Callable[..., None]] = {
    "children": _children_check,
    "housing": _housing_check,
    "degree": _degree_check,
}


def change_check(spec: KindSpec | None, answers: Mapping[str, Any], applicant: Any, add: Add, *,
                 with_profile: bool = True) -> None:
    """What a change lacks, each under `answers.<name>` (the answer to give): the children after a children change
    (at least one, and not exactly those the permit carries), the new home of an address change (its kind, the
    lease's end when rented, an address that reaches the house number), the new degree. Each is the case's answer or,
    when it carries none and `with_profile`, the profile's (at the submissions); when a case is opened or its answers
    change only what it carries is checked (the profile may still be completed before it is submitted)."""
    if spec is None or not spec.personal:
        return
    profile = profile_facts(applicant) if with_profile and applicant is not None else {}
    for field in spec.answers:
        if not field.needed:
            continue
        answered = field.name in answers
        if not answered and not with_profile:
            continue
        value = answers[field.name] if answered else profile.get(field.name)
        NEEDED[field.name](value, add, answered=answered, applicant=applicant)


def require_change(case: Case) -> None:
    """Refuse a submission of a change that lacks what it needs (`change_check`), naming each missing answer."""
    fields: dict[str, Any] = {}
    codes: dict[str, str] = {}

    def add(path: str, message: Any, code: str) -> None:
        fields[path], codes[path] = message, code

    change_check(kind_of(case), case.answers or {}, case.applicant, add)
    if fields:
        raise Invalid(fields, codes=codes)
