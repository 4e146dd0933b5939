"""`{% bureau_case_file %}`: the case file and the window's verdicts on the bureau approver's case page
(`wrp.portal.bureau.casefile.bureau_file`); `{% clerk_material_items materials judging %}` and
`{% clerk_fact_items rows %}`: the items of the case file's materials and facts (`wrp.portal.clerk.file_items`);
`manual_check_words`: a manual check's finding in the timeline, in words."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from wrp.cases.manual_checks import Finding, ManualCheck
from wrp.portal.bureau.casefile import bureau_file
from wrp.portal.clerk.file_items import fact_items, material_items

register = template.Library()

PAGE = ("case", "materials", "assessment", "changes", "events", "notices")  # what the file is built from


@register.inclusion_tag("portal/bureau/_case_file.html", takes_context=True)
def bureau_case_file(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    page = {key: context.get(key) for key in PAGE}
    return {"case": page["case"], "request": request, "actions": context.get("actions", ()),
            "separated": context.get("separated"), "file": bureau_file(page, viewing=request.GET.get("view"))}


@register.simple_tag(takes_context=True)
def clerk_material_items(context: template.Context, materials: list[dict[str, Any]], judging: bool) -> SafeString:
    token = context.get("csrf_token")
    return material_items(materials, judging=bool(judging), public_id=context["case"].public_id,
                          csrf_token=token if token and token != "NOTPROVIDED" else "")


@register.simple_tag
def clerk_fact_items(rows: list[dict[str, Any]]) -> SafeString:
    return fact_items(rows)


@register.filter
def manual_check_words(detail: Any) -> str:
    """学信网学历查验：符合 — the check and the finding of a `manual_check` event (the note stays with the staff)."""
    if not isinstance(detail, dict):
        return ""
    check, finding = detail.get("check"), detail.get("finding")
    name = str(ManualCheck(check).label) if check in ManualCheck.values else ""
    word = str(Finding(finding).label) if finding in Finding.values else ""
    return "：".join(part for part in (name, word) if part)
