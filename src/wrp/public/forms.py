"""The self-check form: one Django field per question of `wrp.public.questions`, shape checks only.

The form checks what a field can check alone (a date, a number, a choice, an answer where one is required); the rules
stay in the policy. Errors the policy reports under a dotted path are shown under the field that asked for that
fact. While answers are still being given (a live htmx update, not the 「检查」 button), only the errors of fields
that hold a value are shown, so nobody is told "required" about a question they have not reached yet.

`assessment_request` turns the cleaned answers into the policy's request: 「无」 makes a fact (or its object) null, an
open-ended contract makes `contract_end` null, a fact the policy wants stated but the page did not ask (the tax start
date of a unit taxed elsewhere) is null, and an unanswered question is left out for the policy to name.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrp.public.questions import (
    CHOICE,
    COUNT,
    DATE,
    DECIMAL,
    FLAG,
    MONEY,
    MULTI,
    NONE_CHOICE,
    NULL_WHEN_HIDDEN,
    NUMBER_CHOICE,
    YES_NO,
    Question,
    Questionnaire,
)
from wrp.public.wording import GROUPS, NONE, pick

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
REQUIRED = _("此项必填")
MESSAGES = {
    DATE: {"required": REQUIRED, "invalid": _("请按 年-月-日 填写一个存在的日期，如 2026-11-26")},
    MONEY: {"required": REQUIRED, "invalid": _("请填写金额（元），只填数字，如 230000")},
    DECIMAL: {"required": REQUIRED, "invalid": _("请填写数字，如 2.5")},
    COUNT: {"required": REQUIRED, "invalid": _("请填写整数，如 3")},
}
CHOICE_MESSAGES = {"required": REQUIRED, "invalid_choice": _("请从列表中选择")}


class MoneyField(forms.DecimalField):
    """Yuan, typed as people write it: 230000, 230,000 or 230,000 元 (the separators and 元 are dropped)."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace(",", "").replace("，", "").replace("元", "").replace(" ", "")
        return super().to_python(value)


class LenientMultipleChoiceField(forms.MultipleChoiceField):
    """Ticks that no longer apply (the list changed with the talent condition) are dropped, not refused."""

    def to_python(self, value: Any) -> list[str]:
        return [item for item in super().to_python(value) if self.valid_value(item)]


def _text_input(mode: str) -> forms.TextInput:
    """A text box for numbers (inputmode brings up the number keyboard; no spinner, no browser validation)."""
    return forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "class": "short"})


def _field(question: Question, lang: str) -> forms.Field:
    kind = question.kind
    choices = question.choice_labels(lang)
    placeholder = [("", pick(("— 请选择 —", "— Choose —"), lang))]
    common: dict[str, Any] = {"required": question.required}
    if kind in (CHOICE, NUMBER_CHOICE, NONE_CHOICE):
        return forms.ChoiceField(choices=placeholder + choices, error_messages=CHOICE_MESSAGES, **common)
    if kind == YES_NO:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, error_messages=CHOICE_MESSAGES, **common)
    if kind == MULTI:
        return LenientMultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, error_messages=CHOICE_MESSAGES, required=False
        )
    if kind == FLAG:
        return forms.BooleanField(required=False)
    if kind == DATE:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return forms.DateField(input_formats=DATE_FORMATS, widget=widget, error_messages=MESSAGES[DATE], **common)
    if kind == MONEY:
        return MoneyField(widget=_text_input("decimal"), error_messages=MESSAGES[MONEY], **common)
    if kind == DECIMAL:
        return forms.DecimalField(widget=_text_input("decimal"), error_messages=MESSAGES[DECIMAL], **common)
    if kind == COUNT:
        return forms.IntegerField(widget=_text_input("numeric"), error_messages=MESSAGES[COUNT], **common)
    raise ValueError(f"unknown question kind {kind}")


def answered(data: Any, name: str) -> bool:
    """Whether form data gives any value for the field `name` (right or wrong)."""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    return any(value.strip() for value in values if isinstance(value, str))


class CheckForm(forms.Form):
    """The answers for one service; which fields exist depends on the structural answers posted."""

    def __init__(self, questionnaire: Questionnaire, lang: str, data: Any = None) -> None:
        super().__init__(data=data)
        self.questionnaire = questionnaire
        self.lang = lang
        self.general_errors: list[str] = []
        for question in questionnaire.questions:
            field = _field(question, lang)
            field.label = question.label(lang)
            field.help_text = question.help(lang)
            field.widget.attrs["aria-describedby"] = f"id_{question.name}-help"
            self.fields[question.name] = field

    def answered(self, name: str) -> bool:
        """Whether the person gave any value for the field (right or wrong)."""
        return self.is_bound and answered(self.data, name)

    def remaining(self) -> int:
        """How many required questions have no answer yet."""
        return sum(
            1 for question in self.questionnaire.questions if question.required and not self.answered(question.name)
        )

    def request_dict(self) -> dict[str, Any]:
        """The assessment request for the answers that passed the shape checks (the others are left out)."""
        self.is_valid()
        return assessment_request(self.questionnaire, getattr(self, "cleaned_data", {}))

    def add_policy_errors(self, messages: dict[str, str]) -> None:
        """The policy's `{dotted path: message}` under the fields that asked for those facts."""
        for path, message in messages.items():
            name = self.questionnaire.field_for(path)
            if name is None:
                self.general_errors.append(message)
            elif name not in self.errors:
                self.add_error(name, message)

    def shown_errors(self, *, submitted: bool) -> dict[str, list[str]]:
        """Errors to show: all of them after 「检查」, else only those of fields that hold a value."""
        if not self.is_bound:
            return {}
        return {
            name: [str(message) for message in messages]
            for name, messages in self.errors.items()
            if name in self.fields and (submitted or self.answered(name))
        }

    def fieldsets(self, shown: dict[str, list[str]]) -> list[dict[str, Any]]:
        """What the template draws: fieldsets with their legend, each question with its field and errors."""
        sets = []
        for group, questions in self.questionnaire.groups():
            rows = []
            for question in questions:
                bound = self[question.name]
                errors = shown.get(question.name, [])
                if errors:
                    bound.field.widget.attrs["aria-invalid"] = "true"
                    bound.field.widget.attrs["aria-describedby"] = f"id_{question.name}-help id_{question.name}-error"
                rows.append(
                    {
                        "question": question,
                        "field": bound,
                        "name": question.name,
                        "kind": question.kind,
                        "suffix": question.suffix(self.lang),
                        "errors": errors,
                        "anchor": anchor(question),
                    }
                )
            sets.append({"group": group, "legend": pick(GROUPS[group], self.lang), "rows": rows})
        return sets


def assessment_request(questionnaire: Questionnaire, values: Mapping[str, Any]) -> dict[str, Any]:
    """The assessment request for cleaned answers (`name → value`); unanswered questions are left out."""
    request: dict[str, Any] = {"service": str(questionnaire.service), "as_of": questionnaire.as_of.isoformat()}
    children: list[dict[str, str]] = []
    for question in questionnaire.questions:
        value = values.get(question.name)
        if question.path.startswith("applicant.children."):
            if value not in (None, "", NONE):
                children.append({"case": value})
            continue
        _answer(request, question, value)
    if "applicant.children" in questionnaire.facts:
        _put(request, "applicant.children", children)
    shown = {question.path for question in questionnaire.questions}
    for path in NULL_WHEN_HIDDEN:
        if path in questionnaire.facts and path not in shown:
            _put(request, path, None)
    return request


def _answer(request: dict[str, Any], question: Question, value: Any) -> None:
    kind = question.kind
    if kind == FLAG:
        if value:
            _put(request, question.path.rpartition(".")[0], None)  # open-ended: contract_end is null
        return
    if kind == MULTI:
        _put(request, question.path, list(value or ()))
        return
    if value is None or value == "":
        return
    if kind == NONE_CHOICE and value == NONE:
        _put(request, question.null_path or question.path, None)
    elif kind == NUMBER_CHOICE:
        _put(request, question.path, int(value))
    elif kind == YES_NO:
        _put(request, question.path, value == "yes")
    else:
        _put(request, question.path, value)


def _put(tree: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in nested dicts; a numeric last part is a year key (`unit.annual_tax.2023`)."""
    *parents, leaf = path.split(".")
    node = tree
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[int(leaf) if leaf.isdigit() else leaf] = value


def anchor(question: Question) -> str:
    """The id of the first control of a question (what an error summary links to)."""
    if question.kind in (YES_NO, MULTI):
        return f"id_{question.name}_0"
    return f"id_{question.name}"
