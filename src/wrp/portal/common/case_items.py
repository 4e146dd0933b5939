"""The items of the case page's two longest lists, drawn in Python (every role's case page shows both): the
materials with their status (`components/checklist.html`) and the timeline of events (`components/timeline.html`).
Each text is escaped once; the words are the templates' own (the same catalogue entries)."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, gettext_noop

from wrp.portal.common.file_words import optional_mark, pages_words, warning_lines
from wrp.portal.common.presenters import escaped, html_of
from wrp.portal.templatetags.case_file import manual_check_words
from wrp.portal.templatetags.portal import (
    action_label,
    material_contains,
    material_status_label,
    material_title,
    role_label,
    state_label,
)
from wrp.public.templatetags.wrp_format import cn_moment

NO_MATERIALS = gettext_noop("没有需要上传的材料")
NO_EVENTS = gettext_noop("暂无记录")

MATERIAL = """
  <li class="material" id="material-{code}">
    <strong>{title}</strong>{optional}
    <span class="badge material-{status}">{status_label}</span>
    <span class="help">{contains}</span>{reason}{file}
  </li>"""
EVENT = '\n  <li><time datetime="{stamp}">{moment}</time> · {role} · {action}{outcome}</li>'


def checklist_items(materials: list[dict[str, Any]]) -> SafeString:
    """The `<li>` of each material of the case page's checklist (`case_material_rows`), or the line saying none."""
    if not materials:
        return SafeString(f'\n  <li class="muted">{escaped(gettext(NO_MATERIALS))}</li>\n')
    optional = optional_mark()
    items = []
    for m in materials:
        stored = m["file"]
        file = ""
        if stored:
            warnings = warning_lines(stored.warnings, "span")
            file = SafeString(f'\n    <span class="muted">{escaped(pages_words(stored.pages))}</span>\n      {warnings}')
        items.append(html_of(
            MATERIAL, code=m["code"], title=material_title(m["code"]), optional=optional if not m["required"] else "",
            status=m["status"], status_label=material_status_label(m["status"]), contains=material_contains(m["code"]),
            reason=SafeString(f'\n    <span class="error">{escaped(m["reason"])}</span>' if m["reason"] else ""),
            file=file,
        ))
    return SafeString("".join(items) + "\n")


def timeline_items(events: list[Any]) -> SafeString:
    """The `<li>` of each event of the case's timeline (oldest first), or the line saying there is none yet."""
    if not events:
        return SafeString(f'\n  <li class="muted">{escaped(gettext(NO_EVENTS))}</li>\n')
    items = []
    for event in events:
        if event.action == "manual_check":
            outcome = f"（{manual_check_words(event.detail)}）"
        else:
            outcome = f" → {state_label(event.to_state)}" if event.to_state else ""
        items.append(html_of(EVENT, stamp=template_localtime(event.at).isoformat(), moment=cn_moment(event.at),
                             role=role_label(event.actor_role), action=action_label(event.action), outcome=outcome))
    return SafeString("".join(items) + "\n")
