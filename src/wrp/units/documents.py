"""Unit standing documents (系统附件管理, G2.注意事项.4): the unit materials every unit case asks for — business
licence, tax certificates, social insurance record — kept current in one place and reused by the unit's cases.

A handler uploads a document through the same pipeline as a case material (checked and sanitised in the PDF worker,
scan pre-checks' warnings kept with the file, stored privately); a new upload replaces the unit's current one. A case
whose checklist names one of these codes can take a copy of the current document as its material: the copy goes
through `material_upload`, the one door for case materials, so the case keeps the file it was submitted with even if
the unit updates its document later. After a cross-district transfer the guide asks the unit to bring these documents
up to date.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.materials import material_upload
from wrp.cases.models import Case, CaseMaterial
from wrp.cases.selectors import is_case_handler
from wrp.core.errors import Forbidden, Invalid, NotFound
from wrp.documents.pdfcheck import Sanitised, inspect_and_sanitise
from wrp.documents.services import open_file, store_file
from wrp.units.models import Unit, UnitDocument
from wrp.units.services import require_handler

STANDING_CODES = ("business_license", "unit_tax_certificates", "unit_social_insurance_record")


def unit_documents(unit: Unit) -> dict[str, UnitDocument]:
    """The unit's current standing documents by code, with their files."""
    return {doc.code: doc for doc in UnitDocument.objects.filter(unit_id=unit.pk).select_related("file", "updated_by")}


def _clean_code(code: Any) -> str:
    if code not in STANDING_CODES:
        raise Invalid({"code": "不是单位常备材料 / not a unit standing document"})
    return str(code)


def scan_warnings(sanitised: Sanitised) -> list[dict[str, Any]]:
    """The scan pre-checks' warnings, and `not_colour` for grey pages: every standing document is a colour scan of
    its original (原件彩色扫描件)."""
    warnings = [dict(warning) for warning in sanitised.warnings]
    if sanitised.greyscale_pages:
        warnings.append({"code": "not_colour", "pages": list(sanitised.greyscale_pages)})
    return warnings


def unit_document_upload(*, unit: Unit, actor: Any, code: str, data: bytes, original_name: str = "") -> UnitDocument:
    """Upload (or replace) one standing document of the unit (its handlers only).

    1. The code is one of STANDING_CODES. 2. The PDF is checked and sanitised outside the transaction (FileRefused
    says why it is refused). 3. Store it and point the unit's document at it under a row lock. 4. Audit old → new.
    """
    require_handler(actor, unit)
    code = _clean_code(code)
    sanitised = inspect_and_sanitise(data)
    with audited_atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        stored = store_file(
            data=sanitised.pdf, original_name=original_name, uploaded_by=actor, pages=sanitised.pages,
            warnings=scan_warnings(sanitised), removed=sanitised.removed,
        )
        document = UnitDocument.objects.filter(unit=unit, code=code).select_related("file").first()
        previous = document.file.sha256 if document is not None else None
        if document is None:
            document = UnitDocument(unit=unit, code=code)
        document.file, document.updated_at, document.updated_by = stored, timezone.now(), actor
        document.save()
        audit_record(actor=actor, action="unit.document_upload", obj=unit,
                     changes={"document": code, "sha256": [previous, stored.sha256]})
    return document


def unit_document_attach(*, case: Case, actor: Any, code: str) -> CaseMaterial:
    """Use the unit's current document `code` as the case's material of that code (its handlers only): a copy,
    through `material_upload`, which checks the case's state and its checklist."""
    if not is_case_handler(actor, case):
        raise Forbidden("only the unit's handlers use its documents")
    code = _clean_code(code)
    document = UnitDocument.objects.filter(unit_id=case.unit_id, code=code).select_related("file").first()
    if document is None:
        raise NotFound("unit document")
    stored = document.file
    grey = next((list(w.get("pages") or []) for w in stored.warnings if w.get("code") == "not_colour"), [])
    ready = Sanitised(
        pdf=open_file(stored), pages=stored.pages, sha256=stored.sha256, removed=list(stored.removed),
        warnings=[w for w in stored.warnings if w.get("code") != "not_colour"], greyscale_pages=grey,
    )
    return material_upload(case=case, code=code, actor=actor, data=b"", original_name=stored.original_name,
                           sanitised=ready)
