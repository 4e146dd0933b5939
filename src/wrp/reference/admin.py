"""Admin pages for the reference data; saving goes through the services (checked and audited)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.core.errors import Forbidden, Invalid
from wrp.reference.models import HolidayNotice, WageRow
from wrp.reference.services import holiday_notice_check, holiday_notice_save, wage_row_save


def _dates(text: str, field: str) -> list[date]:
    out = []
    for token in text.replace(",", " ").replace("，", " ").split():
        try:
            out.append(date.fromisoformat(token))
        except ValueError:
            raise ValidationError({field: format_lazy(_("不是日期：{token}（YYYY-MM-DD）"), token=token)}) from None
    return out


class HolidayNoticeForm(forms.ModelForm):
    holidays_text = forms.CharField(label=_("放假日期（每行一个，YYYY-MM-DD）"), widget=forms.Textarea, required=False)
    workdays_text = forms.CharField(label=_("调休上班日期（周末，每行一个）"), widget=forms.Textarea, required=False)

    class Meta:
        model = HolidayNotice
        fields = ["year", "source", "published"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["holidays_text"].initial = "\n".join(self.instance.holidays)
            self.fields["workdays_text"].initial = "\n".join(self.instance.workdays)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["holidays"] = _dates(data.get("holidays_text", ""), "holidays_text")
        data["workdays"] = _dates(data.get("workdays_text", ""), "workdays_text")
        if data.get("year") and data.get("source"):
            try:
                holiday_notice_check(year=data["year"], source=data["source"], published=data.get("published"),
                                     holidays=data["holidays"], workdays=data["workdays"])
            except Invalid as error:
                raise ValidationError(list(error.messages().values())) from None
        return data


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    form = HolidayNoticeForm
    list_display = ("year", "source", "published", "updated_at")

    def save_model(self, request: HttpRequest, obj: HolidayNotice, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            saved = holiday_notice_save(actor=request.user, year=data["year"], source=data["source"],
                                        published=data.get("published"), holidays=data["holidays"],
                                        workdays=data["workdays"])
        except Invalid as error:
            raise ValidationError(list(error.messages().values())) from None
        except Forbidden as error:
            raise ValidationError(str(error)) from None
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WageRow)
class WageRowAdmin(admin.ModelAdmin):
    list_display = ("year", "monthly", "published", "source")

    def save_model(self, request: HttpRequest, obj: WageRow, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = wage_row_save(actor=request.user, year=data["year"], monthly=data["monthly"],
                              published=data["published"], source=data["source"])
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
