"""The window clerk's findings of the manual checks on the case page (issue 13 §5): 学信网 and 首都城市功能定位, each
符合 / 不符合 / 不适用 with a note, recorded by `wrp.cases.manual_checks.manual_check_record` while the case is in
review; a refusal comes back as the page with the error next to its field, a success as a redirect to the check."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrp.accounts.models import Role
from wrp.cases.manual_checks import Finding, ManualCheck, manual_check_record
from wrp.core.errors import Invalid, ServiceError
from wrp.portal.clerk.views import _refused, _render_case, _to_case
from wrp.portal.common.access import case_or_404, role_required


@role_required(Role.WINDOW_CLERK)
@require_POST
def clerk_manual_check(request: HttpRequest, public_id: str, check: str) -> HttpResponse:
    case = case_or_404(request, public_id)
    if check not in ManualCheck.values:
        raise Http404("no such check")
    finding, note = request.POST.get("finding", ""), request.POST.get("note", "").strip()
    values = {f"finding_{check}": finding, f"note_{check}": note}
    try:
        manual_check_record(case=case, actor=request.user, check=check, finding=finding, note=note)
    except Invalid as invalid:
        errors = {f"{field}_{check}": message for field, message in invalid.messages().items()
                  if field in ("finding", "note")}
        if not errors:  # the check does not apply to this case (the page offers only those that do)
            messages.error(request, "；".join(invalid.messages().values()))
            return _to_case(case)
        return _render_case(request, case, errors=errors, values=values, status=422)
    except ServiceError as error:
        return _refused(request, case, error)
    messages.success(request, _("已记录“%(check)s”的核查结果：%(finding)s。")
                     % {"check": ManualCheck(check).label, "finding": Finding(finding).label})
    return _to_case(case, anchor=f"clerk-manual-check-{check}")
