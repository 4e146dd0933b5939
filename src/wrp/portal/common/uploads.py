"""The upload of a material as the case page follows it: "checking…" until the worker's verdict, then the verdict.

The upload views (applicant and unit handler) quarantine the file and redirect to the case (no re-post on reload);
a refusal redirects as well (POST/redirect/GET): it is kept in the session (`upload_refusal_keep`) and shown once next
to its material by the case page (`upload_refusals_take`). Replacing a file the clerk already accepted needs the
uploader's confirmation (`replacing_accepted`): the file goes back to the window's review.
The material's row shows `portal/case/_upload_check.html`, which, while the check runs, asks this view for itself
again every second (htmx `every 1s`, swapping itself): the answer without the trigger (accepted with its warnings, or
the refusal in words) ends the polling. Without JavaScript the row says to reload the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from wrp.cases.material_checks import material_check_latest
from wrp.cases.materials import check_refusal_of
from wrp.cases.models import Case, CaseMaterial, MaterialStatus
from wrp.cases.workflow import EDITABLE
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


def upload_taken(request: HttpRequest, code: str, check: UploadCheck, *, accepted: Any, tell_removed: bool) -> None:
    """The message after an upload that was not refused at once: being checked, or accepted (the check ran inline:
    `accepted` % {title, pages}, a plural message counted by `pages`, and what was removed if `tell_removed`)."""
    if check.state == UploadCheckState.CHECKING:
        messages.info(request, _("已收到「%(title)s」，正在检查文件，结果将显示在该材料下。") % {"title": material_title(code)})
    elif check.stored is not None:
        messages.success(request, accepted % {"title": material_title(code), "pages": check.stored.pages})
        if tell_removed and check.stored.removed:
            messages.info(request, _("文件中的活动内容（脚本、链接动作或附件）已被清除。"))


REFUSALS_KEY = "upload_refusals"  # in the session: {case public id: {material code: the refusal as its page shows it}}
CONFIRM_REPLACE = "confirm_replace"  # the upload form's checkbox: replace a file the clerk accepted


def upload_refusal_keep(request: HttpRequest, case: Case, code: str, refusal: str | dict[str, str]) -> HttpResponse:
    """Keep a refused upload's reason for the case page and send the browser there, to the material (PRG): reloading
    the page shows the case, and never posts the file again."""
    kept = request.session.get(REFUSALS_KEY) or {}
    kept.setdefault(case.public_id, {})[code] = refusal
    request.session[REFUSALS_KEY] = kept
    return redirect(reverse("portal:case", args=[case.public_id]) + f"#upload-{code}")


def upload_refusals_take(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The refusals kept for this case, by material code, forgotten once read (shown once, like a message)."""
    kept = request.session.get(REFUSALS_KEY) or {}
    if case.public_id not in kept:
        return {}
    refusals = kept.pop(case.public_id)
    request.session[REFUSALS_KEY] = kept
    return refusals


def replacing_accepted(request: HttpRequest, case: Case, code: str) -> bool:
    """An upload that would replace a file the clerk accepted, without the uploader's confirmation: it is refused
    so that nobody sends an accepted material back to review by mistake (the API replaces it: the contract)."""
    if request.POST.get(CONFIRM_REPLACE) == "yes" or case.state not in EDITABLE:
        return False  # confirmed, or refused anyway by the upload's own check of the state
    return CaseMaterial.objects.filter(case=case, code=code, status=MaterialStatus.ACCEPTED,
                                       file__isnull=False).exists()


REPLACE_UNCONFIRMED = gettext_lazy("该材料已被窗口接受，重新上传将需要窗口重新审核。如确需更换，请勾选确认后再上传。")


@login_required
@require_GET
def material_check_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case: Case = case_or_404(request, public_id)
    check = check_row(material_check_latest(case, code))
    return render(request, "portal/case/_upload_check.html", {"case": case, "code": code, "check": check})
