"""The documents of a case, gathered from its records: the guide's attachments 附件1–3 prefilled, the consolidated
correction notice (一次性告知书) and the decision letter. `wrp.documents.printing` lays them out.

The notice and the decision are gathered once, when the act happens, and issued as records by `wrp.cases.records`
(numbered, signed, stored, never rebuilt); the declarations are drafts built on demand for their filers until the
case is submitted, then frozen with the case version. No document prints a login name: a person without a real name
stops the act (`records.require_real_names`).

Each `*_data` function answers the plain values of one document, or None when the document does not apply to the
case (a declaration the item's checklist does not ask for, a housing loan declaration without a relative's home, a
decision before there is one). The text of the attachments is the guide's, word for word, with its blanks filled;
what is not recorded stays a blank line to be written by hand. The signed originals (附件2, 附件3) carry the whole
resident ID number; the notice and the decision, which are read by more people, carry the masked one. The unit's copy
of 附件2 and 附件3 (`declaration_pdf(…, masked=True)`) carries the masked numbers too — the applicant's and the house
owner's: a unit handler never receives a whole ID number (issue 11 §2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from wrp.accounts.models import Role
from wrp.accounts.services import user_id_number
from wrp.cases.facts import answer_keys, profile_facts
from wrp.cases.kinds import HOUSING_LOAN, KindSpec, kind_of
from wrp.cases.models import Case, CaseMaterial, CaseState, CorrectionNotice, MaterialStatus
from wrp.documents.printing import (
    CaseParties,
    CorrectionNoticeData,
    DecisionData,
    HousingLoanDeclaration,
    PersonalDeclaration,
    Problem,
    Reason,
    Remedies,
    UnitDeclaration,
    correction_notice_pdf,
    decision_pdf,
    housing_loan_pdf,
    integrity_personal_pdf,
    integrity_unit_pdf,
)
from wrp.policy.codes import ChangeSubtype, ChildCase, Degree, HousingKind, Hukou, Service
from wrp.policy.identifiers import mask_resident_id
from wrp.policy.labels import zh
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
        applicant_name=_name(applicant),
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


def correction_notice_data(case: Case, notice: CorrectionNotice | None = None) -> CorrectionNoticeData | None:
    """The notice as issued (the given one, else the latest of the case; None before any): its problems, and the
    clock's state at that moment."""
    notice = notice or CorrectionNotice.objects.filter(case=case).order_by("-issued_at", "-id").first()
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


def _code_label(enum: Any, value: Any) -> str:
    try:
        return zh(enum(value))
    except ValueError:
        return str(value or "")


def _children_words(children: Any) -> str:
    rows = [child for child in children or [] if isinstance(child, dict)]
    return "、".join(
        f"{str(child.get('name') or '').strip() or '姓名未登记'}（{_code_label(ChildCase, child.get('case'))}）"
        for child in rows
    )


def _address_words(case: Case) -> str:
    housing = case_housing(case)
    parts = [_code_label(HousingKind, housing.get("kind")) if housing.get("kind") else ""]
    if housing.get("address"):
        parts.append(str(housing["address"]).strip())
    if housing.get("lease_end"):
        parts.append(f"租期至{housing['lease_end']}")
    return "，".join(part for part in parts if part)


def approved_particulars(case: Case) -> tuple[tuple[str, str], ...]:
    """What exactly the approval grants, as (label, value) rows: the children, the new address, the new name or hukou,
    the new degree, the new unit (the permit's number and validity are printed by the letter itself)."""
    spec, answers = kind_of(case), case.answers or {}
    rows: list[tuple[str, str]] = []
    children = answers.get("children")
    if spec.service == Service.CHILDREN_CHANGE and "children" not in answers:  # taken from the profile, as assessed
        children = ((case.frozen_facts or {}).get("applicant") or {}).get("children")
    if spec.service in (Service.INITIAL, Service.CHILDREN_CHANGE) and children:
        rows.append(("随往子女", _children_words(children)))
    if spec.service == Service.EMPLOYER_CHANGE:
        rows.append(("新聘用单位", f"{case.unit.name}（{case.unit.credit_code}）"))
    if spec.service in (Service.UNIT_OPENING, Service.UNIT_TRANSFER):
        rows.append(("单位", f"{case.unit.name}（{case.unit.credit_code}）"))
    if spec.subtype == ChangeSubtype.ADDRESS:
        rows.append(("新居住地址", _address_words(case) or "—"))
    if spec.subtype == ChangeSubtype.NAME_OR_HUKOU:
        if str(answers.get("real_name") or "").strip():
            rows.append(("新姓名", str(answers["real_name"]).strip()))
        if answers.get("hukou"):
            rows.append(("新户籍情况", _code_label(Hukou, answers.get("hukou"))))
    if spec.subtype == ChangeSubtype.EDUCATION and answers.get("degree"):
        rows.append(("新学历或学位", _code_label(Degree, answers.get("degree"))))
    return tuple(rows)


def refusal_reasons(case: Case) -> tuple[Reason, ...]:
    """Every reason of a refusal (L-REFUSE): each failing rule of the frozen assessment with its rule ID and clause,
    each material judged not acceptable, then the decider's own reasons, line by line."""
    reasons: list[Reason] = []
    for check in (case.assessment or {}).get("zh", {}).get("checks", []):
        if check.get("outcome") == "fail":
            basis = " ".join(part for part in (check.get("rule"), check.get("clause")) if part)
            reasons.append(Reason(text=str(check.get("message") or ""), basis=basis))
    for material in CaseMaterial.objects.filter(case=case, status=MaterialStatus.REJECTED).order_by("id"):
        title = MATERIALS[material.code].title_zh if material.code in MATERIALS else material.code
        reasons.append(Reason(text=f"《{title}》：{material.reason or '不符合要求'}", basis=f"办理材料 {material.code}"))
    for line in (case.decision_reason or "").splitlines():
        if line.strip():
            reasons.append(Reason(text=line.strip()))
    return tuple(reasons)


def decision_data(case: Case) -> DecisionData | None:
    """The decision of an approved or rejected case (None before it, and for a withdrawn case)."""
    if case.state not in (CaseState.APPROVED, CaseState.REJECTED) or case.decided_at is None:
        return None
    approved = case.state == CaseState.APPROVED
    decider = case.decided_by
    role = getattr(decider, "role", "")
    with translation.override("zh-hans"):  # the letter is in Chinese whatever the page's language
        role_words = str(Role(role).label) if role in Role.values else "—"
        decision_words = str(kind_of(case).decision)
    permit = case.permit if approved and case.permit_id else None
    return DecisionData(
        parties=_parties(case),
        approved=approved,
        decided_on=timezone.localdate(case.decided_at),
        decider_role=role_words,
        decided_by_bureau=role == Role.BUREAU_APPROVER,
        reasons=() if approved else refusal_reasons(case),
        permit_number=permit.number if permit else "",
        permit_valid_until=permit.valid_until if permit else None,
        decision=decision_words if approved else "",
        particulars=approved_particulars(case) if approved else (),
        remedies=Remedies(reconsideration_body=settings.REMEDY_RECONSIDERATION_BODY, court=settings.REMEDY_COURT),
    )


# --- the declarations: drafts on demand, frozen at submission ---------------------------------------------------------

DECLARATIONS: dict[str, tuple[Callable[[Case], Any], Callable[[Any], bytes]]] = {
    "integrity_unit": (integrity_unit_data, integrity_unit_pdf),
    "integrity_personal": (integrity_personal_data, integrity_personal_pdf),
    "housing_loan": (housing_loan_data, housing_loan_pdf),
}


def masked_declaration(data: Any) -> Any:
    """The declaration's values with every resident ID number masked (110105********002X), for the unit's copy."""
    if isinstance(data, PersonalDeclaration):
        return replace(data, id_number=mask_resident_id(data.id_number))
    if isinstance(data, HousingLoanDeclaration):
        return replace(data, borrower_id_number=mask_resident_id(data.borrower_id_number),
                       owner_id_number=mask_resident_id(data.owner_id_number))
    return data


def declaration_pdf(case: Case, kind: str, *, masked: bool = False) -> bytes | None:
    """The declaration as it reads from today's records (every ID number masked when `masked`), or None when the
    kind is unknown or does not apply."""
    if kind not in DECLARATIONS:
        return None
    gather, build = DECLARATIONS[kind]
    data = gather(case)
    if data is None:
        return None
    return build(masked_declaration(data) if masked else data)


def declarations_applying(case: Case) -> list[str]:
    """The declarations the case asks for (附件1–3 that apply to it)."""
    return [kind for kind, (gather, _build) in DECLARATIONS.items() if gather(case) is not None]


def correction_notice_pdf_for(case: Case, notice: CorrectionNotice, number: str) -> bytes:
    """The notice as it reads when issued: the clock stops with the return (whatever the order the caller set it)."""
    data = correction_notice_data(case, notice)
    if data is None:
        raise ValueError(f"case {case.public_id} has no correction notice")
    return correction_notice_pdf(replace(data, number=number, paused=True, answered_on=None,
                                         days_left_at_pause=case.days_left_at_pause))


def decision_pdf_for(case: Case, number: str) -> bytes:
    data = decision_data(case)
    if data is None:
        raise ValueError(f"case {case.public_id} has no decision")
    return decision_pdf(replace(data, number=number))
