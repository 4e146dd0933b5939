"""The filters above the window clerk's queue and list of cases (GET): kind, state, unit, applicant's name, order;
and the search by the applicant's ID number, which is posted (never put in an address: `search.py`)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wrp.core.language import policy_text
from wrp.policy.codes import Service
from wrp.policy.identifiers import resident_id_problem
from wrp.portal.templatetags.portal import kind_label, state_label


class CaseFilter(forms.Form):
    """The filters above the queue and the list (GET): kind, state, unit name or credit code, applicant's name,
    order."""

    kind = forms.ChoiceField(label=gettext_lazy("事项"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    unit = forms.CharField(label=gettext_lazy("单位名称或统一社会信用代码"), required=False, max_length=100)
    name = forms.CharField(label=gettext_lazy("申请人姓名"), required=False, max_length=50)
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False)
    held = forms.ChoiceField(label=gettext_lazy("认领"), required=False)  # wrp.cases.claims.by_holder

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "kind": [("", _("全部事项")), *((kind.value, kind_label(kind.value)) for kind in Service)],
            "state": [("", _("全部状态")), *((state, state_label(state)) for state in states)],
            "sort": [("due", _("截止日期（最近的在前）")), ("new", _("开立时间（最新的在前）"))],
            "held": [("", _("全部")), ("mine", _("我的")), ("free", _("未认领"))],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def chosen(self) -> dict[str, str]:
        """The valid filters given; a bad value is reported on the form and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}



class IdNumberSearch(forms.Form):
    """The applicant's resident ID number, posted: found through its keyed hash (`user_by_id_number`)."""

    id_number = forms.CharField(
        label=gettext_lazy("申请人身份证号码"), max_length=30,
        help_text=gettext_lazy("18 位居民身份证号码；按加密索引查找，号码不会出现在网址或日志中。"),
        error_messages={"required": gettext_lazy("请输入申请人的 18 位居民身份证号码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    listing = forms.ChoiceField(choices=[("queue", "queue"), ("cases", "cases")], required=False,
                                widget=forms.HiddenInput)

    def clean_id_number(self) -> str:
        typed = self.cleaned_data["id_number"]
        problem = resident_id_problem(typed)
        if problem is not None:
            raise forms.ValidationError(policy_text(problem.zh, problem.en), code=problem.code)
        return str(typed)
