"""What approval does (DESIGN.md §The case state machine, POLICY §9), inside the approving transaction.

One function per kind, named by the kind's description in `wrp.cases.kinds`: unit_opening opens the unit's account;
unit_transfer moves it to Chaoyang; initial issues a permit (3 years) and consumes the reserved quota unit;
employer_change moves the permit to the new unit, valid again, and consumes a quota unit; children_change gives the
permit the children listed (those kept and those added; a child left out is removed); info_change records the new
address, name/hukou or education in the applicant's profile; renewal adds 3 years to the permit. Each takes
`(case, *, actor, on)` and may set `case.permit`; the caller saves the case.

A change applies the facts assessed at submission: the case's own answer or, when it carries none, the profile's fact
as frozen with the assessment (`_assessed`) — never the profile as it is at approval, and never nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import ApplicantProfile
from wrp.audit.services import audit_record
from wrp.cases.models import Case
from wrp.core.errors import InvalidState
from wrp.permits.models import Permit
from wrp.permits.selectors import permit_of
from wrp.permits.services import permit_change_children, permit_extend, permit_issue, permit_transfer
from wrp.quotas.services import quota_consume
from wrp.units.services import unit_account_open, unit_account_transfer_in


def _children(case: Case) -> list[dict[str, Any]]:
    return [
        {"name": str(child.get("name") or ""), "case": child.get("case")}
        for child in case.answers.get("children") or []
    ]


def _assessed(case: Case, name: str) -> Any:
    """A fact of the change as it was assessed: the case's answer, else the profile's as frozen at submission."""
    if name in case.answers:
        return case.answers[name]
    return ((case.frozen_facts or {}).get("applicant") or {}).get(name)


def _holder_permit(case: Case) -> Permit:
    permit = permit_of(case.applicant)
    if permit is None:
        raise InvalidState("no_permit", _("申请人没有工作居住证。"), code="no_permit")
    return permit


def _consume_quota(case: Case, *, actor: Any) -> None:
    if case.quota_year is not None:
        quota_consume(unit=case.unit, year=case.quota_year, actor=actor)
        case.quota_year = None


def _profile_update(case: Case, *, actor: Any, changes: dict[str, Any]) -> None:
    profile, _created = ApplicantProfile.objects.select_for_update().get_or_create(user=case.applicant)
    profile.facts = {**profile.facts, **changes}
    profile.save(update_fields=["facts", "updated_at"])
    audit_record(actor=actor, action="profile.info_change", obj=profile, changes={key: "changed" for key in changes})


def unit_account_opened(case: Case, *, actor: Any, on: date) -> None:
    unit_account_open(unit=case.unit, actor=actor)


def unit_account_moved_here(case: Case, *, actor: Any, on: date) -> None:
    unit_account_transfer_in(unit=case.unit, actor=actor)


def permit_issued(case: Case, *, actor: Any, on: date) -> None:
    _consume_quota(case, actor=actor)
    case.permit = permit_issue(holder=case.applicant, unit=case.unit, actor=actor, on=on, children=_children(case))


def permit_moved_to_employer(case: Case, *, actor: Any, on: date) -> None:
    _consume_quota(case, actor=actor)
    case.permit = permit_transfer(permit=_holder_permit(case), unit=case.unit, actor=actor)


def children_changed(case: Case, *, actor: Any, on: date) -> None:
    children = [
        {"name": str(child.get("name") or ""), "case": child.get("case")}
        for child in _assessed(case, "children") or [] if isinstance(child, dict)
    ]
    case.permit = permit_change_children(permit=_holder_permit(case), children=children, actor=actor, on=on)


def address_recorded(case: Case, *, actor: Any, on: date) -> None:
    case.permit = _holder_permit(case)
    housing = _assessed(case, "housing")
    if isinstance(housing, dict):  # the profile keeps the facts the policy reads; the address stays on the case
        _profile_update(case, actor=actor,
                        changes={"housing": {"kind": housing.get("kind"), "lease_end": housing.get("lease_end")}})


def name_or_hukou_recorded(case: Case, *, actor: Any, on: date) -> None:
    case.permit = _holder_permit(case)
    changes = {"hukou": case.answers["hukou"]} if case.answers.get("hukou") else {}
    if changes:
        _profile_update(case, actor=actor, changes=changes)
    new_name = str(case.answers.get("real_name") or "").strip()
    if new_name:
        case.applicant.real_name = new_name
        case.applicant.save(update_fields=["real_name"])
        audit_record(actor=actor, action="user.rename", obj=case.applicant, changes={"real_name": "changed"})


def education_recorded(case: Case, *, actor: Any, on: date) -> None:
    case.permit = _holder_permit(case)
    degree = _assessed(case, "degree")
    if degree:
        _profile_update(case, actor=actor, changes={"degree": degree})


def permit_extended(case: Case, *, actor: Any, on: date) -> None:
    case.permit = permit_extend(permit=_holder_permit(case), actor=actor)
