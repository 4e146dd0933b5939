"""The bureau portal (issue 5 §5): the district bureau's approval queue for `initial` and `renewal` with the bureau's
actions on the shared case page (`portal/case/_actions_bureau_approver.html`), and quota grants per unit and year.
Late releases, penalties and random audits of real employment are in `oversight.py`.

Every page is for the bureau approver alone. Every change goes through its one service (`case_approve`,
`case_reject`, `quota_grant`); a refusal comes back in words on the page it was asked from. Irreversible actions
state their consequence next to a box to tick (UI.md §Irreversible actions); forms only check the shape of what was
typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import F, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.models import Role
from wrp.cases.kinds import BUREAU_KINDS, kind_of
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import by_due_date, cases_filtered
from wrp.cases.services import case_approve, case_reject
from wrp.core.errors import Invalid, ServiceError
from wrp.portal.bureau.forms import ApproveForm, GrantForm, QueueFilterForm, QuotaFilterForm, RejectForm
from wrp.portal.case_page import case_context
from wrp.portal.common.access import case_or_404, quota_request_or_404, role_required
from wrp.portal.common.presenters import case_rows, paginate, query_without
from wrp.portal.common.refusals import form_add_refusal, refusal_text
from wrp.public.templatetags.wrp_format import cn_date
from wrp.quotas.models import QuotaLedger, QuotaRequest, QuotaRequestState
from wrp.quotas.selectors import quota_requests_visible_to, quota_status
from wrp.quotas.services import quota_grant
from wrp.units.models import Penalty, PenaltyKind

QUEUE_KINDS = tuple(sorted(BUREAU_KINDS))
approver_only = role_required(Role.BUREAU_APPROVER)

def _reviewed(user: Any, case: Case) -> bool:
    reviewers = (getattr(case, "reviewed_by_id", None), getattr(case, "forwarded_by_id", None))
    return getattr(user, "pk", None) in reviewers



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
    page = paginate(request, _queue(request.user, kind=kind, unit=unit, sort=chosen.get("sort") or "due"))
    rows = [{**row, "marks": _marks(row["case"], request.user)} for row in case_rows(page, timezone.localdate())]
    context = {"filters": filters, "page_obj": page, "rows": rows, "filtered": bool(kind or unit),
               "query": query_without(request, "page")}
    return render(request, "portal/bureau/queue.html", context)


# --- case actions ---------------------------------------------------------------------------------------------------


def _case_page(request: HttpRequest, case: Case, **bureau: Any) -> HttpResponse:
    """The shared case page again, with this role's forms as submitted and what went wrong."""
    context = case_context(request, case)
    context["bureau"] = bureau
    return render(request, "portal/case/detail.html", context)


@approver_only
@require_POST
def bureau_case_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, approve_form=form)
    try:
        case = case_approve(case=case, actor=request.user)
    except ServiceError as error:
        return _case_page(request, case, refusal=refusal_text(error))
    if kind_of(case).needs_quota and case.permit is not None:  # of the bureau's items, initial: a new permit
        text = gettext("已批准 %(case)s：工作居住证 %(number)s 已签发，有效期至 %(until)s。")
        messages.success(request, text % {"case": case.public_id, "number": case.permit.number,
                                          "until": cn_date(case.permit.valid_until)})
    else:
        messages.success(request, gettext("已批准 %(case)s。") % {"case": case.public_id})
    return redirect("portal:bureau_queue")


@approver_only
@require_POST
def bureau_case_reject(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, reject_form=form)
    try:
        case_reject(case=case, actor=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        if isinstance(error, Invalid):
            form_add_refusal(form, error)
            return _case_page(request, case, reject_form=form)
        return _case_page(request, case, refusal=refusal_text(error), reject_form=form)
    messages.success(request, gettext("已决定不予通过 %(case)s，理由已告知单位和申请人。") % {"case": case.public_id})
    return redirect("portal:bureau_queue")


def _ledger_rows(year: int) -> list[dict[str, Any]]:
    """Every unit-year ledger of the year: granted, reserved, used and left, and whether the quota is frozen."""
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
        "page_obj": paginate(request, requests), "ledgers": _ledger_rows(year),
        "query": query_without(request, "page"),
        "pending_count": quota_requests_visible_to(request.user).filter(state=QuotaRequestState.PENDING).count(),
    }
    return render(request, "portal/bureau/quotas.html", context)


@approver_only
@require_http_methods(["GET", "POST"])
def bureau_quota_grant(request: HttpRequest, pk: int) -> HttpResponse:
    quota_request: QuotaRequest = quota_request_or_404(request, pk)
    form = GrantForm(request.POST if request.method == "POST" else None, initial={"granted": quota_request.requested})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            quota_grant(request=quota_request, actor=request.user, granted=form.cleaned_data["granted"])
        except Invalid as error:
            form_add_refusal(form, error)
        except ServiceError as error:
            refusal = refusal_text(error)
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

