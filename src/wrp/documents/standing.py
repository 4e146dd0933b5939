"""The files of a unit's standing documents (系统附件管理, G2.注意事项.4): a handler uploads one through the same
pipeline as a case material — checked and sanitised in the PDF worker, the scan pre-checks' warnings kept with the
file, stored privately — and a new upload replaces the unit's current one. After a cross-district transfer the guide
asks the unit to bring these documents up to date.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wrp.audit.services import audit_record, audited_atomic
from wrp.documents.pdfcheck import Sanitised, inspect_and_sanitise
from wrp.documents.services import store_file
from wrp.units.documents import standing_code
from wrp.units.models import Unit, UnitDocument
from wrp.units.services import require_handler


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
    code = standing_code(code)
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
