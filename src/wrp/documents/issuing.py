"""Issuing documents as records (POLICY §11 L-RECORD).

What the platform issues — a receipt, a notice, a decision, a certificate, the declarations of a submitted case
version — is generated once, when the act happens, and kept: the PDF is built with its 文号 printed inside, signed
(PAdES, `wrp.documents.signing`), stored as a private file with its SHA-256 (`store_file`), and recorded as an
`IssuedDocument`. It is never rebuilt; a later document of the same kind for the same case (or permit) is a new row
that supersedes the earlier one.

文号 are allocated per series and calendar year (Asia/Shanghai) from a counter row held under a row lock until the
issuing transaction ends, so they follow one another without gaps or duplicates under concurrency: a rolled-back
act gives its number back with its row. The bureau's series (decisions, certificates, extensions) and the window's
(receipts and notices of the service centre) have their own formats, settings `DOCUMENT_NUMBER_FORMAT` and
`WINDOW_DOCUMENT_NUMBER_FORMAT`.

The case layer issues through `wrp.cases.records.issue_case_document`; the permit layer its certificates.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pikepdf
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from wrp.audit.services import audit_record
from wrp.documents import signing
from wrp.documents.models import DocumentCounter, IssuedDocument
from wrp.documents.services import store_file

BUREAU_SERIES = "bureau"
WINDOW_SERIES = "window"
DRAFT_SERIES = ""  # the declarations: not numbered


@dataclass(frozen=True)
class DocumentKind:
    """One kind of issued document: its title and the series of its 文号 (who issues it)."""

    key: str
    title: str
    series: str


DOCUMENT_KINDS: dict[str, DocumentKind] = {
    kind.key: kind
    for kind in (
        DocumentKind("receipt", "材料接收凭证", WINDOW_SERIES),
        DocumentKind("acceptance", "受理通知书", WINDOW_SERIES),
        DocumentKind("non_acceptance", "不予受理通知书", WINDOW_SERIES),
        DocumentKind("correction_notice", "补正材料一次性告知书", WINDOW_SERIES),
        DocumentKind("extension", "延期通知书", BUREAU_SERIES),
        DocumentKind("decision", "行政许可决定书", BUREAU_SERIES),  # the title says 准予 or 不予
        DocumentKind("certificate", "北京市工作居住证", BUREAU_SERIES),
        DocumentKind("integrity_unit", "附件1 诚信声明（单位版）", DRAFT_SERIES),
        DocumentKind("integrity_personal", "附件2 诚信声明（个人版）", DRAFT_SERIES),
        DocumentKind("housing_loan", "附件3 房屋借住声明", DRAFT_SERIES),
        # the unit's copies of the declarations carrying an ID number: the same text, every ID number masked
        DocumentKind("integrity_personal_masked", "附件2 诚信声明（个人版，单位留存，证件号码已遮盖）", DRAFT_SERIES),
        DocumentKind("housing_loan_masked", "附件3 房屋借住声明（单位留存，证件号码已遮盖）", DRAFT_SERIES),
    )
}
DECLARATION_KINDS = ("integrity_unit", "integrity_personal", "housing_loan")


def document_kind(kind: str) -> DocumentKind:
    """The description of a kind of document; ValueError for an unknown one (a programming error)."""
    try:
        return DOCUMENT_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown document kind {kind!r}") from None


def _number_format(series: str) -> str:
    return settings.WINDOW_DOCUMENT_NUMBER_FORMAT if series == WINDOW_SERIES else settings.DOCUMENT_NUMBER_FORMAT


def number_next(*, series: str, year: int) -> str:
    """The next 文号 of the series and year. Must run in the issuing transaction: the counter row stays locked until
    it ends, so a second issuer waits and takes the following number, and a rollback gives the number back."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the issuing transaction")
    DocumentCounter.objects.bulk_create([DocumentCounter(series=series, year=year)], ignore_conflicts=True)
    counter = DocumentCounter.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return _number_format(series).format(year=year, seq=counter.last)


def _signed(data: bytes, *, title: str) -> bytes:
    """The PDF signed with the bureau's key (PAdES, an incremental update: `data` is its unchanged beginning). No key
    is an error that stops the act (SigningUnavailable): an issued document is never unsigned."""
    return signing.sign_pdf(data, reason=title)


def _pages(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def previous_document(*, kind: str, case: Any = None, permit: Any = None) -> IssuedDocument | None:
    """The current (not superseded) document of this kind for the case, or for the permit when there is no case."""
    documents = IssuedDocument.objects.filter(kind=kind, superseded_by__isnull=True)
    documents = documents.filter(case=case) if case is not None else documents.filter(permit=permit, case=None)
    return documents.order_by("-issued_at", "-id").first()


def document_issue(
    *,
    kind: str,
    build: Callable[[str], bytes],
    actor: Any,
    at: datetime | None = None,
    case: Any = None,
    permit: Any = None,
    case_version: int | None = None,
    numbered: bool = True,
    title: str = "",
) -> IssuedDocument:
    """Issue one document, inside the caller's transaction.

    Steps: allocate the next 文号 of the kind's series and year (none when `numbered` is False); `build(number)` the
    PDF with the number printed inside; sign it; store it privately with its SHA-256; write the row, superseding the
    current document of the same kind for the same case (or permit); write an audit event.
    """
    spec = document_kind(kind)
    at = at or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        number = number_next(series=spec.series, year=timezone.localtime(at).year) if numbered else ""
        data = _signed(build(number), title=title or spec.title)
        stored = store_file(data=data, original_name=f"{kind}.pdf", uploaded_by=user,
                            pages=_pages(data))
        document = IssuedDocument.objects.create(
            number=number, kind=kind, title=title or spec.title, case=case, permit=permit, file=stored,
            sha256=stored.sha256, issued_at=at, issued_by=user, case_version=case_version,
            supersedes=previous_document(kind=kind, case=case, permit=permit),
        )
        audit_record(
            actor=user, action="document.issue", obj=document,
            changes={"kind": kind, "number": number, "sha256": stored.sha256,
                     "supersedes": document.supersedes_id, "case_version": case_version},
        )
    return document


def find_document(number: str, sha256: str) -> IssuedDocument | None:
    """The issued document of this 文号 whose stored file has this SHA-256 (the public verification by number and
    hash); None when either does not match. Declarations carry no number and are not found here."""
    number, sha256 = (number or "").strip(), (sha256 or "").strip().lower()
    if not number or len(sha256) != 64:
        return None
    return IssuedDocument.objects.filter(number=number, sha256=sha256).select_related("case", "permit").first()
