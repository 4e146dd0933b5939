"""Claim, release and assign from the window's queue (issue 15 §3, `wrp.cases.claims`): a button per row to claim
(认领) or release (释放) a case, and the ticked rows assigned to a clerk (分配给). Each posts, calls its service and
goes back to the listing it came from with its filters (post/redirect/get); a refusal is a message on that page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from wrp.accounts.models import Role
from wrp.cases.claims import BULK_LIMIT, case_claim, case_release, cases_bulk_assign, clerks
from wrp.cases.selectors import cases_visible_to
from wrp.core.errors import ServiceError
from wrp.portal.common.access import case_or_404, role_required
from wrp.portal.common.refusals import refusal_text

clerk_only = role_required(Role.WINDOW_CLERK)


def back_to_listing(request: HttpRequest) -> HttpResponseRedirect:
    """The listing the form was posted from (`listing`: queue or cases), with its filters (`query`, re-encoded)."""
    data = request.POST if request.method == "POST" else request.GET
    name = "portal:clerk_cases" if data.get("listing") == "cases" else "portal:clerk_queue"
    query = QueryDict(data.get("query", "")[:1000]).urlencode()
    return HttpResponseRedirect(reverse(name) + (f"?{query}" if query else ""))


def _chosen_clerk(request: HttpRequest) -> object | None:
    raw = request.POST.get("to", "")
    return clerks().filter(pk=int(raw)).first() if raw.isdigit() else None


@clerk_only
@require_POST
def clerk_claim(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    try:
        case_claim(case=case, actor=request.user)
    except ServiceError as error:
        messages.error(request, f"{case.public_id}{_('：')}{refusal_text(error)}")
    else:
        messages.success(request, _("已认领 %(case)s。") % {"case": case.public_id})
    return back_to_listing(request)


@clerk_only
@require_POST
def clerk_release(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    try:
        case_release(case=case, actor=request.user)
    except ServiceError as error:
        messages.error(request, f"{case.public_id}{_('：')}{refusal_text(error)}")
    else:
        messages.success(request, _("已释放 %(case)s，其他工作人员可以认领。") % {"case": case.public_id})
    return back_to_listing(request)


@clerk_only
@require_http_methods(["GET", "POST"])
def clerk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the cases ticked in the listing (`cases`): GET shows them with the clerks to choose from (the listing
    itself stays within its query budget), POST gives them to the chosen clerk (`to`) and goes back to the listing."""
    data = request.POST if request.method == "POST" else request.GET
    chosen = list(dict.fromkeys(data.getlist("cases")))[: BULK_LIMIT + 1]
    if request.method == "GET":
        if not chosen:
            messages.error(request, _("请先勾选要分配的案件。"))
            return back_to_listing(request)
        cases = (
            cases_visible_to(request.user)
            .filter(public_id__in=chosen)
            .select_related("claimed_by")
            .only(
                "id",
                "public_id",
                "kind",
                "state",
                "unit__name",
                "claimed_by__username",
                "claimed_by__real_name",
                "applicant__real_name",
                "applicant__username",
            )
            .order_by("public_id")
        )
        return render(
            request,
            "portal/clerk/assign.html",
            {
                "cases": cases,
                "clerks": clerks(),
                "listing": data.get("listing", "queue"),
                "query": data.get("query", ""),
                "too_many": len(chosen) > BULK_LIMIT,
            },
        )
    to = _chosen_clerk(request)
    try:
        assigned = cases_bulk_assign(public_ids=chosen, actor=request.user, to=to)
    except ServiceError as error:
        messages.error(request, refusal_text(error))
    else:
        name = getattr(to, "real_name", "") or getattr(to, "username", "")
        n = len(assigned)
        messages.success(
            request,
            ngettext("已将 %(n)s 件案件分配给 %(name)s。", "已将 %(n)s 件案件分配给 %(name)s。", n)
            % {"n": n, "name": name},
        )
    return back_to_listing(request)
