"""The bureau approver's forms. Shape only: the services check the facts; irreversible actions carry a box to tick
(UI.md §Irreversible actions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrp.units.models import PenaltyKind

# --- forms (shape only) ---------------------------------------------------------------------------------------------

CONFIRM_REQUIRED = _("请勾选确认后再提交。")


def _confirm_field(label: Any) -> forms.BooleanField:
    return forms.BooleanField(label=label, error_messages={"required": CONFIRM_REQUIRED})


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("事项"), required=False,
                             choices=[("", _("全部")), ("initial", _("初次申请")), ("renewal", _("续签"))])
    unit = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("排序"), required=False,
                             choices=[("due", _("截止日期（最早在前）")), ("submitted", _("提交日期（最早在前）"))])


class ApproveForm(forms.Form):
    confirm = _confirm_field(_("我已核对，确认批准"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予通过的理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             error_messages={"required": _("请写明不予通过的理由。")})
    confirm = _confirm_field(_("我确认不予通过"))


class GrantForm(forms.Form):
    granted = forms.IntegerField(label=_("下发数量"), min_value=0, max_value=1_000_000,
                                 help_text=_("可少于申报数量；填 0 表示本次不下发。"),
                                 error_messages={"required": _("请填写下发数量。"),
                                                 "invalid": _("请填写整数。"),
                                                 "min_value": _("下发数量不能小于 0。"),
                                                 "max_value": _("下发数量过大。")})
    confirm = _confirm_field(_("我确认下发"))


class PenaltyForm(forms.Form):
    unit = forms.CharField(label=_("单位"), max_length=200,
                           help_text=_("统一社会信用代码（18位）或单位全称。"),
                           error_messages={"required": _("请填写单位的统一社会信用代码或全称。")})
    kind = forms.ChoiceField(label=_("处罚类型"), widget=forms.RadioSelect, choices=PenaltyKind.choices,
                             error_messages={"required": _("请选择处罚类型。")})
    reason = forms.CharField(label=_("处罚理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             help_text=_("写明事实和依据，单位可以看到。"),
                             error_messages={"required": _("请填写处罚理由。")})
    confirm = _confirm_field(_("我确认对该单位执行上述处罚"))


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("解除理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             error_messages={"required": _("请填写解除理由。")})
    confirm = _confirm_field(_("我确认解除该处罚"))


class AuditForm(forms.Form):
    unit = forms.CharField(label=_("被调查单位"), max_length=200,
                           help_text=_("统一社会信用代码（18位）或单位全称。"),
                           error_messages={"required": _("请填写单位的统一社会信用代码或全称。")})
    permit = forms.CharField(label=_("工作居住证编号（选填）"), max_length=24, required=False,
                             help_text=_("调查针对某一持证人时填写；须为该单位的工作居住证。"))
    employment_confirmed = forms.ChoiceField(
        label=_("聘用关系是否真实"), widget=forms.RadioSelect,
        choices=[("yes", _("真实：确有聘用关系")), ("no", _("不真实：未实际聘用或已离职"))],
        error_messages={"required": _("请选择调查结论。")},
    )
    findings = forms.CharField(label=_("调查结果"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
                               help_text=_("调查方式、时间、核实的材料和发现的问题。"),
                               error_messages={"required": _("请填写调查结果。")})



class QuotaFilterForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2200)
    state = forms.ChoiceField(label=_("申报状态"), required=False,
                              choices=[("pending", _("待下发")), ("granted", _("已下发")), ("all", _("全部"))])
    # the ledger table's search: a part of a unit's name or of its credit code (not personal data)
    unit = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)
