"""Uploads checked off the request path: the request quarantines the raw bytes, the task queue's worker checks them.

A web request does only what costs nothing (the size, the `%PDF-` marker), writes the raw bytes to a private
quarantine (quarantine/<2 hex>/<32 hex> in the private storage, `wrp.core.storage`: a random name) and creates
an `UploadCheck` row in state `checking`; the layer above enqueues its task after commit. The worker then runs
`upload_check_perform`: the malware scanner if the deployment has one (`wrp.documents.scanner`), then the sandboxed
check, sanitising and scan pre-checks (`wrp.documents.pdfcheck`); the layer above stores the sanitised file where it
belongs and marks the check `accepted` in the same transaction (`upload_check_accept`), or records the refusal
(`upload_check_refuse`, audit event `upload.refused`). The quarantined bytes are deleted in every case
(`quarantine_remove`). Web workers never parse a PDF, unless UPLOAD_CHECK_INLINE (the tests' general suite) asks the
request to run the check at once (still in the sandboxed process).

Documents knows nothing of what an upload is for: `purpose` and `reference` are the caller's words.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.audit.services import audit_record, audited_atomic
from wrp.core.errors import FileRefused, Message, ServiceError
from wrp.documents.models import StoredFile, UploadCheck, UploadCheckState
from wrp.documents.pdfcheck import (
    HEADER_WINDOW,
    MAX_BYTES,
    MESSAGE_TOO_COMPLEX,
    MESSAGE_UNREADABLE,
    MESSAGES,
    Sanitised,
    refuse,
)
from wrp.documents.pdfcheck import inspect_and_sanitise as sandboxed_check
from wrp.documents.scanner import ScannerUnavailable, malware_scanner
from wrp.documents.services import QUARANTINE_DIR, _write_private, display_name, private_delete, private_read

logger = logging.getLogger(__name__)

MESSAGE_MALWARE = _("文件中发现恶意代码，未被接受。请用杀毒软件检查您的电脑后，重新扫描原件上传。")
MESSAGE_SCANNER_DOWN = _("暂时无法完成文件安全检查，文件未保存。请稍后重新上传。")
CODE_MESSAGES: dict[str, Message] = {
    "too_complex": MESSAGE_TOO_COMPLEX, "malware": MESSAGE_MALWARE, "scan_unavailable": MESSAGE_SCANNER_DOWN,
    "check_failed": MESSAGE_UNREADABLE,
}


def upload_precheck(data: bytes) -> None:
    """The checks a web request may afford: the size, then the `%PDF-` marker (FileRefused otherwise)."""
    if len(data) > MAX_BYTES:
        raise refuse("too_large")
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise refuse("not_pdf")


def check_upload(data: bytes) -> Sanitised:
    """Everything an upload goes through, in the calling process (the worker's, or a synchronous caller's): the
    cheap checks, the malware scanner if there is one, then the sandboxed parse, sanitising and scan pre-checks."""
    upload_precheck(data)
    scanner = malware_scanner()
    if scanner is not None:
        try:
            signature = scanner.scan(data)
        except ScannerUnavailable as error:
            logger.error("malware scanner unavailable: %s", error)
            raise FileRefused("damaged", MESSAGE_SCANNER_DOWN, code="scan_unavailable") from error
        if signature:
            logger.warning("upload refused: malware signature %s", signature)
            raise FileRefused("damaged", MESSAGE_MALWARE, code="malware")
    return sandboxed_check(data)


def quarantine_store(
    *, data: bytes, original_name: str, uploaded_by: Any, purpose: str, reference: str
) -> UploadCheck:
    """Quarantine one upload for the worker's check: the cheap checks (FileRefused before a byte is written), the
    raw bytes under a random private name, and the `checking` row (in the caller's transaction, if any: the bytes
    of a row rolled back are deleted by the daily sweep's `orphan_files_remove`)."""
    upload_precheck(data)
    relative = _write_private(f"{QUARANTINE_DIR}/{secrets.token_hex(1)}/{secrets.token_hex(16)}", data)
    try:
        return UploadCheck.objects.create(
            purpose=purpose, reference=reference, quarantine_name=relative, size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), original_name=display_name(original_name),
            uploaded_by=uploaded_by, created_at=timezone.now(),
        )
    except BaseException:
        private_delete(relative)
        raise


def upload_check_perform(check: UploadCheck) -> Sanitised:
    """Run `check_upload` on the quarantined bytes (a missing quarantine file is a damaged upload)."""
    try:
        data = private_read(check.quarantine_name) if check.quarantine_name else None
    except FileNotFoundError:
        data = None
    if data is None:
        logger.error("upload check %s has no quarantined file", check.pk)
        raise refuse("damaged")
    return check_upload(data)


def upload_check_pending(check_id: int, purpose: str) -> UploadCheck | None:
    """The check a worker's task is to run: still `checking` and for `purpose`; None when it was checked already (a
    task enqueued twice) or is gone."""
    return UploadCheck.objects.select_related("uploaded_by").filter(
        pk=check_id, purpose=purpose, state=UploadCheckState.CHECKING
    ).first()


def upload_check_conclude(check: UploadCheck, attach: Callable[[], Sanitised | None]) -> str:
    """The worker's end of a check, whatever the upload is for: `attach()` (the layer above: find what the upload is
    for, run `upload_check_perform`, store the file there and `upload_check_accept` in one transaction) — or, when it
    raises a refusal, record it (`upload_check_refuse`); any other failure is logged and refused as unreadable, so no
    uploader waits on a check that cannot end. The quarantined bytes are deleted whatever happens. Returns the
    verdict (`accepted` or `refused`)."""
    try:
        attach()
    except ServiceError as refused:
        upload_check_refuse(check=check, refusal=refused)
    except Exception:
        logger.exception("upload check %s failed", check.pk)
        upload_check_refuse(check=check, refusal=FileRefused("damaged", MESSAGE_UNREADABLE, code="check_failed"))
    finally:
        quarantine_remove(check)
    check.refresh_from_db()
    return check.state


def upload_check_accept(*, check: UploadCheck, stored: StoredFile) -> None:
    """Mark the check accepted as `stored`, inside the caller's transaction (the one that stored the file)."""
    UploadCheck.objects.filter(pk=check.pk).update(
        state=UploadCheckState.ACCEPTED, stored=stored, finished_at=timezone.now()
    )


def upload_check_refuse(*, check: UploadCheck, refusal: ServiceError) -> None:
    """Record why the check refused the upload, forget the upload's name, and write the audit event
    `upload.refused` (the code only: nothing of the file or the person)."""
    reason = refusal.reason if isinstance(refusal, FileRefused) else ""
    with audited_atomic():
        UploadCheck.objects.filter(pk=check.pk).update(
            state=UploadCheckState.REFUSED, refusal_reason=reason, refusal_code=refusal.code, original_name="",
            finished_at=timezone.now(),
        )
        audit_record(
            actor=check.uploaded_by, action="upload.refused", obj=check,
            changes={"purpose": check.purpose, "reason": reason, "code": refusal.code, "size": check.size},
        )
    check.refresh_from_db()


def quarantine_remove(check: UploadCheck) -> None:
    """Delete the quarantined bytes of a check (whatever its verdict) and forget their name. Idempotent."""
    if not check.quarantine_name:
        return
    private_delete(check.quarantine_name)
    UploadCheck.objects.filter(pk=check.pk).update(quarantine_name="")
    check.quarantine_name = ""


def check_refusal(check: UploadCheck) -> FileRefused | None:
    """A refused check's verdict as the refusal it was (its message in words), or None when it was not refused or
    was refused by the layer above for its own reasons (no file reason: that layer words those)."""
    if check.state != UploadCheckState.REFUSED or not check.refusal_reason:
        return None
    message = CODE_MESSAGES.get(check.refusal_code) or MESSAGES.get(check.refusal_reason) or MESSAGES["damaged"]
    return FileRefused(check.refusal_reason, message, code=check.refusal_code or check.refusal_reason)


def upload_checks_tidy(*, stuck_after: timedelta = timedelta(hours=1), keep: timedelta = timedelta(days=30)) -> int:
    """The daily sweep's part: a check still `checking` long after its upload (its task lost with a worker that died
    before it started) is refused as unreadable and its bytes deleted, so no uploader waits forever; a finished
    check older than `keep` is deleted (the page and the API have long shown its verdict; the audit chain keeps
    the refusals). Idempotent; returns how many checks it ended or deleted."""
    now = timezone.now()
    stuck = list(UploadCheck.objects.select_related("uploaded_by")
                 .filter(state=UploadCheckState.CHECKING, created_at__lt=now - stuck_after))
    for check in stuck:
        logger.error("upload check %s was never run; refused", check.pk)
        upload_check_refuse(check=check, refusal=FileRefused("damaged", MESSAGE_UNREADABLE, code="check_failed"))
        quarantine_remove(check)
    deleted, _by_model = (UploadCheck.objects.exclude(state=UploadCheckState.CHECKING)
                          .filter(finished_at__lt=now - keep, quarantine_name="").delete())
    return len(stuck) + deleted
