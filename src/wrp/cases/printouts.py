"""The documents of a case, gathered from its records: the guide's attachments 附件1–3 prefilled, the consolidated
correction notice (一次性告知书) and the decision letter. `wrp.documents.printing` lays them out.

Each `*_data` function answers the plain values of one document, or None when the document does not apply to the
case (a declaration the item's checklist does not ask for, a housing loan declaration without a relative's home, a
decision before there is one). The text of the attachments is the guide's, word for word, with its blanks filled;
what is not recorded stays a blank line to be written by hand. The signed originals (附件2, 附件3) carry the whole
resident ID number; the notice and the decision, which are read by more people, carry the masked one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils import timezone, translation

from wrp.accounts.models import Role
from wrp.accounts.services import user_id_number
from wrp.cases.facts import answer_keys, profile_facts
from wrp.cases.kinds import HOUSING_LOAN, KindSpec, kind_of
from wrp.cases.models import Case, CaseState, CorrectionNotice
from wrp.documents.printing import (
    CaseParties,
    CorrectionNoticeData,
    DecisionData,
    HousingLoanDeclaration,
    PersonalDeclaration,
    Problem,
    UnitDeclaration,
    correction_notice_pdf,
    decision_pdf,
    housing_loan_pdf,
    integrity_personal_pdf,
    integrity_unit_pdf,
)
from wrp.policy.codes import HousingKind
from wrp.policy.materials import MATERIALS, base_materials

UNIT_DECLARATION = "unit_integrity_declaration"  # 附件1, in the checklist of the items that ask for it
PERSONAL_DECLARATION = "personal_integrity_declaration"  # 附件2


def item_title(case: Case) -> str:
    """The item's title as the guide names it, with the kind of change for a basic information change."""
    return kind_of(case).title[0]


def _name(user: Any) -> str:
    return (getattr(user, "real_name", "") or "").strip()


def _asks_for(spec: KindSpec, material: str) -> bool:
    return material in base_materials(spec.service, spec.subtype)


def _parties(case: Case) -> CaseParties:
    applicant = case.applicant
    return CaseParties(
        case_id=case.public_id,
        item_title=item_title(case),
        unit_name=case.unit.name,
        credit_code=case.unit.credit_code,
        applicant_name=_name(applicant) or (applicant.username if applicant else ""),
        applicant_id_masked=(applicant.id_number_masked if applicant else "") or "",
        submitted_on=case.accepted_on,
    )


def _personal(case: Case) -> bool:
    return kind_of(case).personal and case.applicant_id is not None


def integrity_unit_data(case: Case) -> UnitDeclaration | None:
    if not _asks_for(kind_of(case), UNIT_DECLARATION):
        return None
    return UnitDeclaration(unit_name=case.unit.name, credit_code=case.unit.credit_code, case_id=case.public_id)


def integrity_personal_data(case: Case) -> PersonalDeclaration | None:
    if not _personal(case) or not _asks_for(kind_of(case), PERSONAL_DECLARATION):
        return None
    applicant = case.applicant
    return PersonalDeclaration(
        applicant_name=_name(applicant), id_number=user_id_number(applicant) or "", unit_name=case.unit.name,
        credit_code=case.unit.credit_code, item_title=item_title(case), case_id=case.public_id,
    )


def case_housing(case: Case) -> dict[str, Any]:
    """The housing the case declares: the case's own answer where the kind carries one (an address change), else the
    applicant's profile; the declaration's particulars may also sit apart in the answers' `housing_loan`, which the
    policy never reads."""
    housing: Any = None
    if "housing" in answer_keys(case):
        housing = case.answers.get("housing")
    if not isinstance(housing, dict):
        housing = profile_facts(case.applicant).get("housing")
    housing = dict(housing) if isinstance(housing, dict) else {}
    extra = case.answers.get("housing_loan")
    if isinstance(extra, dict):
        housing.update({key: value for key, value in extra.items() if key != "kind"})
    return housing


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def housing_loan_data(case: Case) -> HousingLoanDeclaration | None:
    """附件3 applies where the case needs a home (initial, address change: the kinds that carry the housing loan's
    particulars) and the home is a relative's."""
    if not _personal(case) or HOUSING_LOAN not in kind_of(case).answers:
        return None
    housing = case_housing(case)
    if housing.get("kind") != HousingKind.RELATIVE:
        return None

    def text(key: str) -> str:
        value = housing.get(key)
        return str(value).strip() if value is not None else ""

    return HousingLoanDeclaration(
        borrower_name=_name(case.applicant), borrower_id_number=user_id_number(case.applicant) or "",
        since=_iso_date(housing.get("since")), address=text("address"), owner_name=text("owner_name"),
        owner_id_number=text("owner_id_number").upper(), relationship=text("relationship"), case_id=case.public_id,
    )


def _problem(problem: dict[str, Any]) -> Problem:
    code = problem.get("material")
    material = MATERIALS.get(code) if code else None
    title = material.title_zh if material else (str(code) if code else "")
    return Problem(material_title=title, text=str(problem.get("text") or ""))


def correction_notice_data(case: Case) -> CorrectionNoticeData | None:
    """The latest notice of the case (None before any)."""
    notice = CorrectionNotice.objects.filter(case=case).order_by("-issued_at", "-id").first()
    if notice is None:
        return None
    latest = notice.answered_at is None
    return CorrectionNoticeData(
        parties=_parties(case),
        issued_on=timezone.localdate(notice.issued_at),
        problems=tuple(_problem(problem) for problem in notice.problems or []),
        paused=latest and case.state == CaseState.RETURNED and case.paused_on is not None,
        days_left_at_pause=case.days_left_at_pause if latest else None,
        answered_on=timezone.localdate(notice.answered_at) if notice.answered_at else None,
    )


def decision_data(case: Case) -> DecisionData | None:
    """The decision of an approved or rejected case (None before it, and for a withdrawn case)."""
    if case.state not in (CaseState.APPROVED, CaseState.REJECTED) or case.decided_at is None:
        return None
    approved = case.state == CaseState.APPROVED
    decider = case.decided_by
    role = getattr(decider, "role", "")
    with translation.override("zh-hans"):  # the letter is in Chinese whatever the page's language
        role_words = str(Role(role).label) if role in Role.values else "—"
    permit = case.permit if approved and case.permit_id else None
    return DecisionData(
        parties=_parties(case),
        approved=approved,
        decided_on=timezone.localdate(case.decided_at),
        decider_role=role_words,
        decided_by_bureau=role == Role.BUREAU_APPROVER,
        reasons=case.decision_reason if not approved else "",
        permit_number=permit.number if permit else "",
        permit_valid_until=permit.valid_until if permit else None,
    )


# --- one door for the download view ----------------------------------------------------------------------------------

CASE_DOCUMENTS: dict[str, tuple[Callable[[Case], Any], Callable[[Any], bytes]]] = {
    "integrity-unit": (integrity_unit_data, integrity_unit_pdf),
    "integrity-personal": (integrity_personal_data, integrity_personal_pdf),
    "housing-loan": (housing_loan_data, housing_loan_pdf),
    "correction-notice": (correction_notice_data, correction_notice_pdf),
    "decision": (decision_data, decision_pdf),
}


def case_document(case: Case, kind: str) -> bytes | None:
    """The PDF of one of the case's documents, or None when the kind is unknown or does not apply to the case."""
    if kind not in CASE_DOCUMENTS:
        return None
    gather, build = CASE_DOCUMENTS[kind]
    data = gather(case)
    return None if data is None else build(data)


def case_documents_available(case: Case) -> list[str]:
    """The kinds of document the case has now (for the case page's links)."""
    return [kind for kind, (gather, _build) in CASE_DOCUMENTS.items() if gather(case) is not None]
