"""The applicant fills in 附件3's particulars (房屋借住声明) of their own case (`wrp.portal.common.housing_loan`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from wrp.accounts.models import Role
from wrp.portal.common.access import role_required
from wrp.portal.common.housing_loan import housing_loan_page


@role_required(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
def case_housing_loan(request: HttpRequest, public_id: str) -> HttpResponse:
    return housing_loan_page(request, public_id, template="portal/applicant/housing_loan.html")
