"""The bureau portal (issue 5 §5): the district bureau's approval queue for `initial` and `renewal`, quota grants per
unit and year, late releases and random audits of real employment, penalties and their lifting — and the bureau's
actions on the shared case page (`portal/case/_actions_bureau_approver.html`).

Every page is for the bureau approver alone. Every change goes through its one service (`case_approve`,
`case_reject`, `quota_grant`, `penalty_impose`, `penalty_lift`, `employment_audit_record`); a refusal comes back in
words on the page it was asked from. Irreversible actions state their consequence next to a box to tick
(UI.md §Irreversible actions); forms only check the shape of what was typed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.models import Role
from wrp.cases import clock
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import by_due_date, case_for, cases_filtered
from wrp.cases.services import BUREAU_KINDS, case_approve, case_reject
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound, ServiceError
from wrp.permits.selectors import permit_for
from wrp.portal.access import role_required
from wrp.portal.case_page import case_context, page_language
from wrp.portal.templatetags.portal import state_label
from wrp.quotas.models import QuotaLedger, QuotaRequest, QuotaRequestState
from wrp.quotas.selectors import quota_request_for, quota_requests_visible_to, quota_status
from wrp.quotas.services import quota_grant
from wrp.units.associations import RELEASE_DAYS, late_releases_for
from wrp.units.models import Audit, Penalty, PenaltyKind, Unit
from wrp.units.selectors import unit_for, units_visible_to
from wrp.units.services import employment_audit_record, penalty_impose, penalty_lift

PAGE_SIZE = 20
QUEUE_KINDS = tuple(sorted(BUREAU_KINDS))
approver_only = role_required(Role.BUREAU_APPROVER)

SEPARATION_OF_DUTIES = _(
    "您审核或上报了这个案件。按照职责分离，审核人不能在区局审批同一案件，请由其他审批人办理。"
)
PENALTY_EFFECTS = {
    PenaltyKind.QUOTA_FROZEN: _("该单位不能再提交初次申请和个人聘用单位变更，已下发的指标在解除前不能使用。"),
    PenaltyKind.SERVICE_TERMINATED: _("该单位提交的所有事项均不予受理，直至解除。"),
    PenaltyKind.BLACKLISTED: _("该单位列入黑名单，提交的所有事项均不予受理，直至解除。"),
}


# --- words ----------------------------------------------------------------------------------------------------------


def _words(text: Any) -> str:
    """A service's bilingual message ("中文 / English") in the page's language."""
    zh, separator, en = str(text).partition(" / ")
    if not separator:
        return str(text)
    return en if page_language() == "en" else zh


def _refusal(error: ServiceError, *, user: Any = None, case: Case | None = None) -> str:
    """A service's refusal in words for the page (field errors are placed next to their fields by the caller)."""
    if isinstance(error, Invalid):
        return "；".join(_words(message) for message in error.fields.values())
    if isinstance(error, InvalidState):
        if " / " in str(error):
            return _words(error)
        return gettext("当前状态不允许此操作（%(state)s）。") % {"state": state_label(error.state)}
    if isinstance(error, Forbidden) and case is not None and _reviewed(user, case):
        return str(SEPARATION_OF_DUTIES)
    return gettext("您无权进行此操作。")


def _reviewed(user: Any, case: Case) -> bool:
    reviewers = (getattr(case, "reviewed_by_id", None), getattr(case, "forwarded_by_id", None))
    return getattr(user, "pk", None) in reviewers


def _mask_name(name: str) -> str:
    """张伟 → 张*: the employee's name on lists (the full name is on the case and permit pages)."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def _page(request: HttpRequest, items: Any, *, param: str = "page") -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


def _query_without(request: HttpRequest, *names: str) -> str:
    """The current filters as a query string prefix for the pagination links ("kind=initial&")."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def _unit_by_code_or_name(user: Any, text: str) -> Unit | None:
    """The unit named by its unified social credit code or, failing that, its full registered name."""
    try:
        return unit_for(user, text)
    except NotFound:
        return units_visible_to(user).filter(name=text.strip()).first()


def _place_errors(form: forms.Form, error: Invalid) -> None:
    """A service's field errors next to the form's fields (others at the top of the form)."""
    for path_, message in error.fields.items():
        field = path_.split(".")[0]
        form.add_error(field if field in form.fields else None, _words(message))


# --- forms (shape only) ---------------------------------------------------------------------------------------------

CONFIRM_REQUIRED = _("请勾选确认后再提交。")


def _confirm_field(label: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, error_messages={"required": CONFIRM_REQUIRED})


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("事项"), required=False,
                             choices=[("", _("全部")), ("initial", _("初次申请")), ("renewal", _("续签"))])
    unit = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("排序"), required=False,
                             choices=[("due", _("截止日期（最早在前）")), ("submitted", _("提交日期（最早在前）"))])


class ApproveForm(forms.Form):
    confirm = _confirm_field(_("我已核对，确认批准"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予通过的理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             error_messages={"required": _("请写明不予通过的理由。")})
    confirm = _confirm_field(_("我确认不予通过"))


class GrantForm(forms.Form):
    granted = forms.IntegerField(label=_("下发数量"), min_value=0, max_value=1_000_000,
                                 help_text=_("可少于申报数量；填 0 表示本次不下发。"),
                                 error_messages={"required": _("请填写下发数量。"),
                                                 "invalid": _("请填写整数。"),
                                                 "min_value": _("下发数量不能小于 0。"),
                                                 "max_value": _("下发数量过大。")})
    confirm = _confirm_field(_("我确认下发"))


class PenaltyForm(forms.Form):
    unit = forms.CharField(label=_("单位"), max_length=200,
                           help_text=_("统一社会信用代码（18位）或单位全称。"),
                           error_messages={"required": _("请填写单位的统一社会信用代码或全称。")})
    kind = forms.ChoiceField(label=_("处罚类型"), widget=forms.RadioSelect, choices=PenaltyKind.choices,
                             error_messages={"required": _("请选择处罚类型。")})
    reason = forms.CharField(label=_("处罚理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             help_text=_("写明事实和依据，单位可以看到。"),
                             error_messages={"required": _("请填写处罚理由。")})
    confirm = _confirm_field(_("我确认对该单位执行上述处罚"))


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("解除理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             error_messages={"required": _("请填写解除理由。")})
    confirm = _confirm_field(_("我确认解除该处罚"))


class AuditForm(forms.Form):
    unit = forms.CharField(label=_("被调查单位"), max_length=200,
                           help_text=_("统一社会信用代码（18位）或单位全称。"),
                           error_messages={"required": _("请填写单位的统一社会信用代码或全称。")})
    permit = forms.CharField(label=_("工作居住证编号（选填）"), max_length=24, required=False,
                             help_text=_("调查针对某一持证人时填写；须为该单位的工作居住证。"))
    employment_confirmed = forms.ChoiceField(
        label=_("聘用关系是否真实"), widget=forms.RadioSelect,
        choices=[("yes", _("真实：确有聘用关系")), ("no", _("不真实：未实际聘用或已离职"))],
        error_messages={"required": _("请选择调查结论。")},
    )
    findings = forms.CharField(label=_("调查结果"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
                               help_text=_("调查方式、时间、核实的材料和发现的问题。"),
                               error_messages={"required": _("请填写调查结果。")})


# --- the approval queue ---------------------------------------------------------------------------------------------

def _queue(user: Any, *, kind: str, unit: str, sort: str) -> QuerySet[Case]:
    """Cases awaiting the bureau (initial, renewal), with what the rows show in a fixed number of queries."""
    cases = cases_filtered(user, kind=kind or None, state=CaseState.PENDING_APPROVAL, unit=unit or None)
    cases = cases.filter(kind__in=QUEUE_KINDS).select_related("forwarded_by").prefetch_related(
        Prefetch("unit__penalties", queryset=Penalty.objects.filter(active=True).order_by("kind"),
                 to_attr="active_penalties")
    )
    if sort == "submitted":
        return cases.order_by(F("accepted_on").asc(nulls_last=True), "id")
    return by_due_date(cases)


def _marks(case: Case, user: Any) -> list[tuple[str, str]]:
    """What deserves attention before opening the case, each in words (a colour never stands alone)."""
    marks = []
    if case.review_reasons:
        n = len(case.review_reasons)
        marks.append(("review", ngettext("%(n)s 项需人工审核（窗口已说明理由）", "%(n)s 项需人工审核（窗口已说明理由）", n)
                      % {"n": n}))
    if case.version > 1:
        marks.append(("info", gettext("补正后第 %(n)s 次提交") % {"n": case.version}))
    for penalty in case.unit.active_penalties:
        marks.append(("fail", gettext("单位处罚：%(kind)s") % {"kind": penalty.get_kind_display()}))
    if _reviewed(user, case):
        marks.append(("fail", gettext("您审核过此案，不能审批")))
    return marks


@approver_only
def bureau_queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    kind, unit = chosen.get("kind", ""), chosen.get("unit", "")
    page = _page(request, _queue(request.user, kind=kind, unit=unit, sort=chosen.get("sort") or "due"))
    today = timezone.localdate()
    rows = [{"case": case, "clock": clock.view(case, today=today), "marks": _marks(case, request.user)}
            for case in page]
    context = {"filters": filters, "page_obj": page, "rows": rows, "filtered": bool(kind or unit),
               "query": _query_without(request, "page")}
    return render(request, "portal/bureau/queue.html", context)


# --- case actions ---------------------------------------------------------------------------------------------------


def _bureau_case(request: HttpRequest, public_id: str) -> Case:
    try:
        return case_for(request.user, public_id)
    except NotFound:
        raise Http404("case") from None


def _case_page(request: HttpRequest, case: Case, **bureau: Any) -> HttpResponse:
    """The shared case page again, with this role's forms as submitted and what went wrong."""
    context = case_context(request, case)
    context["bureau"] = bureau
    return render(request, "portal/case/detail.html", context)


@approver_only
@require_POST
def bureau_case_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _bureau_case(request, public_id)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, approve_form=form)
    try:
        case = case_approve(case=case, actor=request.user)
    except ServiceError as error:
        return _case_page(request, case, refusal=_refusal(error, user=request.user, case=case))
    if case.kind == "initial" and case.permit is not None:
        text = gettext("已批准 %(case)s：工作居住证 %(number)s 已签发，有效期至 %(until)s。")
        messages.success(request, text % {"case": case.public_id, "number": case.permit.number,
                                          "until": case.permit.valid_until.isoformat()})
    else:
        messages.success(request, gettext("已批准 %(case)s。") % {"case": case.public_id})
    return redirect("portal:bureau_queue")


@approver_only
@require_POST
def bureau_case_reject(request: HttpRequest, public_id: str) -> HttpResponse:
    case = _bureau_case(request, public_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, reject_form=form)
    try:
        case_reject(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        if isinstance(error, Invalid):
            _place_errors(form, error)
            return _case_page(request, case, reject_form=form)
        return _case_page(request, case, refusal=_refusal(error, user=request.user, case=case), reject_form=form)
    messages.success(request, gettext("已决定不予通过 %(case)s，理由已告知单位和申请人。") % {"case": case.public_id})
    return redirect("portal:bureau_queue")


# --- quotas ---------------------------------------------------------------------------------------------------------


class QuotaFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2200)
    state = forms.ChoiceField(label=_("申报状态"), required=False,
                              choices=[("pending", _("待下发")), ("granted", _("已下发")), ("all", _("全部"))])


def _ledger_rows(year: int) -> list[dict[str, Any]]:
    """Every unit-year ledger of the year: granted / reserved / used / left, and whether the quota is frozen."""
    frozen = set(Penalty.objects.filter(active=True, kind=PenaltyKind.QUOTA_FROZEN).values_list("unit_id", flat=True))
    ledgers = QuotaLedger.objects.filter(year=year).select_related("unit").order_by("unit__name", "unit_id")
    return [{"ledger": ledger, "left": ledger.granted - ledger.reserved - ledger.used,
             "frozen": ledger.unit.pk in frozen} for ledger in ledgers]


@approver_only
def bureau_quotas(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    filters = QuotaFilterForm(request.GET)
    year, state = this_year, "pending"
    if filters.is_valid():
        year = filters.cleaned_data["year"] or this_year
        state = filters.cleaned_data["state"] or "pending"
    requests = quota_requests_visible_to(request.user).filter(year=year).select_related("requested_by", "decided_by")
    if state != "all":
        requests = requests.filter(state=state)
    requests = requests.order_by("requested_at", "id") if state == "pending" else requests.order_by("-requested_at")
    context = {
        "filters": filters, "year": year, "state": state, "years": [this_year - 1, this_year, this_year + 1],
        "page_obj": _page(request, requests), "ledgers": _ledger_rows(year),
        "query": _query_without(request, "page"),
        "pending_count": quota_requests_visible_to(request.user).filter(state=QuotaRequestState.PENDING).count(),
    }
    return render(request, "portal/bureau/quotas.html", context)


@approver_only
@require_http_methods(["GET", "POST"])
def bureau_quota_grant(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        quota_request: QuotaRequest = quota_request_for(request.user, pk)
    except NotFound:
        raise Http404("quota request") from None
    form = GrantForm(request.POST if request.method == "POST" else None, initial={"granted": quota_request.requested})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            quota_grant(request=quota_request, actor=request.user, granted=form.cleaned_data["granted"])
        except Invalid as error:
            _place_errors(form, error)
        except ServiceError as error:
            refusal = _refusal(error)
        else:
            text = gettext("已向 %(unit)s 下发 %(year)s 年度指标 %(n)s 个。")
            messages.success(request, text % {"unit": quota_request.unit.name, "year": quota_request.year,
                                              "n": form.cleaned_data["granted"]})
            return redirect(f"{reverse('portal:bureau_quotas')}?year={quota_request.year}")
    history = quota_requests_visible_to(request.user).filter(unit=quota_request.unit).exclude(pk=quota_request.pk)
    context = {
        "quota_request": quota_request, "form": form, "refusal": refusal,
        "status": quota_status(quota_request.unit, quota_request.year),
        "history": history.select_related("decided_by").order_by("-requested_at")[:10],
    }
    return render(request, "portal/bureau/quota_grant.html", context)


# --- late releases --------------------------------------------------------------------------------------------------


@approver_only
def bureau_late_releases(request: HttpRequest) -> HttpResponse:
    page = _page(request, late_releases_for(request.user))
    rows = []
    for association in page:
        released_on = timezone.localdate(association.released_at) if association.released_at else None
        after = (released_on - association.left_on).days if released_on and association.left_on else None
        due = association.left_on + timedelta(days=RELEASE_DAYS) if association.left_on else None
        rows.append({
            "association": association, "name": _mask_name(association.applicant.real_name),
            "released_on": released_on, "due": due, "days_after": after,
            "days_late": after - RELEASE_DAYS if after is not None else None,
        })
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
    released_on = timezone.localdate(association.released_at)
    text = gettext("员工于 %(left)s 离职，单位于 %(released)s 才解除关联，超过离职之日起%(days)s日内解除的时限"
              "（G4.注意事项.4、6）。")
    return text % {"left": association.left_on.isoformat(), "released": released_on.isoformat(),
                   "days": RELEASE_DAYS}


def _penalties_page(request: HttpRequest, form: PenaltyForm, refusal: str = "") -> HttpResponse:
    active = Penalty.objects.filter(active=True).select_related("unit", "decided_by").order_by("-decided_at")
    history = (Penalty.objects.filter(active=False).select_related("unit", "decided_by", "lifted_by")
               .order_by("-lifted_at", "-id"))
    context = {
        "form": form, "refusal": refusal, "active": active, "page_obj": _page(request, history),
        "effects_help": [(kind.value, PENALTY_EFFECTS[kind]) for kind in PenaltyKind],
        "query": _query_without(request, "page"),
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
        _place_errors(form, error)
        return _penalties_page(request, form)
    except ServiceError as error:
        return _penalties_page(request, form, refusal=_refusal(error))
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
            _place_errors(form, error)
        except ServiceError as error:
            refusal = _refusal(error)
        else:
            text = gettext("已解除 %(unit)s 的处罚：%(kind)s。")
            messages.success(request, text % {"unit": penalty.unit.name, "kind": PenaltyKind(penalty.kind).label})
            return redirect("portal:bureau_penalties")
    context = {"penalty": penalty, "form": form, "refusal": refusal, "effect": PENALTY_EFFECTS[penalty.kind]}
    return render(request, "portal/bureau/penalty_lift.html", context)


# --- random audits --------------------------------------------------------------------------------------------------


def _audits_page(request: HttpRequest, form: AuditForm) -> HttpResponse:
    audits = Audit.objects.select_related("unit", "permit", "by").order_by("-at", "-id")
    context = {"form": form, "page_obj": _page(request, audits), "query": _query_without(request, "page")}
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
        _place_errors(form, error)
        return _audits_page(request, form)
    text = gettext("已记录对 %(unit)s 的随机调查。") if confirmed else gettext(
        "已记录对 %(unit)s 的随机调查：聘用关系不真实。如需处罚，请在列表中选择「处罚该单位」。")
    messages.success(request, text % {"unit": unit.name})
    return redirect("portal:bureau_audits")


urlpatterns = [
    path("bureau/", bureau_queue, name="bureau_queue"),
    path("bureau/cases/<str:public_id>/approve/", bureau_case_approve, name="bureau_case_approve"),
    path("bureau/cases/<str:public_id>/reject/", bureau_case_reject, name="bureau_case_reject"),
    path("bureau/quotas/", bureau_quotas, name="bureau_quotas"),
    path("bureau/quotas/<int:pk>/grant/", bureau_quota_grant, name="bureau_quota_grant"),
    path("bureau/late-releases/", bureau_late_releases, name="bureau_late_releases"),
    path("bureau/penalties/", bureau_penalties, name="bureau_penalties"),
    path("bureau/penalties/impose/", bureau_penalty_impose, name="bureau_penalty_impose"),
    path("bureau/penalties/<int:pk>/lift/", bureau_penalty_lift, name="bureau_penalty_lift"),
    path("bureau/audits/", bureau_audits, name="bureau_audits"),
]
