"""The window clerk's acceptance duty on the case page (POLICY §11 L-ACCEPT): 受理 — one button, the 受理通知书 follows —
and 不予受理 for a matter outside the district's remit, with the reasons and a box to tick (the case ends). Each is
its service of `wrp.cases.acceptance`; a refusal comes back as the page with the error next to its field."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.cases.acceptance import case_accept, case_refuse_acceptance
from wrp.core.errors import Invalid, ServiceError
from wrp.portal.clerk.views import _confirmed, _refused, _render_case, _to_case
from wrp.portal.common.access import case_or_404, role_required


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_accept(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    try:
        case = case_accept(case=case, actor=request.user)
    except ServiceError as error:
        return _refused(request, case, error)
    messages.success(request, _("已受理，受理通知书已发给单位和申请人。"))
    return _to_case(case)


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_refuse_acceptance(request: HttpRequest, public_id: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    reason = request.POST.get("reason", "").strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["refuse_reason"] = _("请写明不予受理的理由，它将写入不予受理通知书。")
    if not _confirmed(request):
        errors["confirm_refuse"] = _("请勾选确认后再作出不予受理的决定。")
    if not errors:
        try:
            case_refuse_acceptance(case=case, actor=request.user, reason=reason)
        except Invalid:
            errors["refuse_reason"] = _("请写明不予受理的理由，它将写入不予受理通知书。")
        except ServiceError as error:
            return _refused(request, case, error)
    if errors:
        return _render_case(request, case, errors=errors, values={"refuse_reason": reason}, status=422)
    messages.success(request, _("已决定不予受理，不予受理通知书已发给单位和申请人。"))
    return _to_case(case)
