"""The one answers form: what a case carries itself (`Case.answers`), built from its kind's schema
(`wrp.cases.kinds.KindSpec.answers`, the same schema the service checks).

Each `AnswerField` the pages ask becomes its form fields: the children as rows of name and case, the new housing as
its kind, the lease's end and the address, the new name, hukou or degree as one field each. `housing_loan` (附件3's
particulars, for the printed document only) is not asked here.

A children change lists the children the permit carries after it. Given the applicant, the form shows the children
their permit carries now, each with a box to tick to remove it, and empty rows for the children to add; the answers
are the children kept followed by those added. What a change cannot go without (at least one child after it, a
change at all, the new home, the new degree) is checked by the service's own check (`wrp.cases.facts.change_check`),
its refusals placed next to the fields here; the policy checks the values at submission.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from wrp.cases.facts import change_check
from wrp.cases.kinds import AnswerField, KindSpec
from wrp.permits.selectors import permit_of
from wrp.policy.codes import RENTED_HOUSING, ChildCase
from wrp.portal.common.presenters import choices
from wrp.public.forms import DATE_FORMATS

CHILD_ROWS = 3
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Where the service's check names a missing answer, the field it goes next to (removing the last child: its box).
CHANGE_FIELDS = {
    "answers.children": "child_0_name",
    "answers.housing": "housing_kind",
    "answers.housing.kind": "housing_kind",
    "answers.housing.lease_end": "lease_end",
    "answers.housing.address": "housing_address",
    "answers.degree": "degree",
}


def _pair(child: dict[str, Any]) -> tuple[str, Any]:
    return str(child.get("name") or "").strip(), child.get("case")


class AnswersForm(forms.Form):
    """The answers of one kind of case, initially those already given (`answers`); `applicant` (whose case it is)
    lets a children change show the children on their permit, to keep or remove."""

    def __init__(self, *args: Any, kind: KindSpec, answers: dict[str, Any] | None = None, applicant: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.applicant = applicant
        self.asked = {field.name: field for field in kind.answers if field.name in ASKED}
        # A children change names the children after it (kinds.CHANGED_CHILDREN): at least one.
        self.children_required = any(field.name == "children" and field.needed for field in kind.answers)
        self.current: list[dict[str, str]] = []  # the children the permit carries now (a children change)
        if self.children_required and applicant is not None and (permit := permit_of(applicant)) is not None:
            self.current = [{"name": child.name, "case": child.case}
                            for child in permit.children.order_by("added_on", "id")]
        self.rows = 0
        for name, field in self.asked.items():
            ASKED[name](self, field, answers or {})

    @property
    def children(self) -> bool:
        return "children" in self.asked

    def removal_fields(self) -> list[forms.BoundField]:
        """The boxes to remove a child the permit carries now."""
        return [self[f"remove_{index}"] for index in range(len(self.current))]

    def child_fields(self) -> list[forms.BoundField]:
        """The rows of children to name (all the children, or those to add when the permit already has some)."""
        return [self[name] for name in self.fields if name.startswith("child_")]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(("child_", "remove_"))]

    def _children(self, field: AnswerField, answers: dict[str, Any]) -> None:
        given = [child for child in answers.get("children") or [] if isinstance(child, dict)]
        left = list(given)
        for index, child in enumerate(self.current):
            kept = _pair(child) in [_pair(row) for row in left]
            if kept:
                left.remove(next(row for row in left if _pair(row) == _pair(child)))
            self.fields[f"remove_{index}"] = forms.BooleanField(
                label=_("删除 %(name)s（%(case)s）") % {"name": child["name"] or _("姓名未登记"),
                                                      "case": dict(choices(ChildCase)).get(child["case"], "")},
                required=False, initial="children" in answers and not kept)
        new = left if self.current else given
        child_cases = [("", _("请选择")), *choices(field.choices)]
        self.rows = max(CHILD_ROWS, len(new))
        for index in range(self.rows):
            child = new[index] if index < len(new) else {}
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
        if "address" in field.parts:
            self.fields["housing_address"] = forms.CharField(
                label=_("新居住地址"), max_length=200, initial=housing.get("address"),
                help_text=_("详细地址，精确至门牌号，例如“朝阳区将台路5号院15号楼1201室”"))

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
        if "housing" in self.asked and data.get("housing_kind") in RENTED_HOUSING and not data.get("lease_end"):
            self.add_error("lease_end", _("租住房屋须填写租赁合同到期日"))
        if "real_name" in self.asked and "hukou" in self.asked and not (
            (data.get("real_name") or "").strip() or data.get("hukou")
        ):
            self.add_error("real_name", _("请填写新姓名或选择新户籍情况"))
        if not self.errors:
            change_check(self.kind, self.answers(), self.applicant, self._change_refused, with_profile=False)
        return data

    def _change_refused(self, path: str, message: Any, code: str) -> None:
        """A refusal of the service's check, next to its field."""
        where = "remove_0" if code == "last_child" and self.current else CHANGE_FIELDS.get(path)
        self.add_error(where if where in self.fields else None, message)

    def _named_children(self, data: dict[str, Any]) -> list[dict[str, str]]:
        return [{"name": data[f"child_{i}_name"].strip(), "case": data[f"child_{i}_case"]}
                for i in range(self.rows) if (data.get(f"child_{i}_name") or "").strip() and data.get(f"child_{i}_case")]

    def answers(self) -> dict[str, Any]:
        """The answers in the shape of `Case.answers`."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        if self.children:
            kept = [dict(child) for index, child in enumerate(self.current) if not data.get(f"remove_{index}")]
            out["children"] = kept + self._named_children(data)
        if "housing" in self.asked:
            rented = data["housing_kind"] in RENTED_HOUSING
            lease_end = data.get("lease_end") if rented else None
            out["housing"] = {"kind": data["housing_kind"], "lease_end": lease_end.isoformat() if lease_end else None}
            if (address := (data.get("housing_address") or "").strip()):
                out["housing"]["address"] = address
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
