"""The unit handler fills in 附件3's particulars (房屋借住声明) of an employee's case, the owner's ID number masked
(`wrp.portal.common.housing_loan`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from wrp.portal.common.housing_loan import housing_loan_page
from wrp.portal.unit.views import handler_only


@handler_only
@require_http_methods(["GET", "POST"])
def case_housing_loan(request: HttpRequest, public_id: str) -> HttpResponse:
    return housing_loan_page(request, public_id, template="portal/unit/housing_loan.html")
