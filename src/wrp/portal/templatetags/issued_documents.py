"""`{% case_documents_panel %}` and `{% permit_documents_panel permit %}`: the "文书 / Documents" panel of the case
and permit pages — each document's title, 文号, date and download link, drawn from the selectors of
`wrp.cases.records` for the signed-in user (the filers' draft declarations marked as drafts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from wrp.cases import records
from wrp.core.errors import NotFound
from wrp.core.urls import url_with
from wrp.documents.models import IssuedDocument
from wrp.portal.common.presenters import url_for_each

register = template.Library()


def _rows(documents: Iterable[IssuedDocument]) -> list[dict[str, Any]]:
    """The panel's rows."""
    url = url_for_each("documents:issued")
    return [
        {
            "title": document.title, "number": document.number, "issued_at": document.issued_at,
            "current": document.is_current, "draft": False,
            "version": document.case_version if not document.number else None,
            "url": url(document.pk),
        }
        for document in documents
    ]


@register.inclusion_tag("portal/documents/_panel.html", takes_context=True)
def case_documents_panel(context: template.Context) -> dict[str, Any]:
    user, case = context["request"].user, context["case"]
    try:
        rows = _rows(records.documents_listed_for_case(user, case))
    except NotFound:
        rows = []
    rows += [
        {"title": draft.title, "number": "", "issued_at": None, "current": True, "version": None, "draft": True,
         "url": url_with("documents:case_document", case.public_id, draft.kind)}
        for draft in records.draft_declarations_for(user, case)
    ]
    return {"rows": rows, "panel_id": "case-documents", "has_drafts": any(row["draft"] for row in rows)}


@register.inclusion_tag("portal/documents/_panel.html", takes_context=True)
def permit_documents_panel(context: template.Context, permit: Any) -> dict[str, Any]:
    if permit is None:
        return {"rows": [], "panel_id": "permit-documents"}
    try:
        rows = _rows(records.documents_for_permit(context["request"].user, permit))
    except NotFound:
        rows = []
    return {"rows": rows, "panel_id": "permit-documents"}
