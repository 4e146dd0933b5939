"""`{% checklist_items materials %}` and `{% timeline_items events %}`: the items of the case page's checklist and
timeline (`components/checklist.html`, `components/timeline.html`), drawn by `wrp.portal.common.case_items`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from wrp.portal.common.case_items import checklist_items as _checklist_items
from wrp.portal.common.case_items import timeline_items as _timeline_items

register = template.Library()


@register.simple_tag
def checklist_items(materials: list[dict[str, Any]]) -> SafeString:
    return _checklist_items(materials)


@register.simple_tag
def timeline_items(events: list[Any]) -> SafeString:
    return _timeline_items(events)
