"""The applicant's work on a case: open a new case of a personal kind with the associated unit, upload each material,
submit to the unit, withdraw — the actions of `portal/case/_actions_applicant.html` on the shared case page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.models import Role
from wrp.cases.facts import profile_facts
from wrp.cases.kinds import KindSpec
from wrp.cases.material_checks import material_upload_start
from wrp.cases.materials import check_refusal_of
from wrp.cases.models import Case
from wrp.cases.services import case_open, case_submit, case_withdraw
from wrp.cases.workflow import items_offered
from wrp.core.errors import FileRefused, ServiceError
from wrp.core.language import page_language
from wrp.documents.pdfcheck import MAX_BYTES
from wrp.policy.labels import label
from wrp.portal.applicant.forms import NEW_CASES, new_case_form
from wrp.portal.applicant.views import active_association
from wrp.portal.common.access import case_or_404, role_required
from wrp.portal.common.refusals import refusal_text
from wrp.portal.common.uploads import REPLACE_UNCONFIRMED, replacing_accepted, upload_refusal_keep, upload_taken
from wrp.public.questions import SERVICE_SUMMARIES, pick

REFUSALS = {
    "not_pdf": (gettext_lazy("不是PDF文件"), gettext_lazy("按文件内容判断，修改扩展名无效；请上传PDF格式的扫描件。")),
    "too_large": (gettext_lazy("文件超过20MB"), gettext_lazy("请压缩或拆分后重新上传。")),
    "too_many_pages": (gettext_lazy("超过200页"), gettext_lazy("请拆分后重新上传。")),
    "encrypted": (gettext_lazy("文件已加密"), gettext_lazy("请去除密码或权限限制后重新上传。")),
    "damaged": (gettext_lazy("文件已损坏"), gettext_lazy("文件无法读取；请重新生成或扫描后上传。")),
}


def _case_url(case: Case, fragment: str = "") -> str:
    return reverse("portal:case", args=[case.public_id]) + (f"#{fragment}" if fragment else "")

def _new_case_choice(request: HttpRequest) -> KindSpec | None:
    source = request.POST if request.method == "POST" else request.GET
    for spec in NEW_CASES:
        if source.get("kind") == spec.service and (spec.subtype is None or source.get("subtype") == spec.subtype):
            return spec
    return None


@role_required(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """A new case of a personal kind with the unit the applicant is associated with: pick the kind — only those the
    applicant can file now, the others listed with the reason (`wrp.cases.workflow.items_offered`) — then give what
    the case carries itself (children's names, the new address, …)."""
    lang = page_language()
    association = active_association(request.user)
    choice = _new_case_choice(request)
    offers = items_offered(request.user, association.unit, today=timezone.localdate()) if association else []
    refused = next((offer for offer in offers if choice is not None and offer.spec == choice and offer.refusal), None)
    if refused is not None:
        messages.error(request, _("不能办理“%(item)s”：%(reason)s") % {
            "item": label(choice.subtype or choice.service, lang), "reason": refused.refusal})
        return redirect("portal:applicant_case_new")
    if association is None or choice is None:
        kinds = [
            {"kind": spec.service, "subtype": spec.subtype or "", "title": label(spec.subtype or spec.service, lang),
             "group": label(spec.service, lang) if spec.subtype else "",
             "summary": pick(SERVICE_SUMMARIES[spec.service], lang)}
            for spec in (offer.spec for offer in offers if offer.refusal is None)
        ]
        return render(request, "portal/applicant/case_new.html", {
            "association": association, "kinds": kinds, "unavailable": [offer for offer in offers if offer.refusal],
        })
    kind, subtype = choice.service, choice.subtype
    children = [child for child in profile_facts(request.user).get("children") or [] if child.get("case")]
    form = new_case_form(choice, request.POST if request.method == "POST" else None, children, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = case_open(actor=request.user, kind=kind, unit=association.unit, subtype=subtype,
                             answers=form.answers())
        except ServiceError as refused:
            messages.error(request, refusal_text(refused))
        else:
            messages.success(request, _("已新建案件 %(id)s。请上传材料，然后提交给单位。") % {"id": case.public_id})
            return redirect("portal:case", public_id=case.public_id)
    context = {
        "association": association,
        "kind": kind,
        "subtype": subtype or "",
        "title": label(kind, lang) + (f"（{label(subtype, lang)}）" if subtype else ""),
        "summary": pick(SERVICE_SUMMARIES[kind], lang),
        "form": form,
        "with_children": form.children,
    }
    return render(request, "portal/applicant/case_form.html", context)


# --- actions on the shared case page ---------------------------------------------------------------------------------


@role_required(Role.APPLICANT)
@require_POST
def case_upload(request: HttpRequest, public_id: str) -> HttpResponse:
    """Upload (or replace) one material; a refused file is shown with its reason next to that material, after a
    redirect (reloading the page never posts the file again). Replacing a file the clerk accepted needs the box
    ticked that says so."""
    case = case_or_404(request, public_id)
    code = request.POST.get("code", "")
    upload = request.FILES.get("file")
    refusal: dict[str, str] | None = None
    if replacing_accepted(request, case, code):
        refusal = {"word": _("需要确认"), "advice": str(REPLACE_UNCONFIRMED)}
    elif upload is None:
        refusal = {"word": _("没有选择文件"), "advice": _("请选择要上传的PDF文件。")}
    else:
        try:
            check = material_upload_start(case=case, code=code, actor=request.user,
                                          data=upload.read(MAX_BYTES + 1), original_name=upload.name or "")
            refused = check_refusal_of(check)
            if refused is not None:
                raise refused
        except FileRefused as refused:
            word, advice = REFUSALS.get(refused.reason, REFUSALS["damaged"])
            refusal = {"word": str(word), "advice": str(refused.message if refused.code != refused.reason else advice)}
        except ServiceError as refused:
            messages.error(request, refusal_text(refused))
            return redirect(_case_url(case))
        else:
            uploaded = ngettext_lazy("已上传：%(title)s（%(pages)d 页）。", "已上传：%(title)s（%(pages)d 页）。", "pages")
            upload_taken(request, code, check, accepted=uploaded, tell_removed=True)
            return redirect(_case_url(case, f"upload-{code}"))
    return upload_refusal_keep(request, case, code, refusal)


@role_required(Role.APPLICANT)
@require_POST
def case_submit_to_unit(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    if request.POST.get("confirm") != "yes":
        return redirect(_case_url(case, "applicant-actions"))
    try:
        case_submit(case=case, actor=request.user)
    except ServiceError as refused:
        messages.error(request, refusal_text(refused))
    else:
        messages.success(request, _("已提交给单位审核。单位经办人确认材料并预约办理时段后，提交到窗口。"))
    return redirect(_case_url(case))


@role_required(Role.APPLICANT)
@require_POST
def case_withdraw_view(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    if request.POST.get("confirm") != "yes":
        return redirect(_case_url(case, "applicant-actions"))
    try:
        case_withdraw(case=case, actor=request.user)
    except ServiceError as refused:
        messages.error(request, refusal_text(refused))
    else:
        messages.success(request, _("案件已撤回。"))
    return redirect(_case_url(case))

