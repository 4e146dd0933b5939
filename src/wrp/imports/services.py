"""An import's life: upload (stored privately, checked by content and size) → the worker checks every row
(progress on the batch) → `valid` or `invalid` with each error at its row and column → the handler confirms (the whole
sheet, or explicitly only its valid rows) → the worker creates the invitations (progress again) → `imported`.

Nothing is written but the batch's own record until the handler confirms; a sheet with errors imports nothing unless
the handler chose "only the valid rows". The confirmed import checks the file again (the records may have changed
since): rows that now duplicate an association or an invitation are skipped and reported, never doubled.
"""

from __future__ import annotations

import secrets
from datetime import date
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from wrp.audit.services import audit_record, audited_atomic
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound, ServiceError
from wrp.core.storage import private_storage
from wrp.imports.invitations import DUPLICATE_WORDS, duplicates_among, invitation_create
from wrp.imports.models import ImportBatch, ImportState
from wrp.imports.sheet import MAX_BYTES, CleanRow, SheetRefused, read_clean, sniff
from wrp.units.models import Unit
from wrp.units.selectors import is_handler, units_handled_by

MAX_ERRORS_KEPT = 2000  # errors stored on the batch (the count is kept whole)
PROGRESS_EVERY = 100  # rows between two progress writes
CHUNK = 250  # invitations a transaction
NOT_FOUND = _("未找到该导入，或您无权查看。")


# --- reads ---------------------------------------------------------------------------------------------------------


def imports_visible_to(user: Any) -> QuerySet[ImportBatch]:
    """A handler's units' imports; nobody else's (an import is the unit's working file)."""
    return ImportBatch.objects.select_related("unit").filter(unit__in=units_handled_by(user))


def import_for(user: Any, public_id: str) -> ImportBatch:
    batch = imports_visible_to(user).filter(public_id=str(public_id)[:24]).first()
    if batch is None:
        raise NotFound(NOT_FOUND, code="import_not_found")
    return batch


def read_file(batch: ImportBatch) -> bytes:
    with private_storage().open(batch.file_name, "rb") as handle:
        return bytes(handle.read())


# --- upload --------------------------------------------------------------------------------------------------------


def import_upload(*, actor: Any, unit: Unit, data: bytes, original_name: str = "") -> ImportBatch:
    """Take a sheet: refused at once when it is not one (Invalid naming `file`); else stored privately and checked by
    the worker (enqueued after commit)."""
    if not is_handler(actor, unit):
        raise Forbidden(_("只有该单位的经办人可以导入员工。"), code="unit_handlers_only")
    if len(data) > MAX_BYTES:
        raise Invalid({"file": _("文件超过 10 MB。")}, codes={"file": "too_large"})
    try:
        file_format = sniff(data)
    except SheetRefused as refused:
        raise Invalid({"file": _pair(refused.message)}, codes={"file": refused.reason}) from None
    public_id = secrets.token_hex(8)
    name = private_storage().save(f"imports/{public_id[:2]}/{secrets.token_hex(16)}.{file_format}", ContentFile(data))
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            public_id=public_id,
            unit=unit,
            created_by=actor,
            original_name=(original_name or "")[-200:],
            file_name=name,
            file_format=file_format,
            size=len(data),
        )
        audit_record(
            actor=actor,
            action="import.upload",
            obj=batch,
            changes={"unit": unit.credit_code, "format": file_format, "size": len(data)},
        )
        transaction.on_commit(partial(import_validate.enqueue, batch.pk))
    return batch


def _pair(pair: tuple[str, str]) -> Any:
    from wrp.core.language import policy_text

    return policy_text(*pair)


# --- the worker: checking ------------------------------------------------------------------------------------------


def _progress(batch: ImportBatch, processed: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(processed=processed, updated_at=timezone.now())


def _check(
    batch: ImportBatch, *, today: date
) -> tuple[list[CleanRow], list[dict[str, Any]], int, list[dict[str, Any]]]:
    """Every row checked (progress written as it goes): the clean rows, the errors, the rows with errors, and the
    duplicates of existing records (notes)."""
    data = read_file(batch)
    clean: list[CleanRow] = []
    errors: list[dict[str, Any]] = []
    error_rows = 0
    checked = read_clean(data, batch.file_format, today=today)
    rows = list(checked)  # parsing is quick; the rows are counted first so the bar has its total
    ImportBatch.objects.filter(pk=batch.pk).update(total_rows=len(rows))
    batch.total_rows = len(rows)
    for index, (row, row_errors) in enumerate(rows, start=1):
        if row is not None:
            clean.append(row)
        else:
            error_rows += 1
            errors.extend(error.as_dict() for error in row_errors)
        if index % PROGRESS_EVERY == 0:
            _progress(batch, index)
    found = duplicates_among(batch.unit, [row.id_number for row in clean])
    notes = [
        {"row": row.row, "code": found[row.id_number], "field": "id_number"} for row in clean if row.id_number in found
    ]
    return clean, errors, error_rows, notes


def import_validate_run(batch: ImportBatch, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    try:
        clean, errors, error_rows, notes = _check(batch, today=today)
    except SheetRefused as refused:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.INVALID,
            error_count=1,
            errors=[
                {
                    "row": 0,
                    "column": "",
                    "field": "file",
                    "code": refused.reason,
                    "zh": refused.message[0],
                    "en": refused.message[1],
                }
            ],
        )
        return ImportState.INVALID
    state = ImportState.INVALID if errors else ImportState.VALID
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=state,
        processed=batch.total_rows,
        valid_rows=len(clean),
        error_rows=error_rows,
        error_count=len(errors),
        errors=errors[:MAX_ERRORS_KEPT],
        notes=notes,
        updated_at=timezone.now(),
    )
    return state


@task()
def import_validate(batch_id: int) -> str:
    """The worker's check of an uploaded sheet (idempotent: a batch no longer `validating` is left alone)."""
    batch = ImportBatch.objects.select_related("unit").filter(pk=batch_id, state=ImportState.VALIDATING).first()
    if batch is None:
        return "skipped"
    try:
        return import_validate_run(batch)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(state=ImportState.FAILED)
        raise


# --- confirmation and the worker's import --------------------------------------------------------------------------


def import_confirm(*, batch: ImportBatch, actor: Any, only_valid: bool = False) -> ImportBatch:
    """The handler's go: the whole sheet when it is valid; with `only_valid`, its valid rows (stated as such). The
    worker then creates the invitations."""
    if not is_handler(actor, batch.unit):
        raise Forbidden(_("只有该单位的经办人可以导入员工。"), code="unit_handlers_only")
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state == ImportState.INVALID and not only_valid:
            raise InvalidState(
                locked.state, _("表格中有错误：请改正后重新上传，或选择只导入无误的行。"), code="sheet_has_errors"
            )
        if locked.state not in (ImportState.VALID, ImportState.INVALID) or (
            locked.state == ImportState.INVALID and (locked.valid_rows == 0 or locked.error_rows == 0)
        ):
            raise InvalidState(locked.state)
        locked.state, locked.only_valid, locked.processed = ImportState.IMPORTING, only_valid, 0
        locked.save(update_fields=["state", "only_valid", "processed", "updated_at"])
        audit_record(
            actor=actor,
            action="import.confirm",
            obj=locked,
            changes={"only_valid": only_valid, "rows": locked.valid_rows},
        )
        transaction.on_commit(partial(import_execute.enqueue, locked.pk))
    return locked


def import_execute_run(batch: ImportBatch, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    try:
        clean, errors, _error_rows, notes = _check(batch, today=today)
    except SheetRefused:
        ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.FAILED)
        return ImportState.FAILED
    if errors and not batch.only_valid:  # the file was valid when confirmed: this cannot happen but by tampering
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=ImportState.INVALID, errors=errors[:MAX_ERRORS_KEPT], error_count=len(errors)
        )
        return ImportState.INVALID
    duplicates = {note["row"]: note["code"] for note in notes}
    invited, skipped = 0, [{"row": row, "code": code} for row, code in duplicates.items()]
    _progress(batch, 0)
    for start in range(0, len(clean), CHUNK):
        with audited_atomic():  # the chunk's audit events in one statement
            for row in clean[start : start + CHUNK]:
                if row.row in duplicates:
                    continue
                try:
                    with transaction.atomic():
                        invitation_create(actor=batch.created_by, unit=batch.unit, row=row, batch=batch, checked=True)
                except Invalid as refused:
                    skipped.append({"row": row.row, "code": refused.codes.get("id_number", "refused")})
                except ServiceError:
                    skipped.append({"row": row.row, "code": "refused"})
                else:
                    invited += 1
        _progress(batch, min(start + CHUNK, len(clean)))
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportState.IMPORTED,
        processed=len(clean),
        total_rows=len(clean),
        result={"invited": invited, "skipped": skipped, "only_valid": batch.only_valid},
        updated_at=timezone.now(),
    )
    return ImportState.IMPORTED


@task()
def import_execute(batch_id: int) -> str:
    """The worker's import of a confirmed sheet (a retry skips the rows already invited: they are duplicates)."""
    batch = (
        ImportBatch.objects.select_related("unit", "created_by")
        .filter(pk=batch_id, state=ImportState.IMPORTING)
        .first()
    )
    if batch is None:
        return "skipped"
    try:
        return import_execute_run(batch)
    except Exception:
        ImportBatch.objects.filter(pk=batch_id).update(state=ImportState.FAILED)
        raise


def skipped_words(code: str) -> Any:
    return DUPLICATE_WORDS.get(code, _("未导入。"))
