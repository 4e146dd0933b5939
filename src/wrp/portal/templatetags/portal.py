"""Names of codes for the portal pages, in the page's language (formatting only; the data comes from the views)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from wrp.accounts.models import Role
from wrp.cases.models import CaseState, MaterialStatus
from wrp.policy.codes import ChangeSubtype, Outcome, Service
from wrp.policy.labels import label
from wrp.policy.materials import MATERIALS

register = template.Library()
OUTCOME_ICONS = {"pass": "✓", "fail": "✗", "review": "!", "warn": "i"}
STATE_EN = {
    "draft": "Draft", "awaiting_unit": "Awaiting the unit", "submitted": "Submitted", "in_review": "In review",
    "returned": "Returned for correction", "pending_approval": "Awaiting bureau approval", "approved": "Approved",
    "rejected": "Not approved", "withdrawn": "Withdrawn",
}
MATERIAL_STATUS_EN = {"missing": "Not uploaded", "uploaded": "Uploaded", "accepted": "Accepted",
                      "rejected": "Upload again"}
ROLE_EN = {"applicant": "Applicant", "unit_handler": "Unit handler", "window_clerk": "Window clerk",
           "bureau_approver": "Bureau approver", "admin": "Administrator", "system": "System"}


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


@register.filter
def state_label(state: str) -> str:
    """草稿 / 待单位审核 / … in words (UI.md §State badge)."""
    if _lang() == "en":
        return STATE_EN.get(state, state)
    return str(CaseState(state).label) if state in CaseState.values else state


@register.filter
def material_status_label(status: str) -> str:
    if _lang() == "en":
        return MATERIAL_STATUS_EN.get(status, status)
    return str(MaterialStatus(status).label) if status in MaterialStatus.values else status


@register.filter
def role_label(role: str) -> str:
    if _lang() == "en":
        return ROLE_EN.get(role, role)
    if role == "system":
        return "系统"
    return str(Role(role).label) if role in Role.values else role


@register.filter
def kind_label(kind: str) -> str:
    """The service item's name (初次申请, …)."""
    return label(Service(kind), _lang()) if kind in Service._value2member_map_ else kind


@register.filter
def subtype_label(subtype: str) -> str:
    return label(ChangeSubtype(subtype), _lang()) if subtype in ChangeSubtype._value2member_map_ else subtype


@register.filter
def outcome_word(outcome: str) -> str:
    """符合 / 不符合 / 需人工审核 / 提示."""
    return label(Outcome(outcome), _lang()) if outcome in Outcome._value2member_map_ else outcome


@register.filter
def outcome_icon(outcome: str) -> str:
    return OUTCOME_ICONS.get(outcome, "")


@register.filter
def material_title(code: str) -> str:
    material = MATERIALS.get(code)
    if material is None:
        return code
    return material.title_en if _lang() == "en" else material.title_zh


@register.filter
def material_contains(code: str) -> str:
    material = MATERIALS.get(code)
    if material is None:
        return ""
    return material.contains_en if _lang() == "en" else material.contains_zh


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


WARNINGS = {
    "blank_page": ("空白页", "blank page"),
    "rotated": ("方向不正", "not upright"),
    "low_resolution": ("分辨率过低", "resolution too low"),
    "not_colour": ("非彩色扫描", "not a colour scan"),
    "duplicate": ("与其他材料重复", "same file as another material"),
}
ACTIONS = {
    "open": ("创建", "opened"),
    "submit_to_unit": ("申请人提交单位", "passed to the unit"),
    "submit": ("单位提交", "submitted"),
    "start_review": ("开始审核", "review started"),
    "return": ("退回补正", "returned for correction"),
    "resubmit": ("补正后重新提交", "resubmitted"),
    "forward": ("上报区人社局", "forwarded to the bureau"),
    "approve": ("批准", "approved"),
    "reject": ("不予通过", "not approved"),
    "withdraw": ("撤回", "withdrawn"),
}


@register.filter
def warning_label(code: str) -> str:
    """A scan pre-check warning in words (空白页, 方向不正, …)."""
    pair = WARNINGS.get(code)
    return code if pair is None else pair[1 if _lang() == "en" else 0]


@register.filter
def action_label(action: str) -> str:
    """A timeline event in words."""
    pair = ACTIONS.get(action)
    return action if pair is None else pair[1 if _lang() == "en" else 0]
