"""The unit's standing documents (系统附件管理): the current copy of each, kept to reuse in the unit's cases, and which
of them predate the unit's last transfer into the district (to be updated)."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from wrp.cases.selectors import standing_documents, units_transferred_on
from wrp.core.errors import Invalid, ServiceError
from wrp.documents.models import UploadCheck, UploadCheckState
from wrp.documents.services import open_file
from wrp.documents.standing import PURPOSE, document_reference, unit_document_check_latest, unit_document_upload_start
from wrp.portal.common.access import unit_or_404
from wrp.portal.common.refusals import refusal_text
from wrp.portal.common.uploads import check_row, upload_taken
from wrp.portal.unit.views import handler_only
from wrp.units.documents import unit_documents
from wrp.units.selectors import units_handled_by


def documents_context(request: HttpRequest, errors: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Each unit the handler handles with its standing documents, each with the error of a refused post and the
    upload still being checked or last refused (`check`; one query for all of them)."""
    transfers = units_transferred_on(request.user)
    units = list(units_handled_by(request.user).order_by("name"))
    checks = _open_checks(units)
    rows = []
    for unit in units:
        moved = transfers.get(unit.pk)
        documents = [
            {**row, "error": (errors or {}).get((unit.credit_code, row["code"]), ""),
             "check": check_row(checks.get(document_reference(unit, row["code"]))),
             "poll_url": reverse("portal:unit_document_check", args=[unit.credit_code, row["code"]])}
            for row in standing_documents(unit, transferred_on=moved)
        ]
        rows.append({"unit": unit, "transferred_on": moved, "documents": documents})
    return {"rows": rows}


def _open_checks(units: list[Any]) -> dict[str, UploadCheck]:
    """The latest upload check of each standing document of `units`, when it is still checking or was refused (an
    accepted one is the document the row shows already)."""
    latest: dict[str, UploadCheck] = {}
    if not units:
        return latest
    of_units = reduce(operator.or_, (Q(reference__startswith=f"{unit.pk}/") for unit in units))
    for check in UploadCheck.objects.filter(of_units, purpose=PURPOSE).order_by("pk"):
        latest[check.reference] = check
    return {reference: check for reference, check in latest.items() if check.state != UploadCheckState.ACCEPTED}


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
        check = unit_document_upload_start(unit=unit, actor=request.user, code=code, data=upload.read(),
                                           original_name=upload.name or "")
    except ServiceError as error:
        context = documents_context(request, errors={(unit.credit_code, code): refusal_text(error)})
        return render(request, "portal/unit/documents.html", context, status=422)
    updated = ngettext_lazy("已更新「%(title)s」（共 %(pages)s 页）。", "已更新「%(title)s」（共 %(pages)s 页）。", "pages")
    upload_taken(request, code, check, accepted=updated, tell_removed=False)
    return redirect(reverse("portal:unit_documents") + f"#doc-{unit.credit_code}-{code}")


@handler_only
@require_GET
def unit_document_check_view(request: HttpRequest, credit_code: str, code: str) -> HttpResponse:
    """The verdict of the latest upload of one standing document, polled by the page while it is being checked."""
    unit = unit_or_404(request, credit_code)
    poll_url = reverse("portal:unit_document_check", args=[unit.credit_code, code])
    return render(request, "portal/case/_upload_check.html", {
        "check": check_row(unit_document_check_latest(unit, code)), "code": f"{unit.credit_code}-{code}",
        "poll_url": poll_url,
    })


@handler_only
def unit_document_file(request: HttpRequest, credit_code: str, code: str) -> HttpResponse:
    unit = unit_or_404(request, credit_code)
    document = unit_documents(unit).get(code)
    if document is None:
        raise Http404("document")
    response = HttpResponse(open_file(document.file), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{code}.pdf"'
    return response

