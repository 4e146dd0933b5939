"""`{% export_links "name" %}`: the 导出 CSV / 导出 Excel links of a list, carrying the page's filters (its query
string without the page's cursor). A simple tag rather than an included template: the lists render it on every
request, and an inclusion tag builds a context and renders a template each time."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from wrp.exports.views import NOT_FILTERS

register = template.Library()


@register.simple_tag(takes_context=True)
def export_links(context: Any, name: str) -> SafeString:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    for key in NOT_FILTERS:
        if query is not None:
            query.pop(key, None)
    encoded = query.urlencode() if query is not None else ""
    suffix = f"?{encoded}" if encoded else ""
    return format_html(
        '<p class="export-links"><a href="{}" download>{}</a> · <a href="{}" download>{}</a></p>\n',
        reverse("exports:download", args=[name, "csv"]) + suffix, gettext("导出 CSV"),
        reverse("exports:download", args=[name, "xlsx"]) + suffix, gettext("导出 Excel"),
    )
