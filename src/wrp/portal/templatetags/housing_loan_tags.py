"""`{% housing_loan_panel case %}`: 附件3's particulars on the case page (`wrp.portal.common.housing_loan`)."""

from __future__ import annotations

from typing import Any

from django import template

from wrp.portal.common.housing_loan import housing_loan_panel as panel

register = template.Library()


@register.inclusion_tag("portal/case/_housing_loan_panel.html", takes_context=True)
def housing_loan_panel(context: template.Context, case: Any) -> dict[str, Any]:
    user = context["request"].user
    return {"case": case, "role": getattr(user, "role", ""), **panel(case, user)}
