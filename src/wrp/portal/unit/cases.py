"""The unit handler's work on a case: the list of the units' cases, uploads (or the unit's standing document reused),
submission with the appointment, sending an employee's case back to them with a message, resubmission after a
correction, withdrawal and the case's own answers — the actions of `portal/case/_actions_unit_handler.html` on the
shared case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_POST

from wrp.cases.kinds import kind_of
from wrp.cases.material_checks import material_upload_start
from wrp.cases.materials import check_refusal_of, materials_outstanding
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import cases_visible_to
from wrp.cases.services import case_resubmit, case_send_back, case_submit, case_update_answers, case_withdraw
from wrp.cases.standing import unit_document_attach
from wrp.cases.workflow import allowed_actions
from wrp.core.errors import Ineligible, Invalid, ServiceError
from wrp.core.language import page_language
from wrp.documents.pdfcheck import MAX_BYTES
from wrp.policy.codes import Service
from wrp.portal.case_page import case_context
from wrp.portal.common.access import case_or_404
from wrp.portal.common.answers import AnswersForm
from wrp.portal.common.presenters import case_list_rows, case_rows, choices, keyset_listing
from wrp.portal.common.refusals import failing_checks, form_add_refusal, refusal_text
from wrp.portal.common.uploads import REPLACE_UNCONFIRMED, replacing_accepted, upload_refusal_keep, upload_taken
from wrp.portal.templatetags.portal import material_title, state_label
from wrp.portal.unit.presenters import case_list_html, case_list_words
from wrp.portal.unit.slots import slot_weeks
from wrp.portal.unit.views import handler_only
from wrp.quotas.selectors import quota_status
from wrp.units.selectors import units_handled_by

# The orders of the list, by keyset (`?after=`): newest or oldest first (index case_unit_created), or by due date.
CASE_ORDERS = {"-created": ("-created_at", "-id"), "created": ("created_at", "id"),
               "due": ("due_on", "-created_at", "-id")}


@handler_only
def unit_cases(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    units = list(units_handled_by(user).only("id", "name", "credit_code").order_by("name"))
    cases, sort, filters = unit_cases_filtered(request, handled=[unit.pk for unit in units])
    listing = keyset_listing(request, case_list_rows(cases), order=CASE_ORDERS[sort])
    return render(request, "portal/unit/cases.html", {
        "listing": listing,
        "rows": case_list_html(case_list_words(case_rows(listing.items, today)), several_units=len(units) > 1),
        "filters": filters, "sort": sort, "states": [(state, state_label(state)) for state in CaseState.values],
        "kinds": choices_of_kinds(), "units": units, "several_units": len(units) > 1,
        "filter_query": urlencode({key: value for key, value in filters.items() if value}),
    })


def unit_cases_filtered(request: HttpRequest, *, handled: list[int] | None = None,
                        ) -> tuple[QuerySet[Case], str, dict[str, str]]:
    """The handler's cases narrowed by the list's filters (GET: state, kind, unit's credit code), the order asked
    (a key of CASE_ORDERS) and the filters given — for the list and its export (`wrp.exports`). `handled`: the ids of
    the handler's units when the caller has read them (`cases_visible_to`)."""
    state, kind, unit_code = (request.GET.get(key, "") for key in ("state", "kind", "unit"))
    sort = request.GET.get("sort") or "-created"
    sort = sort if sort in CASE_ORDERS else "-created"
    cases = cases_visible_to(request.user, units_read_first=True, handled=handled)
    if state in CaseState.values:
        cases = cases.filter(state=state)
    if kind in {choice for choice, _label in choices_of_kinds()}:
        cases = cases.filter(kind=kind)
    if unit_code:
        cases = cases.filter(unit__credit_code=unit_code)
    return cases, sort, {"state": state, "kind": kind, "unit": unit_code}


def choices_of_kinds() -> list[tuple[str, str]]:
    return choices(Service)


def case_page(request: HttpRequest, case: Case, **extra: Any) -> HttpResponse:
    """The shared case page again, with this role's errors (a form that comes back)."""
    return render(request, "portal/case/detail.html", {**case_context(request, case), **extra}, status=422)


def upload_refused(request: HttpRequest, case: Case, code: str, error: ServiceError) -> HttpResponse:
    """Back to the case page (POST/redirect/GET): the refusal next to the material, and in the summary at the top
    linking to it."""
    return upload_refusal_keep(request, case, code, refusal_text(error))


@handler_only
@require_POST
def material_upload_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    if replacing_accepted(request, case, code):
        return upload_refusal_keep(request, case, code, str(REPLACE_UNCONFIRMED))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid({"file": _("请选择要上传的 PDF 文件。")})
        check = material_upload_start(case=case, code=code, actor=request.user, data=upload.read(MAX_BYTES + 1),
                                      original_name=upload.name or "")
        refused = check_refusal_of(check)
        if refused is not None:
            raise refused
    except ServiceError as error:
        return upload_refused(request, case, code, error)
    uploaded = ngettext_lazy("「%(title)s」已上传（%(pages)s 页）。", "「%(title)s」已上传（%(pages)s 页）。", "pages")
    upload_taken(request, code, check, accepted=uploaded, tell_removed=False)
    return redirect(reverse("portal:case", args=[case.public_id]) + f"#upload-{code}")


@handler_only
@require_POST
def material_reuse_view(request: HttpRequest, public_id: str, code: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    if replacing_accepted(request, case, code):
        return upload_refusal_keep(request, case, code, str(REPLACE_UNCONFIRMED))
    try:
        unit_document_attach(case=case, actor=request.user, code=code)
    except ServiceError as error:
        return upload_refused(request, case, code, error)
    messages.success(request, _("已使用单位当前的「%(title)s」。") % {"title": material_title(code)})
    return redirect(reverse("portal:case", args=[case.public_id]) + f"#upload-{code}")


def submit_context(case: Case, user: Any, *, chosen: str = "", **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    kind = kind_of(case)
    personal = kind.personal
    return {
        "case": case, "personal": personal, "weeks": slot_weeks(today, chosen) if personal else [],
        "chosen": chosen, "year": today.year, "time_limit": kind.time_limit,
        "quota": quota_status(case.unit, today.year) if kind.needs_quota else None,
        "missing": materials_outstanding(case),
        "can_submit": "submit" in allowed_actions(case, user), **extra,
    }


@handler_only
def case_submit_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Submit (with the slot for personal items) after the consequence is stated; refusals come back here."""
    case = case_or_404(request, public_id)
    if request.method != "POST":
        template = "portal/unit/_submit.html" if request.htmx else "portal/unit/case_submit.html"
        return render(request, template, submit_context(case, request.user))
    chosen = request.POST.get("slot", "")
    errors: dict[str, Any] = {}
    try:
        slot = (chosen or None) if kind_of(case).personal else None
        case_submit(case=case, actor=request.user, slot=slot)
    except Invalid as invalid:
        errors = {"slot_error" if "slot" in invalid.fields else "error": refusal_text(invalid)}
    except Ineligible as ineligible:
        errors = {"error": refusal_text(ineligible), "failing": failing_checks(ineligible, page_language())}
    except ServiceError as error:
        errors = {"error": refusal_text(error)}
    else:
        messages.success(request, _("已提交。办理时限自今日起计算。"))
        return redirect("portal:case", case.public_id)
    context = submit_context(case, request.user, chosen=chosen, **errors)
    return render(request, "portal/unit/case_submit.html", context, status=422)


def _case_action(service: Callable[..., Any], done: Any) -> Callable[..., HttpResponse]:
    @handler_only
    @require_POST
    def action(request: HttpRequest, public_id: str) -> HttpResponse:
        case = case_or_404(request, public_id)
        said = done(case) if callable(done) else done  # read from the case as it is before the service changes it
        try:
            service(case=case, actor=request.user)
        except Ineligible as ineligible:
            return case_page(request, case, action_error=refusal_text(ineligible),
                             failing=failing_checks(ineligible, page_language()))
        except ServiceError as error:
            return case_page(request, case, action_error=refusal_text(error))
        messages.success(request, str(said))
        return redirect("portal:case", case.public_id)

    return action


def _withdrawn(case: Case) -> str:
    """What a withdrawal gave back: the quota unit and the appointment the case held, if it held them (a unit item,
    or a case not yet at the window, holds neither)."""
    quota, slot = case.quota_year is not None, getattr(case, "booking", None) is not None
    if quota and slot:
        return _("已撤回案件。占用的指标和预约已释放。")
    if slot:
        return _("已撤回案件。预约的办理时段已释放。")
    if quota:
        return _("已撤回案件。占用的指标已释放。")
    return _("已撤回案件。")


@handler_only
@require_POST
def case_send_back_view(request: HttpRequest, public_id: str) -> HttpResponse:
    """Send the employee's case back to them with what to change; a missing message comes back under its field."""
    case = case_or_404(request, public_id)
    message = request.POST.get("message", "")
    try:
        case_send_back(case=case, actor=request.user, message=message)
    except Invalid as invalid:
        reason = refusal_text(invalid)
        return case_page(request, case, send_back_error=reason, send_back_message=message, action_error=reason,
                         action_error_link="#send-back-message")
    except ServiceError as error:
        return case_page(request, case, action_error=refusal_text(error))
    messages.success(request, _("已退回员工修改，员工会收到通知。员工重新提交后，案件回到单位待审核。"))
    return redirect("portal:case", case.public_id)


case_resubmit_view = _case_action(case_resubmit, gettext_lazy("已重新提交，案件回到审核中，办理时限继续计算。"))
case_withdraw_view = _case_action(case_withdraw, _withdrawn)


@handler_only
def case_answers_view(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    kind = kind_of(case)
    form = AnswersForm(request.POST or None, kind=kind, answers=case.answers, applicant=case.applicant)
    if not form.fields:
        raise Http404("no answers")
    if request.method == "POST" and form.is_valid():
        try:
            case_update_answers(case=case, actor=request.user, answers={**case.answers, **form.answers()})
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("已保存填报内容，材料清单已按新内容更新。"))
            return redirect("portal:case", case.public_id)
    return render(request, "portal/unit/case_answers.html", {"case": case, "form": form, "item": kind.key},
                  status=422 if form.errors else 200)

