"""`{% export_links "name" %}`: the 导出 CSV / 导出 Excel links of a list, carrying the page's filters (its query
string without the page's cursor)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from wrp.exports.views import NOT_FILTERS

register = template.Library()


@register.inclusion_tag("exports/_links.html", takes_context=True)
def export_links(context: dict[str, Any], name: str) -> dict[str, Any]:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    for key in NOT_FILTERS:
        if query is not None:
            query.pop(key, None)
    encoded = query.urlencode() if query is not None else ""
    suffix = f"?{encoded}" if encoded else ""
    return {
        "csv": reverse("exports:download", args=[name, "csv"]) + suffix,
        "xlsx": reverse("exports:download", args=[name, "xlsx"]) + suffix,
    }
