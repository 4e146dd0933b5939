"""The documents of a case and their files (issue 12 §7, contracts/cases-api.md §Documents).

`GET /cases/{id}/documents` lists what was issued for the case — receipts, notices, decisions, the certificate the
approval issued, and the declarations frozen at each submission — oldest first, each with its 文号, its SHA-256 and
the document it supersedes; for the case's filers, while they may still change them, the declarations not yet frozen
are listed as drafts. `GET /documents/{id}/file` serves an issued document's stored bytes (never rebuilt), and
`GET /cases/{id}/documents/drafts/{kind}/file` a draft built from today's records. The rights are those of the case
(or of the permit, for a certificate): 404 for what the caller may not see. Every download is an audit event.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from pydantic import Field

from wrp.api.auth import AUTH, actor
from wrp.api.schemas import refusals
from wrp.audit.services import audit_note
from wrp.cases import records
from wrp.cases.models import Case
from wrp.cases.selectors import case_for
from wrp.core.errors import NotFound
from wrp.documents.models import IssuedDocument

router = Router(auth=AUTH, tags=["documents"])
NO_CASE = _("未找到该案件，或您无权查看。")
PDF = {200: {"description": "the PDF", "content": {"application/pdf": {}}}}


class DocumentOut(Schema):
    id: int | None = Field(description="null for a draft")
    kind: str = Field(description="receipt, acceptance, non_acceptance, correction_notice, extension, decision, "
                                  "certificate, integrity_unit, integrity_personal, housing_loan")
    title: str
    number: str = Field(description="文号; empty for the declarations")
    issued_at: datetime | None = Field(description="null for a draft")
    sha256: str | None = Field(description="of the stored file; null for a draft")
    supersedes: int | None = Field(description="the id of the document this one replaces")
    superseded_by: int | None
    case_version: int | None = Field(description="the submission the document belongs to")
    draft: bool = Field(description="built on demand from today's records; not a record")
    download_url: str


class DocumentList(Schema):
    items: list[DocumentOut]


def _case(user: Any, case_id: str) -> Case:
    if "\x00" in case_id:
        raise NotFound(NO_CASE, code="case_not_found")
    return case_for(user, case_id)


def _superseded_by(document: IssuedDocument) -> int | None:
    try:
        return document.superseded_by.pk
    except IssuedDocument.DoesNotExist:
        return None


def document_json(document: IssuedDocument) -> dict[str, Any]:
    return {
        "id": document.pk, "kind": document.kind, "title": document.title, "number": document.number,
        "issued_at": document.issued_at, "sha256": document.sha256, "supersedes": document.supersedes_id,
        "superseded_by": _superseded_by(document), "case_version": document.case_version, "draft": False,
        "download_url": reverse("api_v1:document_file", args=[document.pk]),
    }


@router.get(
    "/cases/{case_id}/documents", response={200: DocumentList, **refusals(403, 404)},
    summary="The documents of a case",
    description="Issued documents oldest first (superseded ones too), then, for the applicant and the unit's "
    "handlers while the case is a draft, awaiting the unit or returned, the declarations not yet frozen (`draft`).",
)
def list_documents(request: HttpRequest, case_id: str) -> dict[str, Any]:
    user = actor(request)
    case = _case(user, case_id)
    items = [document_json(document) for document in records.documents_for_case(user, case)]
    items += [
        {"id": None, "kind": draft.kind, "title": draft.title, "number": "", "issued_at": None, "sha256": None,
         "supersedes": None, "superseded_by": None, "case_version": None, "draft": True,
         "download_url": reverse("api_v1:draft_file", args=[case.public_id, draft.kind])}
        for draft in records.draft_declarations_for(user, case)
    ]
    return {"items": items}


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = FileResponse(io.BytesIO(data), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@router.get(
    "/documents/{document_id}/file", response={200: None, **refusals(403, 404)}, url_name="document_file",
    summary="The stored PDF of an issued document",
    description="The bytes stored when it was issued (their SHA-256 is the list's `sha256`), for those who may see "
    "its case or, for a certificate, its permit.", openapi_extra={"responses": PDF},
)
def document_file(request: HttpRequest, document_id: int) -> HttpResponse:
    user = actor(request)
    document = records.document_for_download(user, document_id)
    data = records.document_download(user=user, document=document)
    return _pdf(data, f"{document.kind}-{document.pk}.pdf")


@router.get(
    "/cases/{case_id}/documents/drafts/{kind}/file", response={200: None, **refusals(403, 404)}, url_name="draft_file",
    summary="A draft declaration, built from today's records",
    description="The applicant and the unit's handlers, while the case is a draft, awaiting the unit or returned; "
    "404 for anyone else and for a declaration that does not apply.", openapi_extra={"responses": PDF},
)
def draft_file(request: HttpRequest, case_id: str, kind: str) -> HttpResponse:
    user = actor(request)
    case = _case(user, case_id)
    data = records.draft_declaration_for(user, case, kind)
    audit_note(actor=user, action="file.download", obj=case, changes={"kind": kind, "draft": True})
    return _pdf(data, f"{case.public_id}-{kind}-draft.pdf")
