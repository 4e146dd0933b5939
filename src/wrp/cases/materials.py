"""Materials of a case: uploads by its filers, and the clerk's verdict on each (cases-api.md §Cases).

An upload carries the scan pre-checks' warnings (cases-api.md: blank_page, rotated, low_resolution, not_colour,
duplicate), stored with the file for the uploader and the clerk; they never refuse a file.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wrp.accounts.models import Role
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.facts import case_evaluate
from wrp.cases.models import Case, CaseMaterial, CaseState, MaterialStatus
from wrp.cases.selectors import is_case_applicant, is_case_handler
from wrp.core.errors import Forbidden, Invalid, InvalidState
from wrp.documents.pdfcheck import Sanitised, inspect_and_sanitise
from wrp.documents.services import store_file
from wrp.policy.materials import MATERIALS

UPLOADABLE = frozenset({CaseState.DRAFT, CaseState.AWAITING_UNIT, CaseState.RETURNED})


def case_checklist(case: Case) -> list[str]:
    """The material codes of the case: frozen at submission, before that from a fresh assessment (or what was
    already uploaded when the facts are still incomplete)."""
    if case.assessment:
        return list(case.assessment["zh"]["materials"])
    try:
        _request, evaluation = case_evaluate(case, as_of=timezone.localdate())
    except Invalid:
        return list(CaseMaterial.objects.filter(case=case).values_list("code", flat=True))
    return list(evaluation.materials)


def material_upload(
    *, case: Case, code: str, actor: Any, data: bytes, original_name: str = "", sanitised: Sanitised | None = None
) -> CaseMaterial:
    """Upload (or replace) the PDF of one material while the filers may still change the case.

    `sanitised` is for PDFs the platform itself made safe already (demo data, generated documents): no second parse,
    and no `duplicate` warning (the platform may use one PDF for several materials). The file's warnings are those of
    the scan pre-checks, `not_colour` for the grey pages of a material wanted in colour, and `duplicate` when the same
    file (same SHA-256 of the sanitised bytes, which the same upload always gives) is the current file of another
    material of the case; both are kept.
    """
    uploaded = sanitised is None
    if not (is_case_handler(actor, case) or is_case_applicant(actor, case)):
        raise Forbidden("only the case's applicant or the unit's handlers upload")
    if case.state not in UPLOADABLE:
        raise InvalidState(case.state)
    if code not in case_checklist(case):
        raise Invalid({"code": "该材料不在本案清单中 / not on this case's checklist"})
    # Parse outside the transaction (up to the worker's time limit; SQLite would block every writer meanwhile);
    # store inside it, so a refusal after the parse leaves no file behind.
    sanitised = sanitised or inspect_and_sanitise(data)
    with audited_atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state not in UPLOADABLE:
            raise InvalidState(locked.state)
        warnings = upload_warnings(case=locked, code=code, sanitised=sanitised, uploaded=uploaded)
        stored = store_file(
            data=sanitised.pdf, original_name=original_name, uploaded_by=actor, pages=sanitised.pages,
            warnings=warnings, removed=sanitised.removed,
        )
        material, _created = CaseMaterial.objects.get_or_create(case=locked, code=code)
        previous = material.file.sha256 if material.file_id else None
        material.file = stored
        material.status = MaterialStatus.UPLOADED
        material.reason = ""
        material.uploaded_at = timezone.now()
        material.uploaded_by = actor
        material.save()
        audit_record(
            actor=actor, action="case.material_upload", obj=locked,
            changes={"material": code, "sha256": [previous, stored.sha256]},
        )
    return material


def upload_warnings(*, case: Case, code: str, sanitised: Sanitised, uploaded: bool) -> list[dict[str, Any]]:
    """The warnings of one material's file, in the contract's order: the scan pre-checks', then `not_colour` (only
    for materials the guide wants as colour scans of the original, 原件彩色扫描件), then `duplicate`."""
    warnings = [dict(warning) for warning in sanitised.warnings]
    material = MATERIALS.get(code)
    if sanitised.greyscale_pages and (material is None or material.colour_original):
        warnings.append({"code": "not_colour", "pages": list(sanitised.greyscale_pages)})
    if uploaded and (
        CaseMaterial.objects.filter(case=case, file__sha256=sanitised.sha256).exclude(code=code).exists()
    ):
        warnings.append({"code": "duplicate", "pages": []})
    return warnings


def material_verdict(*, case: Case, code: str, actor: Any, accepted: bool, reason: str = "") -> CaseMaterial:
    """The clerk's verdict on one uploaded material while the case is in review."""
    if getattr(actor, "role", None) != Role.WINDOW_CLERK:
        raise Forbidden("window clerks only")
    if not accepted and not (reason or "").strip():
        raise Invalid({"reason": "请写明需重新上传的原因 / give the reason"})
    with audited_atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.state != CaseState.IN_REVIEW:
            raise InvalidState(locked.state)
        material = CaseMaterial.objects.select_for_update().filter(case=locked, code=code).first()
        if material is None or material.file_id is None:
            raise InvalidState(MaterialStatus.MISSING.value, "this material was never uploaded")
        material.status = MaterialStatus.ACCEPTED if accepted else MaterialStatus.REJECTED
        material.reason = "" if accepted else reason.strip()
        material.save(update_fields=["status", "reason"])
        audit_record(
            actor=actor, action="case.material_verdict", obj=locked,
            changes={"material": code, "status": material.status},
        )
    return material

