"""`{% case_rating_panel %}`: the 好差评 panel of the case page, drawn from `wrp.portal.common.ratings.rating_panel`
for the signed-in user (a form bound by a refused post, `rating_form` in the page's context, is kept)."""

from __future__ import annotations

from typing import Any

from django import template

from wrp.portal.common.ratings import rating_panel

register = template.Library()


@register.inclusion_tag("portal/case/_rating.html", takes_context=True)
def case_rating_panel(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    panel = rating_panel(context["case"], request.user, context.get("rating_form"))
    return {**panel, "csrf_token": context.get("csrf_token"), "request": request}
