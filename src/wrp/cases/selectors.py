"""Who may see which case (and its files). A view or endpoint never fetches a case by id without asking here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wrp.accounts.models import Role
from wrp.cases.models import Case, CaseMaterial, MaterialStatus
from wrp.core.errors import NotFound
from wrp.documents.models import StoredFile
from wrp.units.selectors import is_handler, units_handled_by


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Own cases (applicant), their units' cases (handler), every case (clerk, approver); none for anyone else."""
    cases = Case.objects.select_related("unit", "applicant")
    if not getattr(user, "is_authenticated", False):
        return cases.none()
    if user.role == Role.APPLICANT:
        return cases.filter(applicant=user)
    if user.role == Role.UNIT_HANDLER:
        return cases.filter(unit__in=units_handled_by(user))
    if user.role in (Role.WINDOW_CLERK, Role.BUREAU_APPROVER):
        return cases
    return cases.none()


def case_for(user: Any, public_id: str) -> Case:
    """The case if the user may see it; NotFound whether it is missing or someone else's."""
    case = cases_visible_to(user).filter(public_id=public_id).first()
    if case is None:
        raise NotFound("case")
    return case


def is_case_handler(user: Any, case: Case) -> bool:
    return getattr(user, "role", None) == Role.UNIT_HANDLER and is_handler(user, case.unit)


def is_case_applicant(user: Any, case: Case) -> bool:
    return getattr(user, "role", None) == Role.APPLICANT and case.applicant_id == user.pk


def material_file_for(user: Any, public_id: str, code: str) -> StoredFile:
    """The stored PDF of a case's material, for those who may see the case."""
    case = case_for(user, public_id)
    material = CaseMaterial.objects.filter(case=case, code=code).select_related("file").first()
    if material is None or material.file is None:
        raise NotFound("material")
    return material.file


def case_materials(case: Case, checklist: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """The checklist with each material's status: `missing` until uploaded (contract: cases-api.md §Cases)."""
    rows = {material.code: material for material in CaseMaterial.objects.filter(case=case).select_related("file")}
    out = []
    for code in dict.fromkeys([*checklist, *(c for c, m in rows.items() if m.file_id)]):
        row = rows.get(code)
        out.append(
            {
                "code": code,
                "required": code in checklist,
                "status": row.status if row else MaterialStatus.MISSING.value,
                "reason": row.reason if row else "",
                "sha256": row.file.sha256 if row and row.file_id else None,
            }
        )
    return out

