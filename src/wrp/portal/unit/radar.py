"""The unit handler's expiry radar (到期预警, issue 10 §4): every employee's permit with its days to expiry, its
renewal-window state, the holder's open cases and the next step, filtered and sorted by a GET form; permits in their
window are ticked and one button opens their renewal drafts, after a confirmation in the page that states the
consequence (works without JavaScript: three plain form posts — choose, confirm, done)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.cases.radar import DEFAULT_SORT, SORTS, WINDOW_STATES, WINDOW_WORDS, radar_rows
from wrp.cases.renewals import anew_reason_words, renewal_drafts_open
from wrp.core.errors import ServiceError
from wrp.portal.common.access import unit_or_404
from wrp.portal.common.refusals import refusal_text
from wrp.portal.unit.views import handler_only
from wrp.units.selectors import units_handled_by

SORT_WORDS = {"days": _("剩余天数（由少到多）"), "-days": _("剩余天数（由多到少）"), "name": _("姓名")}


class RadarFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("单位"), required=False)
    window = forms.ChoiceField(label=_("续签期状态"), required=False)
    sort = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(self, data: Any, *, units: list[Any]) -> None:
        super().__init__(data)
        self.fields["unit"].choices = [(unit.credit_code, unit.name) for unit in units]
        self.fields["window"].choices = [("", _("全部")), ("in_window", _("可续签（续签期内）")),
                                         *((state, WINDOW_WORDS[state]) for state in WINDOW_STATES)]
        self.fields["sort"].choices = list(SORT_WORDS.items())

    def value(self, name: str, default: str = "") -> str:
        """A field's clean value (each on its own: a bad one does not void the others), else `default`."""
        self.is_valid()
        return self.cleaned_data.get(name) or default


@handler_only
def unit_radar(request: HttpRequest) -> HttpResponse:
    """GET: the radar. POST: the ticked permits — first the confirmation, then (confirm=yes) the drafts."""
    user, today = request.user, timezone.localdate()
    units = list(units_handled_by(user).order_by("name"))
    source = request.POST if request.method == "POST" else request.GET
    form = RadarFilterForm({k: source.get(k, "") for k in ("unit", "window", "sort")}, units=units)
    if not units:
        return render(request, "portal/unit/radar.html", {"form": form, "rows": [], "units": units})
    unit = unit_or_404(request, source.get("unit") or units[0].credit_code)  # another unit's: 404
    window, sort = form.value("window"), form.value("sort", DEFAULT_SORT)
    context: dict[str, Any] = {"form": form, "unit": unit, "units": units, "today": today, "window": window,
                               "sort": sort if sort in SORTS else DEFAULT_SORT}
    status = 200
    if request.method == "POST":
        chosen = request.POST.getlist("permits")
        rows = radar_rows(user=user, unit=unit, today=today, numbers=chosen)
        by_number = {row.permit.number: row for row in rows}
        if not chosen:
            context["refusal"], status = _("请至少选择一个证件。"), 422
        elif any(number not in by_number or not by_number[number].selectable for number in chosen):
            context["refusal"], status = _("所选证件中有不在续签期内或已有续签申请的，请重新选择。"), 422
        elif request.POST.get("confirm") != "yes":
            context["confirm"] = [by_number[number] for number in chosen]
        else:
            try:
                cases = renewal_drafts_open(actor=user, permits=[by_number[number].permit for number in chosen])
            except ServiceError as error:
                context["refusal"], status = refusal_text(error), 422
            else:
                context["opened"] = [_opened(case) for case in cases]
        context["chosen"] = chosen
    context["rows"] = radar_rows(user=user, unit=unit, today=today, window=window, sort=context["sort"])
    return render(request, "portal/unit/radar.html", context, status=status)


def _opened(case: Any) -> dict[str, Any]:
    plan = getattr(case, "prefill", None) or {}
    return {"case": case, "reused": plan.get("reused", []),
            "anew": [{"code": row["code"], "reason": anew_reason_words(row["reason"])} for row in plan.get("anew", [])]}
