"""Integrity failures: stored data that no longer reads back as it was written, and the alert each one raises.

A resident ID number whose ciphertext does not authenticate (`wrp.accounts.crypto.DecryptionFailed`) and a stored
file that is missing or whose bytes no longer match their SHA-256 (`wrp.documents.services.StoredFileCorrupted`)
are both `IntegrityFailure`s: someone or something changed what the platform wrote, and the user cannot fix it. Each
door answers them in one place — the pages with the integrity page (HTTP 409, `wrp.config.security`), the API with
`{"error": "integrity_error", "code": …}` (`wrp.api.errors`) — never with a traceback, and calls `integrity_alert`:
an audit event `integrity.alert` in a transaction of its own (the request's own work has rolled back) and an ERROR
log line for the operators. Neither carries personal data or key material: the kind, the object's type and id, and
the request id.
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext_lazy as _

from wrp.audit.context import request_id

log = logging.getLogger("wrp.integrity")

# The codes the API answers, and the words of the page, by kind.
MESSAGES = {
    "decryption_failed": _("一项加密保存的个人信息无法读取：数据可能被改动。"),
    "stored_file_corrupted": _("一份保存的文件缺失，或内容与保存时不一致。"),
}


class IntegrityFailure(Exception):
    """Stored data that does not read back as written. Subclasses name their `kind`; the object is optional."""

    kind = "integrity_error"

    def __init__(self, detail: str = "", *, object_type: str = "", object_id: Any = "") -> None:
        super().__init__(detail)
        self.object_type = object_type
        self.object_id = "" if object_id in (None, "") else str(object_id)

    def about(self, *, object_type: str, object_id: Any) -> IntegrityFailure:
        """Name the object whose data failed, when the raiser did not know it (returns self, to re-raise)."""
        if not self.object_type:
            self.object_type, self.object_id = object_type, str(object_id)
        return self


def integrity_message(failure: IntegrityFailure) -> Any:
    """What the user is told about this failure (lazy; rendered in the language where it is shown)."""
    return MESSAGES.get(failure.kind, _("保存的数据未通过完整性校验。"))


def integrity_alert(failure: IntegrityFailure, *, actor: Any = None, path: str = "") -> None:
    """Record the failure as an audit event (committed on its own) and log it at ERROR, without personal data.

    Called by the doors after the request's own transaction has rolled back. If the audit write itself fails (the
    database is what broke), the log line still goes out.
    """
    from wrp.audit.services import audit_record, audited_atomic  # models: not at import (crypto loads in settings)

    user = actor if getattr(actor, "is_authenticated", False) else None
    log.error(
        "integrity failure %s on %s %s (request %s, path %s)",
        failure.kind, failure.object_type or "-", failure.object_id or "-", request_id.get() or "-", path or "-",
    )
    try:
        with audited_atomic():
            audit_record(
                actor=user, action="integrity.alert", object_type=failure.object_type, object_id=failure.object_id,
                outcome="failed", changes={"kind": failure.kind, "path": path},
            )
    except Exception:  # the alert must not turn the clean answer into a 500
        log.exception("integrity failure %s: the audit alert could not be written", failure.kind)
