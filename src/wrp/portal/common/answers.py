"""The one answers form: what a case carries itself (`Case.answers`), built from its kind's schema
(`wrp.cases.kinds.KindSpec.answers`, the same schema the service checks).

Each `AnswerField` the pages ask becomes its form fields: the children as rows of name and case, the new housing as
its kind and the lease's end, the new name, hukou or degree as one field each. `housing_loan` (附件3's particulars,
for the printed document only) is not asked here. Shape only: the policy checks the values at submission.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from wrp.cases.kinds import AnswerField, KindSpec
from wrp.policy.codes import RENTED_HOUSING
from wrp.portal.common.presenters import choices
from wrp.public.forms import DATE_FORMATS

CHILD_ROWS = 3
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AnswersForm(forms.Form):
    """The answers of one kind of case, initially those already given (`answers`)."""

    def __init__(self, *args: Any, kind: KindSpec, answers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.asked = {field.name: field for field in kind.answers if field.name in ASKED}
        # A case that carries nothing but its children (a children change) must name at least one.
        self.children_required = [field.name for field in kind.answers] == ["children"]
        self.rows = 0
        for name, field in self.asked.items():
            ASKED[name](self, field, answers or {})

    @property
    def children(self) -> bool:
        return "children" in self.asked

    def _children(self, field: AnswerField, answers: dict[str, Any]) -> None:
        given = list(answers.get("children") or [])
        child_cases = [("", _("请选择")), *choices(field.choices)]
        self.rows = max(CHILD_ROWS, len(given))
        for index in range(self.rows):
            child = given[index] if index < len(given) else {}
            self.fields[f"child_{index}_name"] = forms.CharField(
                label=_("子女 %(n)s 姓名") % {"n": index + 1}, required=False, max_length=50, initial=child.get("name"))
            self.fields[f"child_{index}_case"] = forms.ChoiceField(
                label=_("子女 %(n)s 情形") % {"n": index + 1}, required=False, choices=child_cases,
                initial=child.get("case"))

    def _housing(self, field: AnswerField, answers: dict[str, Any]) -> None:
        housing = answers.get("housing") or {}
        self.fields["housing_kind"] = forms.ChoiceField(label=field.label, choices=choices(field.choices),
                                                        initial=housing.get("kind"))
        self.fields["lease_end"] = forms.DateField(
            label=_("租赁合同到期日"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS,
            initial=housing.get("lease_end"), help_text=_("租住房屋时必填，须在申请日后至少6个月"))

    def _real_name(self, field: AnswerField, answers: dict[str, Any]) -> None:
        self.fields["real_name"] = forms.CharField(label=field.label, required=False, max_length=100,
                                                   initial=answers.get("real_name"), help_text=_("姓名未变更可不填"))

    def _hukou(self, field: AnswerField, answers: dict[str, Any]) -> None:
        self.fields["hukou"] = forms.ChoiceField(label=field.label, required=False,
                                                 choices=[("", _("未变更")), *choices(field.choices)],
                                                 initial=answers.get("hukou"))

    def _degree(self, field: AnswerField, answers: dict[str, Any]) -> None:
        self.fields["degree"] = forms.ChoiceField(label=field.label, choices=choices(field.choices),
                                                  initial=answers.get("degree"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.children:
            for index in range(self.rows):
                name, case = (data.get(f"child_{index}_name") or "").strip(), data.get(f"child_{index}_case")
                if name and not case:
                    self.add_error(f"child_{index}_case", _("请选择该子女的情形"))
                if case and not name:
                    self.add_error(f"child_{index}_name", _("请填写该子女的姓名"))
            if self.children_required and not self.errors and not self._named_children(data):
                self.add_error("child_0_name", _("随往人员变更至少填写一名子女"))
        if "housing" in self.asked and data.get("housing_kind") in RENTED_HOUSING and not data.get("lease_end"):
            self.add_error("lease_end", _("租住房屋须填写租赁合同到期日"))
        if "real_name" in self.asked and "hukou" in self.asked and not (
            (data.get("real_name") or "").strip() or data.get("hukou")
        ):
            self.add_error("real_name", _("请填写新姓名或选择新户籍情况"))
        return data

    def _named_children(self, data: dict[str, Any]) -> list[dict[str, str]]:
        return [{"name": data[f"child_{i}_name"].strip(), "case": data[f"child_{i}_case"]}
                for i in range(self.rows) if (data.get(f"child_{i}_name") or "").strip() and data.get(f"child_{i}_case")]

    def answers(self) -> dict[str, Any]:
        """The answers in the shape of `Case.answers`."""
        data, out = self.cleaned_data, {}
        if self.children:
            out["children"] = self._named_children(data)
        if "housing" in self.asked:
            rented = data["housing_kind"] in RENTED_HOUSING
            lease_end = data.get("lease_end") if rented else None
            out["housing"] = {"kind": data["housing_kind"], "lease_end": lease_end.isoformat() if lease_end else None}
        for name in ("real_name", "hukou", "degree"):
            if name in self.asked and (value := (data.get(name) or "").strip()):
                out[name] = value
        return out


ASKED = {
    "children": AnswersForm._children,
    "housing": AnswersForm._housing,
    "real_name": AnswersForm._real_name,
    "hukou": AnswersForm._hukou,
    "degree": AnswersForm._degree,
}
