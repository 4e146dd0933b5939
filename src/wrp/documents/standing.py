"""The files of a unit's standing documents (系统附件管理, G2.注意事项.4): a handler uploads one through the same
pipeline as a case material — quarantined by the request, checked and sanitised by the worker in the sandboxed PDF
process (`wrp.documents.uploads`), the scan pre-checks' warnings kept with the file, stored privately — and a new
upload replaces the unit's current one (the replaced file is deleted unless another row still refers to it). After a
cross-district transfer the guide asks the unit to bring these documents up to date.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from wrp.audit.services import audit_record, audited_atomic
from wrp.documents.models import UploadCheck
from wrp.documents.pdfcheck import Sanitised
from wrp.documents.services import store_file, stored_file_release
from wrp.documents.uploads import (
    check_upload,
    quarantine_store,
    upload_check_accept,
    upload_check_conclude,
    upload_check_pending,
    upload_check_perform,
)
from wrp.units.documents import standing_code
from wrp.units.models import Unit, UnitDocument
from wrp.units.services import require_handler

PURPOSE = "unit_document"


def scan_warnings(sanitised: Sanitised) -> list[dict[str, Any]]:
    """The scan pre-checks' warnings, and `not_colour` for grey pages: every standing document is a colour scan of
    its original (原件彩色扫描件)."""
    warnings = [dict(warning) for warning in sanitised.warnings]
    if sanitised.greyscale_pages:
        warnings.append({"code": "not_colour", "pages": list(sanitised.greyscale_pages)})
    return warnings


def unit_document_upload(*, unit: Unit, actor: Any, code: str, data: bytes, original_name: str = "") -> UnitDocument:
    """Upload (or replace) one standing document of the unit at once, in the calling process (commands, tests): the
    checks of `wrp.documents.uploads.check_upload` (FileRefused says why), then `unit_document_attach`."""
    require_handler(actor, unit)
    code = standing_code(code)
    return unit_document_attach(unit=unit, actor=actor, code=code, sanitised=check_upload(data),
                                original_name=original_name)


def unit_document_upload_start(
    *, unit: Unit, actor: Any, code: str, data: bytes, original_name: str = ""
) -> UploadCheck:
    """The page's upload: the handler's right, the code and the cheap checks now (FileRefused before a byte is
    written); then the bytes quarantined and `unit_document_check` enqueued after commit — or, with
    UPLOAD_CHECK_INLINE, checked at once. Returns the check (`checking`, or its verdict when inline)."""
    require_handler(actor, unit)
    code = standing_code(code)
    with transaction.atomic():
        check = quarantine_store(data=data, original_name=original_name, uploaded_by=actor, purpose=PURPOSE,
                                 reference=document_reference(unit, code))
        if not settings.UPLOAD_CHECK_INLINE:
            transaction.on_commit(partial(unit_document_check.enqueue, check.pk))
    if settings.UPLOAD_CHECK_INLINE:
        unit_document_check_run(check)
        check.refresh_from_db()
    return check


def document_reference(unit: Unit, code: str) -> str:
    return f"{unit.pk}/{code}"


@task()
def unit_document_check(check_id: int) -> str:
    """The worker's check of one quarantined standing document; returns its verdict (or `skipped`)."""
    check = upload_check_pending(check_id, PURPOSE)
    return "skipped" if check is None else unit_document_check_run(check)


def unit_document_check_run(check: UploadCheck) -> str:
    """Check the quarantined upload and make it the unit's document, or record why not (the uploader may have
    stopped handling the unit meanwhile: refused); the quarantined bytes are deleted whatever happens."""

    def attach() -> None:
        unit_pk, _slash, code = check.reference.partition("/")
        unit = Unit.objects.get(pk=int(unit_pk))
        require_handler(check.uploaded_by, unit)
        unit_document_attach(unit=unit, actor=check.uploaded_by, code=code, sanitised=upload_check_perform(check),
                             original_name=check.original_name, check=check)

    return upload_check_conclude(check, attach)


def unit_document_check_latest(unit: Unit, code: str) -> UploadCheck | None:
    """The latest upload check of one standing document of the unit (for the page that follows it)."""
    return (UploadCheck.objects.select_related("stored")
            .filter(purpose=PURPOSE, reference=document_reference(unit, code)).order_by("-pk").first())


def unit_document_attach(
    *, unit: Unit, actor: Any, code: str, sanitised: Sanitised, original_name: str = "",
    check: UploadCheck | None = None,
) -> UnitDocument:
    """Store a checked file as the unit's document `code`: under the unit's row lock, store it, point the document at
    it, delete the file it replaces unless another row refers to it, mark the check accepted, audit old → new."""
    with audited_atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        stored = store_file(
            data=sanitised.pdf, original_name=original_name, uploaded_by=actor, pages=sanitised.pages,
            warnings=scan_warnings(sanitised), removed=sanitised.removed,
        )
        document = UnitDocument.objects.filter(unit=unit, code=code).select_related("file").first()
        replaced = document.file if document is not None else None
        if document is None:
            document = UnitDocument(unit=unit, code=code)
        document.file, document.updated_at, document.updated_by = stored, timezone.now(), actor
        document.save()
        if replaced is not None and replaced.pk != stored.pk:
            stored_file_release(stored=replaced, actor=actor)
        if check is not None:
            upload_check_accept(check=check, stored=stored)
        audit_record(actor=actor, action="unit.document_upload", obj=unit,
                     changes={"document": code, "sha256": [replaced.sha256 if replaced else None, stored.sha256]})
    return document
