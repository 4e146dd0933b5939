"""The 附件3 form (房屋借住声明's particulars) on the applicant's and the unit's pages, and its panel on the case page.

One form for both roles, checked by the domain's rules (`wrp.cases.housing_loan.housing_loan_check`), each error
under its field. What differs is the owner's resident ID number: the applicant (who gave it and signs the
declaration) sees and edits it whole; the unit handler sees it masked and may type a new one — left empty, the one
recorded is kept. The number is posted, never put in an address, and never written back into a page it was not typed
into.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wrp.cases.housing_loan import (
    PARTS,
    PREFIX,
    Relationship,
    housing_loan_applies,
    housing_loan_check,
    housing_loan_normalised,
    particulars_shown_to,
)
from wrp.cases.models import Case
from wrp.cases.services import case_update_answers
from wrp.cases.workflow import allowed_actions
from wrp.core.errors import Invalid, ServiceError
from wrp.portal.common.access import case_or_404
from wrp.portal.common.refusals import form_add_refusal
from wrp.public.forms import DATE_FORMATS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def sees_whole_id(viewer: Any, case: Case) -> bool:
    """The applicant (who gave it and signs the declaration) sees the owner's ID number whole; everyone else masked —
    the staff through the case page's reveal (`wrp.cases.reveal`), an audit event each time (issue 11 §2)."""
    return viewer.pk == getattr(case, "applicant_id", None)


class HousingLoanForm(forms.Form):
    """附件3's five particulars; each may stay empty (a blank to write by hand on the printed declaration)."""

    since = forms.DateField(
        label=gettext_lazy("借住开始日期"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS,
        help_text=gettext_lazy("开始借住的日期，不能晚于今天。"),
        error_messages={"invalid": gettext_lazy("日期格式应为 年-月-日，例如 2024-03-01。")},
    )
    address = forms.CharField(
        label=gettext_lazy("借住地址"), required=False, max_length=200,
        help_text=gettext_lazy("详细住址，精确至门牌号，例如“朝阳区将台路5号院15号楼1201室”。"),
    )
    owner_name = forms.CharField(label=gettext_lazy("房主姓名"), required=False, max_length=50)
    owner_id_number = forms.CharField(
        label=gettext_lazy("房主身份证号"), required=False, max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    relationship = forms.ChoiceField(
        label=gettext_lazy("与房主的关系"), required=False,
        choices=[("", gettext_lazy("请选择")), *Relationship.choices],
        help_text=gettext_lazy("本人与房主的亲友关系。"),
    )

    def __init__(self, *args: Any, recorded: dict[str, Any], whole_id: bool, **kwargs: Any) -> None:
        shown = particulars_shown_to(recorded, whole_id=whole_id)
        self.recorded = housing_loan_normalised(recorded) if isinstance(recorded, dict) else {}
        self.whole_id = whole_id
        initial = {part: shown.get(part, "") for part in PARTS}
        if not whole_id:
            initial["owner_id_number"] = ""  # the masked form is help text, never a value to post back
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        if whole_id:
            self.fields["owner_id_number"].help_text = gettext_lazy("18位公民身份号码。")
        elif shown.get("owner_id_number"):
            self.fields["owner_id_number"].help_text = _(
                "已填写：%(masked)s。如需更正请重新输入完整号码，留空则保留原号码。") % {"masked": shown["owner_id_number"]}
        else:
            self.fields["owner_id_number"].help_text = gettext_lazy("18位公民身份号码。")

    def particulars(self) -> dict[str, str]:
        """The particulars as the case stores them (`answers.housing_loan`)."""
        data = self.cleaned_data
        raw = {part: (data.get(part) or "") for part in PARTS}
        raw["since"] = data["since"].isoformat() if data.get("since") else ""
        if not self.whole_id and not str(raw["owner_id_number"]).strip():
            raw["owner_id_number"] = self.recorded.get("owner_id_number", "")
        return housing_loan_normalised({part: str(value) for part, value in raw.items()})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data

        def add(path: str, message: Any, _code: str) -> None:
            part = path.removeprefix(PREFIX + ".")
            self.add_error(part if part in self.fields else None, message)

        housing_loan_check(self.particulars(), add)
        return data


def housing_loan_panel(case: Case, viewer: Any) -> dict[str, Any]:
    """What the case page shows of 附件3: whether it applies, the recorded particulars (masked ID for whom it is
    not), and whether this viewer may change them."""
    if not housing_loan_applies(case):
        return {"applies": False}
    whole_id = sees_whole_id(viewer, case)
    shown = particulars_shown_to(case.answers.get("housing_loan"), whole_id=whole_id)
    relationship_words = dict(Relationship.choices)
    rows = [
        {"label": HousingLoanForm.base_fields[part].label,
         "value": str(relationship_words.get(shown[part], shown[part])) if part == "relationship" and part in shown
         else shown.get(part, ""),
         "mono": part == "owner_id_number"}
        for part in PARTS
    ]
    return {"applies": True, "rows": rows, "complete": all(shown.get(part) for part in PARTS),
            "editable": "edit" in allowed_actions(case, viewer)}


def housing_loan_page(request: HttpRequest, public_id: str, *, template: str) -> HttpResponse:
    """The form of one case (GET) and its saving (POST), through `case_update_answers` like every answer."""
    case = case_or_404(request, public_id)
    if not housing_loan_applies(case) or "edit" not in allowed_actions(case, request.user):
        raise Http404("no housing loan declaration to fill in")
    whole_id = sees_whole_id(request.user, case)
    recorded = case.answers.get("housing_loan") or {}
    form = HousingLoanForm(request.POST if request.method == "POST" else None, recorded=recorded, whole_id=whole_id)
    if request.method == "POST" and form.is_valid():
        answers = {key: value for key, value in case.answers.items() if key != "housing_loan"}
        particulars = form.particulars()
        if particulars:
            answers["housing_loan"] = particulars
        try:
            case_update_answers(case=case, actor=request.user, answers=answers)
        except Invalid as error:
            for path, message in error.messages().items():
                part = path.removeprefix(PREFIX + ".")
                form.add_error(part if part in form.fields else None, message)
        except ServiceError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("已保存房屋借住声明（附件3）的信息。"))
            return redirect("portal:case", case.public_id)
    return render(request, template, {"case": case, "form": form}, status=422 if form.errors else 200)

