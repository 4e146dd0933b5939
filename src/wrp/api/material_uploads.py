"""The API's side of an upload checked off the request path (wrp.cases.material_checks).

`POST /cases/{id}/materials/{code}` keeps its contract: it quarantines the file, then waits for the worker's verdict
by reading the check's row (the web process parses nothing) for up to UPLOAD_API_WAIT_SECONDS: 201 with the material,
or 422 `file_refused`. A verdict not in by then is 202 `{"code", "status": "checking", "check": id}`, and
`GET /cases/{id}/materials/{code}/checks/{check}` tells it later (docs/api-documents.md).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from ninja import Schema, Status

from wrp.cases.materials import check_refusal_of
from wrp.core.admission import waiting
from wrp.documents.models import UploadCheck, UploadCheckState
from wrp.documents.scanwords import with_messages

POLL_SECONDS = 0.25


class CheckingOut(Schema):
    code: str
    status: str
    check: int


def check_wait(check: UploadCheck, *, seconds: float | None = None) -> UploadCheck:
    """The check once it has a verdict, or as it stands after `seconds` (default UPLOAD_API_WAIT_SECONDS)."""
    deadline = time.monotonic() + (settings.UPLOAD_API_WAIT_SECONDS if seconds is None else seconds)
    while check.state == UploadCheckState.CHECKING and time.monotonic() < deadline:
        with waiting():  # the worker's slot goes to another request meanwhile
            time.sleep(POLL_SECONDS)
        check.refresh_from_db()
    return check


def check_answer(check: UploadCheck, code: str, *, accepted_status: int) -> Status[dict[str, Any]]:
    """The contract's answer to a check: the material (`accepted_status`), the refusal raised (422 `file_refused`, or
    409 when the case could no longer take it), or 202 while it is still being checked."""
    if check.state == UploadCheckState.CHECKING:
        return Status(202, {"code": code, "status": "checking", "check": check.pk})
    refusal = check_refusal_of(check)
    if refusal is not None:
        raise refusal
    stored = check.stored
    if stored is None:  # accepted, then replaced by a later upload (and deleted)
        return Status(410, {"code": code, "status": "replaced", "check": check.pk})
    return Status(accepted_status, {
        "code": code,
        "status": "uploaded",
        "sha256": stored.sha256,
        "pages": stored.pages,
        "warnings": with_messages(stored.warnings or []),
    })
