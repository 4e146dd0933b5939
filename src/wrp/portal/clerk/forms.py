"""The filters above the window clerk's queue and list of cases (GET): kind, state, unit, applicant's name, order;
and the search by the applicant's ID number, which is posted (never put in an address: `search.py`)."""

from __future__ import annotations

import functools
from typing import Any, cast

from django import forms
from django.forms.renderers import BaseRenderer, get_default_renderer
from django.template import Template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from wrp.core.language import policy_text
from wrp.policy.codes import Service
from wrp.policy.identifiers import resident_id_problem
from wrp.portal.templatetags.portal import kind_label, state_label


def _text(value: Any) -> str:
    """What a widget template prints for `{{ value|stringformat:'s' }}`: the text, autoescaped (safe text as is)."""
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items() if value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (text.html, hidden.html, … include it as it is)."""
    value = f' value="{_text(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html with its select_option.html per option; None for an option drawn by another
    template."""
    html = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            label = str(conditional_escape(localize(option["label"])))
            html.append(f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
INPUTS = {f"django/forms/widgets/{name}.html" for name in ("input", "text", "hidden", "search", "number", "email")}


class ListFormRenderer(BaseRenderer):
    """The filter forms above the lists (the window's queue and list, the bureau's queue) drawn without the template
    engine: the very HTML of Django's widget templates for a select and a plain input, which cost a template per
    option and per attribute list on pages rendered all day (issue 14); any other widget through Django's renderer."""

    def get_template(self, template_name: str) -> Template:
        return get_default_renderer().get_template(template_name)

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString:
        widget = context.get("widget")
        html = None
        if template_name in INPUTS and widget is not None:
            html = _input(widget)
        elif template_name == "django/forms/widgets/select.html" and widget is not None:
            html = _select(widget)
        if html is None:
            return mark_safe(super().render(template_name, context, request))
        return mark_safe(html)  # every part escaped by _text


LIST_FORM_RENDERER = ListFormRenderer()


class CaseFilter(forms.Form):
    """The filters above the queue and the list (GET): kind, state, unit name or credit code, applicant's name,
    order."""

    default_renderer = LIST_FORM_RENDERER
    kind = forms.ChoiceField(label=gettext_lazy("事项"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    unit = forms.CharField(label=gettext_lazy("单位名称或统一社会信用代码"), required=False, max_length=100)
    name = forms.CharField(label=gettext_lazy("申请人姓名"), required=False, max_length=50)
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False)
    held = forms.ChoiceField(label=gettext_lazy("认领"), required=False)  # wrp.cases.claims.by_holder

    def __init__(self, *args: Any, states: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in _filter_choices(get_language(), tuple(states)).items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def chosen(self) -> dict[str, str]:
        """The valid filters given; a bad value is reported on the form and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}



@functools.lru_cache(maxsize=16)
def _filter_choices(language: str, states: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """The filters' options in `language` (the active one; an argument so that each language has its own entry):
    named once, not on every request of the queue."""
    return {
        "kind": [("", _("全部事项")), *((kind.value, kind_label(kind.value)) for kind in Service)],
        "state": [("", _("全部状态")), *((state, state_label(state)) for state in states)],
        "sort": [("due", _("截止日期（最近的在前）")), ("new", _("开立时间（最新的在前）"))],
        "held": [("", _("全部")), ("mine", _("我的")), ("free", _("未认领"))],
    }


class IdNumberSearch(forms.Form):
    """The applicant's resident ID number, posted: found through its keyed hash (`user_by_id_number`)."""

    default_renderer = LIST_FORM_RENDERER

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
