"""A user's upload of a material, checked off the request path (wrp.documents.uploads).

The request (`material_upload_start`) refuses what it can without parsing (the case's state, the checklist, the size,
the `%PDF-` marker), quarantines the bytes and enqueues `material_check` after commit; `wrp worker` runs it: the
sandboxed check, then `material_attach` (warnings, duplicate detection, the replaced file deleted, audit) in one
transaction, or the refusal recorded with its audit event `upload.refused`. The quarantined bytes go either way. With
UPLOAD_CHECK_INLINE (the tests' general suite) the request runs the check itself, at once.

The pages and the API follow a check by `material_check_for` (the same visibility as the case) and word a refusal with
`wrp.cases.materials.check_refusal_of`; the case page's rows carry the check still to tell about (`pending_checks`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from wrp.cases.materials import (
    CHECK_PURPOSE,
    NOT_ATTACHED,
    check_reference,
    material_attach,
    material_upload_allowed,
)
from wrp.cases.models import Case
from wrp.cases.selectors import case_for
from wrp.core.errors import InvalidState, NotFound
from wrp.documents.models import UploadCheck
from wrp.documents.uploads import quarantine_store, upload_check_conclude, upload_check_pending, upload_check_perform

PURPOSE = CHECK_PURPOSE
NO_CHECK = _("未找到该上传记录。")

def material_upload_start(
    *, case: Case, code: str, actor: Any, data: bytes, original_name: str = ""
) -> UploadCheck:
    """Take one upload of a material: refuse at once what needs no parsing, else quarantine it and have the worker
    check it (enqueued after commit), or check it now with UPLOAD_CHECK_INLINE. Returns the check (`checking`, or
    its verdict when inline)."""
    material_upload_allowed(case=case, code=code, actor=actor)
    with transaction.atomic():
        check = quarantine_store(
            data=data, original_name=original_name, uploaded_by=actor, purpose=PURPOSE,
            reference=check_reference(case, code),
        )
        if not settings.UPLOAD_CHECK_INLINE:
            transaction.on_commit(partial(material_check_enqueue, check.pk))
    if settings.UPLOAD_CHECK_INLINE:
        material_check_run(check)
        check.refresh_from_db()
    return check


def material_check_enqueue(check_id: int) -> None:
    material_check.enqueue(check_id)


@task()
def material_check(check_id: int) -> str:
    """The worker's check of one quarantined material upload; returns its verdict (or `skipped`)."""
    check = upload_check_pending(check_id, PURPOSE)
    return "skipped" if check is None else material_check_run(check)


def material_check_run(check: UploadCheck) -> str:
    """Check the quarantined upload and attach it to its material, or record why not (the case gone meanwhile:
    refused); the quarantined bytes are deleted whatever happens (`upload_check_conclude`)."""

    def attach() -> None:
        case_pk, _slash, code = check.reference.partition("/")
        case = Case.objects.filter(pk=int(case_pk)).first()
        if case is None:
            raise InvalidState("gone", NOT_ATTACHED, code="case_gone")
        material_attach(
            case=case, code=code, actor=check.uploaded_by, sanitised=upload_check_perform(check),
            original_name=check.original_name, uploaded=True, check=check,
        )

    return upload_check_conclude(check, attach)


def material_check_for(user: Any, public_id: str, code: str, check_id: int | str) -> UploadCheck:
    """The check `check_id` of material `code` of a case `user` may see (NotFound otherwise, as for the case)."""
    case = case_for(user, public_id)
    check = UploadCheck.objects.select_related("stored").filter(
        pk=int(check_id) if str(check_id).isdigit() else 0, purpose=PURPOSE, reference=check_reference(case, code)
    ).first()
    if check is None:
        raise NotFound(NO_CHECK, code="upload_check_not_found")
    return check


def material_check_latest(case: Case, code: str) -> UploadCheck | None:
    """The latest upload check of material `code` of the case (for the page's partial that follows it)."""
    return (
        UploadCheck.objects.select_related("stored")
        .filter(purpose=PURPOSE, reference=check_reference(case, code))
        .order_by("-pk")
        .first()
    )
