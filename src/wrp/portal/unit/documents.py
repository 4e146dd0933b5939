"""The unit's standing documents (系统附件管理): the current copy of each, kept to reuse in the unit's cases, and which
of them predate the unit's last transfer into the district (to be updated)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrp.cases.selectors import standing_documents, units_transferred_on
from wrp.core.errors import Invalid, ServiceError
from wrp.documents.services import open_file
from wrp.documents.standing import unit_document_upload
from wrp.portal.common.access import unit_or_404
from wrp.portal.common.refusals import refusal_text
from wrp.portal.templatetags.portal import material_title
from wrp.portal.unit.views import handler_only
from wrp.units.documents import unit_documents
from wrp.units.selectors import units_handled_by


def documents_context(request: HttpRequest, errors: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    transfers = units_transferred_on(request.user)
    rows = []
    for unit in units_handled_by(request.user).order_by("name"):
        moved = transfers.get(unit.pk)
        documents = [{**row, "error": (errors or {}).get((unit.credit_code, row["code"]), "")}
                     for row in standing_documents(unit, transferred_on=moved)]
        rows.append({"unit": unit, "transferred_on": moved, "documents": documents})
    return {"rows": rows}


@handler_only
def unit_documents_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/unit/documents.html", documents_context(request))


@handler_only
@require_POST
def unit_document_upload_view(request: HttpRequest, credit_code: str, code: str) -> HttpResponse:
    unit = unit_or_404(request, credit_code)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid({"file": _("请选择要上传的 PDF 文件。")})
        unit_document_upload(unit=unit, actor=request.user, code=code, data=upload.read(),
                             original_name=upload.name or "")
    except ServiceError as error:
        context = documents_context(request, errors={(unit.credit_code, code): refusal_text(error)})
        return render(request, "portal/unit/documents.html", context, status=422)
    messages.success(request, _("已更新「%(name)s」的「%(title)s」。") % {"name": unit.name, "title": material_title(code)})
    return redirect(reverse("portal:unit_documents") + f"#doc-{unit.credit_code}-{code}")


@handler_only
def unit_document_file(request: HttpRequest, credit_code: str, code: str) -> HttpResponse:
    unit = unit_or_404(request, credit_code)
    document = unit_documents(unit).get(code)
    if document is None:
        raise Http404("document")
    response = HttpResponse(open_file(document.file), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{code}.pdf"'
    return response

