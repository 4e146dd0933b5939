"""Materials of a case: uploads by its filers, and the clerk's verdict on each (cases-api.md §Cases).

An upload carries the scan pre-checks' warnings (cases-api.md: blank_page, rotated, low_resolution, not_colour,
duplicate; and not_checked for pages past the checks' limits), stored with the file for the uploader and the clerk;
they never refuse a file. `wrp.documents.scanwords.warning_sentence` puts each into words.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.facts import case_evaluate
from wrp.cases.models import Case, CaseMaterial, MaterialStatus
from wrp.cases.selectors import cases_visible_to
from wrp.cases.workflow import require, require_actor
from wrp.core.errors import Invalid, InvalidState, ServiceError
from wrp.core.prepared import Prefix, Prepared
from wrp.documents.models import UploadCheck, UploadCheckState
from wrp.documents.pdfcheck import Sanitised
from wrp.documents.scanwords import ordered
from wrp.documents.services import store_file, stored_file_release
from wrp.documents.uploads import check_refusal, check_upload, upload_check_accept
from wrp.policy.materials import MATERIALS


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
    """Upload (or replace) the PDF of one material while the filers may still change the case, checking it in the
    calling process (the sandboxed parse runs here): for the platform's own PDFs, the demo and the tests. Users'
    uploads go through `wrp.cases.material_checks.material_upload_start`, which checks them in the worker.

    `sanitised` is for PDFs the platform itself made safe already (demo data, generated documents): no second parse,
    and no `duplicate` warning (the platform may use one PDF for several materials). The file's warnings are those of
    the scan pre-checks, `not_colour` for the grey pages of a material wanted in colour, and `duplicate` when the same
    file (same SHA-256 of the sanitised bytes, which the same upload always gives) is the current file of another
    material of the case or of another case of the unit the uploader may see (see `duplicate_warning`); both are kept.
    """
    uploaded = sanitised is None
    material_upload_allowed(case=case, code=code, actor=actor)
    # Parse outside the transaction (up to the worker's time limit; SQLite would block every writer meanwhile);
    # store inside it, so a refusal after the parse leaves no file behind.
    sanitised = sanitised or check_upload(data)
    return material_attach(
        case=case, code=code, actor=actor, sanitised=sanitised, original_name=original_name, uploaded=uploaded
    )


def material_upload_allowed(*, case: Case, code: str, actor: Any) -> None:
    """Refuse an upload the actor may not make now (the case's state, the checklist), before anything is read."""
    require(case, actor, "edit")
    if code not in case_checklist(case):
        raise Invalid({"code": _("该材料不在本案清单中。")}, codes={"code": "not_on_checklist"})


def material_attach(
    *, case: Case, code: str, actor: Any, sanitised: Sanitised, original_name: str, uploaded: bool,
    check: UploadCheck | None = None,
) -> CaseMaterial:
    """Store a checked file as the material `code` of the case, in one transaction.

    Steps: lock the case and check again that the actor may still change it; the warnings (scan pre-checks,
    not_colour, duplicate); store the sanitised file; point the material at it; delete the file it replaces unless
    another row still refers to it (`stored_file_release`); mark the upload check accepted; the audit event.
    """
    with audited_atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        require(locked, actor, "edit")
        warnings = upload_warnings(case=locked, code=code, sanitised=sanitised, uploaded=uploaded, actor=actor)
        stored = store_file(
            data=sanitised.pdf, original_name=original_name, uploaded_by=actor, pages=sanitised.pages,
            warnings=warnings, removed=sanitised.removed,
        )
        material, _created = CaseMaterial.objects.select_for_update().get_or_create(case=locked, code=code)
        replaced = material.file
        material.file = stored
        material.status = MaterialStatus.UPLOADED
        material.reason = ""
        material.uploaded_at = timezone.now()
        material.uploaded_by = actor
        material.save()
        if replaced is not None and replaced.pk != stored.pk:
            stored_file_release(stored=replaced, actor=actor)
        if check is not None:
            upload_check_accept(check=check, stored=stored)
        audit_record(
            actor=actor, action="case.material_upload", obj=locked,
            changes={"material": code, "sha256": [replaced.sha256 if replaced else None, stored.sha256]},
        )
    return material


# Materials about the unit rather than the person: the same file in several of the unit's cases is expected.
UNIT_MATERIALS = frozenset({
    "business_license", "unit_integrity_declaration", "unit_tax_certificates", "handler_id_card",
    "unit_social_insurance_record", "unit_qualification", "articles_of_association",
})


def upload_warnings(
    *, case: Case, code: str, sanitised: Sanitised, uploaded: bool, actor: Any = None
) -> list[dict[str, Any]]:
    """The warnings of one material's file, in the contract's order: the scan pre-checks', then `not_colour` (only
    for materials the guide wants as colour scans of the original, 原件彩色扫描件), then `duplicate`, then
    `not_checked`."""
    warnings = [dict(warning) for warning in sanitised.warnings]
    material = MATERIALS.get(code)
    if sanitised.greyscale_pages and (material is None or material.colour_original):
        warnings.append({"code": "not_colour", "pages": list(sanitised.greyscale_pages)})
    if uploaded:
        duplicate = duplicate_warning(case=case, code=code, sha256=sanitised.sha256, actor=actor)
        if duplicate is not None:
            warnings.append(duplicate)
    return ordered(warnings)


def duplicate_warning(*, case: Case, code: str, sha256: str, actor: Any) -> dict[str, Any] | None:
    """`duplicate` naming the other material when the file is the current file of another material of the case, or
    else of a material of another case of the same unit that `actor` may see (with that case's number).

    The same file in another case is no duplicate when it is the same material and either a material about the unit
    (UNIT_MATERIALS: the licence of every case) or the same applicant's (their hukou book in a renewal). The warning
    names a material and a case number only, nothing about the person.
    """
    same_case = (
        CaseMaterial.objects.filter(case=case, file__sha256=sha256).exclude(code=code).order_by("code").first()
    )
    if same_case is not None:
        return {"code": "duplicate", "pages": [], "other_material": same_case.code}
    if actor is None:
        return None
    others = (
        CaseMaterial.objects.filter(
            case__in=cases_visible_to(actor).filter(unit_id=case.unit_id).exclude(pk=case.pk),
            file__sha256=sha256,
        )
        .select_related("case")
        .order_by("-case__pk", "code")
    )
    for other in others:
        if other.code == code and (code in UNIT_MATERIALS or other.case.applicant_id == case.applicant_id):
            continue
        return {"code": "duplicate", "pages": [], "other_material": other.code, "other_case": other.case.public_id}
    return None


def material_verdict(*, case: Case, code: str, actor: Any, accepted: bool, reason: str = "") -> CaseMaterial:
    """The clerk's verdict on one uploaded material while the case is in review (the workflow's `judge`)."""
    require_actor(case, actor, "judge")
    if not accepted and not (reason or "").strip():
        raise Invalid({"reason": _("请写明需重新上传的原因。")}, codes={"reason": "reason_required"})
    with audited_atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        require(locked, actor, "judge")
        material = CaseMaterial.objects.select_for_update().filter(case=locked, code=code).first()
        if material is None or material.file_id is None:
            raise InvalidState(MaterialStatus.MISSING.value, _("该材料尚未上传。"), code="material_not_uploaded")
        material.status = MaterialStatus.ACCEPTED if accepted else MaterialStatus.REJECTED
        material.reason = "" if accepted else reason.strip()
        material.save(update_fields=["status", "reason"])
        audit_record(
            actor=actor, action="case.material_verdict", obj=locked,
            changes={"material": code, "status": material.status},
        )
    return material



# A case's materials with their stored files, as the case page reads them (its SQL compiled once: wrp.core.prepared)
CASE_MATERIALS = Prepared(lambda case: CaseMaterial.objects.filter(case_id=case).select_related("file"), case=int)


def case_material_rows(case: Case, checklist: list[str]) -> list[dict[str, Any]]:
    """The checklist with each material's status, the clerk's reason, its stored file (None until uploaded) and the
    upload being checked or just refused (`check`, see `pending_checks`), for the case page: the checklist's codes
    first, then any other material that has a file (one query each)."""
    rows = {m.code: m for m in CASE_MATERIALS.rows(case=case.pk)}
    checks = pending_checks(case, rows)
    return [
        {
            "code": code,
            "required": code in checklist,
            "status": rows[code].status if code in rows else MaterialStatus.MISSING.value,
            "reason": rows[code].reason if code in rows else "",
            "file": rows[code].file if code in rows and rows[code].file_id else None,
            "check": checks.get(code),
        }
        for code in dict.fromkeys([*checklist, *(code for code, row in rows.items() if row.file_id)])
    ]


# What an upload check of a material is for, in the words of wrp.documents.uploads (see wrp.cases.material_checks).
CHECK_PURPOSE = "case_material"
NOT_ATTACHED = _("文件检查完成时，本案已不能再修改材料，文件未保存。")


# The upload checks of a case's materials, oldest first (their references start with the case's id: `check_reference`)
CASE_CHECKS = Prepared(lambda case: UploadCheck.objects.filter(purpose=CHECK_PURPOSE, reference__startswith=case)
                       .order_by("pk"), case=Prefix)


def check_reference(case: Case, code: str) -> str:
    return f"{case.pk}/{code}"


def check_refusal_of(check: UploadCheck) -> ServiceError | None:
    """A refused check as the refusal to show: the file's own (FileRefused), or the case's (its state changed)."""
    if check.state != UploadCheckState.REFUSED:
        return None
    return check_refusal(check) or InvalidState("", NOT_ATTACHED, code=check.refusal_code or "invalid_state")


def pending_checks(case: Case, rows: dict[str, CaseMaterial]) -> dict[str, dict[str, Any]]:
    """By material code, the latest upload check that the page still has to tell about: one being checked, or one
    refused since the material's current file was uploaded — `{"id", "state", "message"}` (message: the refusal)."""
    latest: dict[str, UploadCheck] = {}
    for check in CASE_CHECKS.rows(case=Prefix(f"{case.pk}/")):
        latest[check.reference.partition("/")[2]] = check
    pending = {}
    for code, check in latest.items():
        uploaded_at = rows[code].uploaded_at if code in rows and rows[code].file_id else None
        if check.state == UploadCheckState.ACCEPTED or (uploaded_at and check.created_at < uploaded_at):
            continue
        refusal = check_refusal_of(check)
        pending[code] = {"id": check.pk, "state": check.state, "message": refusal.message if refusal else ""}
    return pending


def materials_outstanding(case: Case, checklist: list[str] | None = None) -> list[str]:
    """The materials of the checklist (default: the case's) that stop a submission: not uploaded, or to be uploaded
    again."""
    present = set(
        CaseMaterial.objects.filter(case=case, file__isnull=False)
        .exclude(status=MaterialStatus.REJECTED)
        .values_list("code", flat=True)
    )
    return [code for code in (case_checklist(case) if checklist is None else checklist) if code not in present]
