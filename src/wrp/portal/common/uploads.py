"""The upload of a material as the case page follows it: "checking…" until the worker's verdict, then the verdict.

The upload views (applicant and unit handler) quarantine the file and redirect to the case (no re-post on reload).
The material's row shows `portal/case/_upload_check.html`, which, while the check runs, asks this view for itself
again every second (htmx `every 1s`, swapping itself): the answer without the trigger (accepted with its warnings, or
the refusal in words) ends the polling. Without JavaScript the row says to reload the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wrp.cases.material_checks import material_check_latest
from wrp.cases.materials import check_refusal_of
from wrp.cases.models import Case
from wrp.documents.models import UploadCheck, UploadCheckState
from wrp.portal.common.access import case_or_404
from wrp.portal.templatetags.portal import material_title


def check_row(check: UploadCheck | None) -> dict[str, Any] | None:
    """The partial's view of a check: {"id", "state", "message" (a refusal), "file" (what an accepted one became)}."""
    if check is None:
        return None
    refusal = check_refusal_of(check)
    return {"id": check.pk, "state": check.state, "message": refusal.message if refusal else "",
            "file": check.stored if check.state == UploadCheckState.ACCEPTED else None}


def upload_taken(request: HttpRequest, code: str, check: UploadCheck, *, accepted: str, tell_removed: bool) -> None:
    """The message after an upload that was not refused at once: being checked, or accepted (the check ran inline:
    `accepted` % {title, pages}, and what was removed if `tell_removed`)."""
    if check.state == UploadCheckState.CHECKING:
        messages.info(request, _("已收到「%(title)s」，正在检查文件，结果将显示在该材料下。") % {"title": material_title(code)})
    elif check.stored is not None:
        messages.success(request, accepted % {"title": material_title(code), "pages": check.stored.pages})
        if tell_removed and check.stored.removed:
            messages.info(request, _("文件中的活动内容（脚本、链接动作或附件）已被清除。"))


@login_required
@require_GET
def material_check_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case: Case = case_or_404(request, public_id)
    check = check_row(material_check_latest(case, code))
    return render(request, "portal/case/_upload_check.html", {"case": case, "code": code, "check": check})
