"""The bureau's oversight of employment: late releases (解除 more than 60 days after the employee left), penalties and
their lifting, and random audits of real employment.

Every change goes through its one service (`penalty_impose`, `penalty_lift`, `employment_audit_record`); a refusal
comes back in words on the page it was asked from.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from wrp.core.errors import Invalid, NotFound, ServiceError
from wrp.employment.selectors import RELEASE_DAYS, late_release_facts, late_releases_for
from wrp.permits.selectors import permit_for
from wrp.portal.bureau.forms import AuditForm, LiftForm, PenaltyForm
from wrp.portal.bureau.views import approver_only
from wrp.portal.common.presenters import mask_name, paginate, query_without
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.units.models import Audit, Penalty, PenaltyKind, Unit
from wrp.units.selectors import unit_for, units_visible_to
from wrp.units.services import employment_audit_record, penalty_impose, penalty_lift

PENALTY_EFFECTS = {
    PenaltyKind.QUOTA_FROZEN: _("该单位不能再提交初次申请和个人聘用单位变更，已下发的指标在解除前不能使用。"),
    PenaltyKind.SERVICE_TERMINATED: _("该单位提交的所有事项均不予受理，直至解除。"),
    PenaltyKind.BLACKLISTED: _("该单位列入黑名单，提交的所有事项均不予受理，直至解除。"),
}


def _unit_by_code_or_name(user: Any, text: str) -> Unit | None:
    """The unit named by its unified social credit code or, failing that, its full registered name."""
    try:
        return unit_for(user, text)
    except NotFound:
        return units_visible_to(user).filter(name=text.strip()).first()




@approver_only
def bureau_late_releases(request: HttpRequest) -> HttpResponse:
    page = paginate(request, late_releases_for(request.user))
    rows = [{"association": association, "name": mask_name(association.applicant.real_name),
             **late_release_facts(association)} for association in page]
    return render(request, "portal/bureau/late_releases.html",
                  {"page_obj": page, "rows": rows, "release_days": RELEASE_DAYS, "query": ""})


# --- penalties ------------------------------------------------------------------------------------------------------


def _late_release_reason(request: HttpRequest) -> str:
    """The reason a penalty for a late release starts from: the dates, which the approver completes."""
    try:
        association = late_releases_for(request.user).filter(pk=int(request.GET.get("release", ""))).first()
    except ValueError:
        return ""
    if association is None or association.left_on is None or association.released_at is None:
        return ""
    released_on = late_release_facts(association)["released_on"]
    text = gettext("员工于 %(left)s 离职，单位于 %(released)s 才解除关联，超过离职之日起%(days)s日内解除的时限"
              "（G4.注意事项.4、6）。")
    return text % {"left": association.left_on.isoformat(), "released": released_on.isoformat(),
                   "days": RELEASE_DAYS}


def _penalties_page(request: HttpRequest, form: PenaltyForm, refusal: str = "") -> HttpResponse:
    active = Penalty.objects.filter(active=True).select_related("unit", "decided_by").order_by("-decided_at")
    history = (Penalty.objects.filter(active=False).select_related("unit", "decided_by", "lifted_by")
               .order_by("-lifted_at", "-id"))
    context = {
        "form": form, "refusal": refusal, "active": active, "page_obj": paginate(request, history),
        "effects_help": [(kind.value, PENALTY_EFFECTS[kind]) for kind in PenaltyKind],
        "query": query_without(request, "page"),
    }
    return render(request, "portal/bureau/penalties.html", context)


@approver_only
def bureau_penalties(request: HttpRequest) -> HttpResponse:
    initial = {"unit": request.GET.get("unit", "").strip()[:200], "reason": _late_release_reason(request)}
    if request.GET.get("kind") in PenaltyKind.values:
        initial["kind"] = request.GET["kind"]
    return _penalties_page(request, PenaltyForm(initial=initial))


@approver_only
@require_POST
def bureau_penalty_impose(request: HttpRequest) -> HttpResponse:
    form = PenaltyForm(request.POST)
    if not form.is_valid():
        return _penalties_page(request, form)
    unit = _unit_by_code_or_name(request.user, form.cleaned_data["unit"])
    if unit is None:
        form.add_error("unit", gettext("没有找到这个单位，请核对统一社会信用代码或全称。"))
        return _penalties_page(request, form)
    kind = form.cleaned_data["kind"]
    try:
        penalty_impose(unit=unit, actor=request.user, kind=kind, reason=form.cleaned_data["reason"])
    except Invalid as error:
        form_add_refusal(form, error)
        return _penalties_page(request, form)
    except ServiceError as error:
        return _penalties_page(request, form, refusal=refusal_text(error))
    text = gettext("已对 %(unit)s 执行处罚：%(kind)s。")
    messages.success(request, text % {"unit": unit.name, "kind": PenaltyKind(kind).label})
    return redirect("portal:bureau_penalties")


@approver_only
@require_http_methods(["GET", "POST"])
def bureau_penalty_lift(request: HttpRequest, pk: int) -> HttpResponse:
    penalty = Penalty.objects.select_related("unit", "decided_by", "lifted_by").filter(pk=pk).first()
    if penalty is None:
        raise Http404("penalty")
    form = LiftForm(request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            penalty_lift(unit=penalty.unit, actor=request.user, kind=penalty.kind, reason=form.cleaned_data["reason"])
        except Invalid as error:
            form_add_refusal(form, error)
        except ServiceError as error:
            refusal = refusal_text(error)
        else:
            text = gettext("已解除 %(unit)s 的处罚：%(kind)s。")
            messages.success(request, text % {"unit": penalty.unit.name, "kind": PenaltyKind(penalty.kind).label})
            return redirect("portal:bureau_penalties")
    context = {"penalty": penalty, "form": form, "refusal": refusal, "effect": PENALTY_EFFECTS[penalty.kind]}
    return render(request, "portal/bureau/penalty_lift.html", context)


# --- random audits --------------------------------------------------------------------------------------------------


def _audits_page(request: HttpRequest, form: AuditForm) -> HttpResponse:
    audits = Audit.objects.select_related("unit", "permit", "by").order_by("-at", "-id")
    context = {"form": form, "page_obj": paginate(request, audits), "query": query_without(request, "page")}
    return render(request, "portal/bureau/audits.html", context)


@approver_only
@require_http_methods(["GET", "POST"])
def bureau_audits(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _audits_page(request, AuditForm(initial={"unit": request.GET.get("unit", "").strip()[:200]}))
    form = AuditForm(request.POST)
    if not form.is_valid():
        return _audits_page(request, form)
    unit = _unit_by_code_or_name(request.user, form.cleaned_data["unit"])
    if unit is None:
        form.add_error("unit", gettext("没有找到这个单位，请核对统一社会信用代码或全称。"))
    permit = None
    if form.cleaned_data["permit"]:
        try:
            permit = permit_for(request.user, form.cleaned_data["permit"])
        except NotFound:
            form.add_error("permit", gettext("没有找到这个工作居住证编号。"))
    if form.errors or unit is None:
        return _audits_page(request, form)
    confirmed = form.cleaned_data["employment_confirmed"] == "yes"
    try:
        employment_audit_record(actor=request.user, unit=unit, permit=permit, findings=form.cleaned_data["findings"],
                                employment_confirmed=confirmed)
    except Invalid as error:
        form_add_refusal(form, error)
        return _audits_page(request, form)
    text = gettext("已记录对 %(unit)s 的随机调查。") if confirmed else gettext(
        "已记录对 %(unit)s 的随机调查：聘用关系不真实。如需处罚，请在列表中选择「处罚该单位」。")
    messages.success(request, text % {"unit": unit.name})
    return redirect("portal:bureau_audits")

