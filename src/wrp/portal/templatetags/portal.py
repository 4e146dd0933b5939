"""Names of codes for the portal pages, in the page's language (formatting only; the data comes from the views):
states, material statuses and roles by their TextChoices' lazy labels (translated through the catalogue), the
policy's own codes by its `(zh, en)` labels."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.cases.models import CaseState, MaterialStatus
from wrp.core.language import choice_label, label_of, page_language
from wrp.documents.scanwords import warning_sentence as scan_warning_sentence
from wrp.policy.codes import ChangeSubtype, Outcome, Service
from wrp.policy.labels import label
from wrp.policy.materials import MATERIALS
from wrp.portal.common import factwords
from wrp.public.templatetags.wrp_format import cn_date

register = template.Library()
OUTCOME_ICONS = {"pass": "✓", "fail": "✗", "review": "!", "warn": "i"}
SYSTEM = _("系统")  # the actor of the scheduler's events (deemed acceptance, expiry), which is no role


@register.filter
def state_label(state: str) -> str:
    """草稿, 待单位审核, … in words (UI.md §State badge): the TextChoices' label in the page's language."""
    return choice_label(CaseState, state)


@register.filter
def state_badge(state: str) -> SafeString:
    """A case's state as its badge (UI.md §State badge). A filter rather than an included template: lists show one
    a row, and an include costs a context and a template render each time."""
    return format_html('<span class="state state-{}">{}</span>', state, state_label(state))


def clock_tone(clock: Any) -> str:
    """How urgent a running time limit looks: "paused", "overdue", "soon" (≤ 4 working days left) or "" — the badge's
    class, and the clerk's row's (`clerk-<tone>`)."""
    left = clock.working_days_left
    if clock.paused:
        return "paused"
    if left is None:
        return ""
    return "overdue" if left < 0 else "soon" if left <= 4 else ""


@register.filter
def clock_badge(clock: Any) -> SafeString:
    """A case's time limit (`wrp.cases.clock.ClockView`) as its badge: paused, overdue, soon (≤ 4 working days) or
    the working days left and the last day; nothing before the clock starts. A filter for the same reason as
    `state_badge`; the words are the catalogue's plural entries."""
    if clock is None or not clock.due:
        return mark_safe("")
    left, due = clock.working_days_left, conditional_escape(cn_date(clock.due))
    if clock.paused:
        words = gettext("补正中，计时暂停")
        if left is not None:
            words += ngettext("（剩余 %(n)s 个工作日）", "（剩余 %(n)s 个工作日）", left) % {"n": left}
        words += "\n"
    elif left is None:
        words = gettext("办理时限截止 %(due)s") % {"due": due} + "\n"
    elif left < 0:
        words = ngettext("已超期 %(n)s 个工作日 · 截止 %(due)s", "已超期 %(n)s 个工作日 · 截止 %(due)s",
                         clock.overdue_days) % {"n": clock.overdue_days, "due": due} + "\n"
    else:
        words = ngettext("剩余 %(n)s 个工作日 · 截止 %(due)s", "剩余 %(n)s 个工作日 · 截止 %(due)s", left) % {
            "n": left, "due": due}
    if clock.provisional:
        words += " " + gettext("（暂定）")
    tone = clock_tone(clock)
    css = f"clock {tone}" if tone else "clock"
    return mark_safe(f'<span class="{css}">\n{words}</span>')  # the words are the catalogue's, the day escaped


@register.filter
def material_status_label(status: str) -> str:
    return choice_label(MaterialStatus, status)


@register.filter
def role_label(role: str) -> str:
    if role == "system":
        return str(SYSTEM)
    return choice_label(Role, role)


@register.filter
def kind_label(kind: str) -> str:
    """The service item's name (初次申请, …)."""
    return label(Service(kind), page_language()) if kind in Service._value2member_map_ else kind


@register.filter
def subtype_label(subtype: str) -> str:
    return label(ChangeSubtype(subtype), page_language()) if subtype in ChangeSubtype._value2member_map_ else subtype


@register.filter
def outcome_word(outcome: str) -> str:
    """符合, 不符合, 需人工审核 or 提示."""
    return label(Outcome(outcome), page_language()) if outcome in Outcome._value2member_map_ else outcome


@register.filter
def outcome_icon(outcome: str) -> str:
    return OUTCOME_ICONS.get(outcome, "")


@register.filter
def material_title(code: str) -> str:
    material = MATERIALS.get(code)
    if material is None:
        return code
    return material.title_en if page_language() == "en" else material.title_zh


@register.filter
def material_contains(code: str) -> str:
    material = MATERIALS.get(code)
    if material is None:
        return ""
    return material.contains_en if page_language() == "en" else material.contains_zh


@register.filter
def fact_label(path: str) -> str:
    """A fact's dotted path by its question: applicant.employment_start → 入职本单位的日期."""
    return factwords.fact_label(str(path), page_language())


@register.filter
def fact_changes(changes: Any) -> list[dict[str, str]]:
    """The facts a resubmission changed (`{path: [before, after]}`) as rows of label, before and after, in words."""
    return factwords.fact_changes(changes or {}, page_language())


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


ACTIONS = {  # a case event in the timeline: what happened ("批准" there is "approved", not the button's "Approve")
    "open": pgettext_lazy("case event", "创建"),
    "submit_to_unit": pgettext_lazy("case event", "申请人提交单位"),
    "send_back": pgettext_lazy("case event", "单位退回员工修改"),
    "submit": pgettext_lazy("case event", "单位提交"),
    "start_review": pgettext_lazy("case event", "开始审核"),
    "manual_check": pgettext_lazy("case event", "人工核查"),
    "return": pgettext_lazy("case event", "退回补正"),
    "resubmit": pgettext_lazy("case event", "补正后重新提交"),
    "forward": pgettext_lazy("case event", "上报区人社局"),
    "approve": pgettext_lazy("case event", "批准"),
    "reject": pgettext_lazy("case event", "不予通过"),
    "withdraw": pgettext_lazy("case event", "撤回"),
    "accept": pgettext_lazy("case event", "受理"),
    "refuse_acceptance": pgettext_lazy("case event", "不予受理"),
    "extend": pgettext_lazy("case event", "延长办理期限"),
    "files_expired": pgettext_lazy("case event", "撤回案件的材料文件到期删除"),
}


@register.filter
def warning_sentence(warning: Any) -> str:
    """A stored scan warning as a sentence naming its pages (and, for a duplicate, the other material)."""
    return scan_warning_sentence(warning) if isinstance(warning, dict) else ""


@register.filter
def action_label(action: str) -> str:
    """A timeline event in words."""
    return label_of(ACTIONS, action)  # type: ignore[no-any-return]
