"""The case file as the staff read it — the window clerk on the workbench, the bureau approver on the case page: the
facts frozen at submission in words (`facts.py`), every material with its status, the clerk's reason, its viewer and
its download, and the manual checks' findings. Built from the shared case context (`wrp.portal.case_page`) with no
further query; the templates are `portal/clerk/_facts.html`, `_materials.html` and `_manual_checks.html`.

The PDF of a material is served by `material_pdf` for the role's own address (`clerk_material_view`,
`bureau_material_view`): inline for the browser's viewer, or as a download with `?download=1`; each an audit event.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header, urlencode

from wrp.audit.services import audit_note
from wrp.cases.manual_checks import GUIDANCE, Finding, ManualCheck, manual_check_findings, manual_checks_for
from wrp.cases.models import Case, MaterialStatus
from wrp.core.language import page_language
from wrp.core.urls import url_with
from wrp.documents.services import open_file
from wrp.portal.clerk.facts import fact_sections
from wrp.portal.common.access import material_file_or_404


def material_pdf(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    """A material's PDF for those who may see the case (`material_file_for`): inline for the browser's own viewer
    and the viewer frame of the case page, or as an attachment with `?download=1`; never cached, never sniffed."""
    stored = material_file_or_404(request, public_id, code)
    data = open_file(stored)  # a missing or altered file: the integrity page (wrp.config.security), and an alert
    download = request.GET.get("download") == "1"
    audit_note(actor=request.user, action="file.download", obj=stored,
               changes={"case": public_id, "code": code, **({"attachment": True} if download else {})})
    response = HttpResponse(data, content_type="application/pdf")
    filename = f"{public_id}-{code}.pdf"
    response["Content-Disposition"] = (
        content_disposition_header(True, filename) if download else f'inline; filename="{filename}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"  # sandboxed by wrp.config.security like every download
    return response


def _viewing(materials: list[dict[str, Any]], asked: str | None) -> str | None:
    """The material shown in the page's viewer: the one asked for, else the first still waiting for a verdict, else
    the first with a file."""
    codes = [material["code"] for material in materials if material["file"]]
    if asked in codes:
        return asked
    waiting = [material["code"] for material in materials if material["file"] and
               material["status"] == MaterialStatus.UPLOADED]
    return (waiting or codes or [None])[0]


def file_materials(context: dict[str, Any], *, viewing: str | None, viewer: str, page: str) -> list[dict[str, Any]]:
    """The case page's materials, each with whether it is in the viewer, the address that shows it there (`page`: the
    role's case page) and the addresses of its PDF (`viewer`: the role's URL name) inline and as a download."""
    case: Case = context["case"]
    shown = _viewing(context["materials"], viewing)
    here = url_with(page, case.public_id)
    rows = []
    for material in context["materials"]:
        url = url_with(viewer, case.public_id, material["code"]) if material["file"] else ""
        rows.append({**material, "viewing": material["code"] == shown, "view_url": url,
                     "download_url": f"{url}?download=1" if url else "",
                     "show_url": f"{here}?{urlencode({'view': material['code']})}#clerk-viewer" if url else ""})
    return rows


def file_facts(context: dict[str, Any]) -> dict[str, Any]:
    """The facts frozen at submission in words, the rows the latest resubmission changed marked, and their date."""
    case: Case = context["case"]
    as_of = (case.frozen_facts or {}).get("as_of")
    return {
        "sections": fact_sections(case.frozen_facts, page_language(), changed=context["changes"]["facts"]),
        "as_of": date.fromisoformat(as_of) if as_of else None,
    }


def file_manual_checks(context: dict[str, Any], *, values: dict[str, str] | None = None,
                       errors: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The manual checks that apply to the case, each with its latest finding (the event), the form's values and
    errors when one came back."""
    case: Case = context["case"]
    values, errors = values or {}, errors or {}
    findings = manual_check_findings(context["events"])
    rows = []
    for check in manual_checks_for(case):
        event = findings.get(check.value)
        detail = event.detail if event is not None else {}
        rows.append({
            "check": check.value,
            "title": ManualCheck(check).label,
            "guidance": GUIDANCE[check],
            "event": event,
            "finding": detail.get("finding", ""),
            "finding_label": Finding(detail["finding"]).label if detail.get("finding") in Finding.values else "",
            "note": detail.get("note", ""),
            "value_finding": values.get(f"finding_{check.value}", detail.get("finding", "")),
            "value_note": values.get(f"note_{check.value}", detail.get("note", "")),
            "finding_error": errors.get(f"finding_{check.value}"),
            "note_error": errors.get(f"note_{check.value}"),
        })
    return rows


FINDINGS = [(finding.value, finding.label) for finding in Finding]
