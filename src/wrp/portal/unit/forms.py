"""The unit handler's forms. Shape only: the services validate the facts, and their refusals come back next to the
fields (`wrp.portal.common.refusals.form_add_refusal`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wrp.core.errors import Invalid
from wrp.policy.codes import District, Qualification, UnitKind
from wrp.portal.common.presenters import choices
from wrp.units.models import Unit
from wrp.units.services import clean_credit_code


def money(value: str) -> str:
    """Yuan as typed (「5,000,000」, 「5000000 元」), normalised for the service; empty stays empty."""
    text = (value or "").replace(",", "").replace("，", "").replace("元", "").replace(" ", "")
    if text:
        try:
            Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("请填写金额（元），例如 5,000,000")) from None
    return text


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitRegisterForm(forms.Form):
    credit_code = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=40,
                                  help_text=gettext_lazy("18 位，见营业执照"))
    name = forms.CharField(label=gettext_lazy("单位名称"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("单位类型"))
    legal_person = forms.ChoiceField(label=gettext_lazy("是否具有法人资格"), widget=forms.RadioSelect,
                                     choices=[("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))])
    registered_district = forms.ChoiceField(label=gettext_lazy("工商注册地"))
    tax_district = forms.ChoiceField(label=gettext_lazy("纳税地"))
    tax_paid_since = forms.DateField(label=gettext_lazy("在朝阳区纳税起始日"), required=False, widget=DATE_WIDGET,
                                     help_text=gettext_lazy("年-月-日；未在朝阳区纳税可不填"))
    registered_capital = forms.CharField(label=gettext_lazy("注册资本（元）"), help_text=gettext_lazy("例如 5,000,000"))
    qualifications = forms.MultipleChoiceField(label=gettext_lazy("单位资质"), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    account_elsewhere = forms.ChoiceField(
        label=gettext_lazy("在其他区已开立的工作居住证账户"), required=False,
        help_text=gettext_lazy("单位已在北京市其他区开户的，请选择开户所在区：登记后办理跨区信息变更，不能再次开户。"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices(UnitKind)
        self.fields["account_elsewhere"].choices = [("", _("没有，尚未在任何区开户"))] + [
            (code, name) for code, name in choices(District) if code != District.CHAOYANG]
        self.fields["registered_district"].choices = choices(District)
        self.fields["tax_district"].choices = choices(District)
        self.fields["qualifications"].choices = choices(Qualification)
        self.tax_years = [today.year - n for n in (3, 2, 1)]
        for year in self.tax_years:
            self.fields[f"annual_tax_{year}"] = forms.CharField(
                label=_("%(year)s 年纳税额（元）") % {"year": year}, required=False)

    def clean_credit_code(self) -> str:
        try:
            return clean_credit_code(self.cleaned_data["credit_code"])
        except Invalid as invalid:
            raise forms.ValidationError(invalid.messages()["credit_code"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ["registered_capital", *(f"annual_tax_{year}" for year in self.tax_years)]:
            try:
                data[name] = money(data.get(name, ""))
            except forms.ValidationError as error:
                self.add_error(name, error)
        return data

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "credit_code": data["credit_code"], "name": data["name"], "kind": data["kind"],
            "legal_person": data["legal_person"] == "yes", "registered_district": data["registered_district"],
            "tax_district": data["tax_district"], "tax_paid_since": data["tax_paid_since"],
            "registered_capital": data["registered_capital"], "qualifications": list(data["qualifications"]),
            "annual_tax": {str(y): data[f"annual_tax_{y}"] for y in self.tax_years if data.get(f"annual_tax_{y}")},
            "account_elsewhere": data.get("account_elsewhere") or None,
        }


class QuotaRequestForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("单位"))
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    requested = forms.IntegerField(label=gettext_lazy("申报数量"), min_value=1, max_value=1_000_000,
                                   help_text=gettext_lazy("该年度计划新办工作居住证的人数"))
    reason = forms.CharField(label=gettext_lazy("申报理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("例如引进人才的岗位和人数"))

    def __init__(self, *args: Any, units: list[Unit], years: tuple[int, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(unit.credit_code, unit.name) for unit in units]
        self.fields["year"].choices = [(year, str(year)) for year in years]


class DepartureForm(forms.Form):
    """登记离职日期 on an employee's row: the date only (the service refuses a future or malformed one)."""

    left_on = forms.DateField(label=gettext_lazy("离职日期"), widget=DATE_WIDGET)


class ReleaseForm(forms.Form):
    left_on = forms.DateField(label=gettext_lazy("离职日期"), widget=DATE_WIDGET,
                              help_text=gettext_lazy("年-月-日，员工离职的日期"))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_left_on(self) -> date:
        left_on = self.cleaned_data["left_on"]
        if left_on > self.today:
            raise forms.ValidationError(_("离职日期不能晚于今天"))
        return left_on
