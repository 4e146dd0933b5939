"""The bureau's 好差评 page: the ratings of a period (each level's count and the share satisfied), the 差评 waiting
for a call-back, oldest first, and those already called back; and the page on which an approver records the
call-back (the day, who was spoken to, what was said) that closes a follow-up, through `rating_follow_up_close`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from wrp.cases.models import RatingFollowUp, RatingParty
from wrp.cases.ratings import (
    CLOSED_ORDER,
    SPOKE_WITH_MAX,
    SUMMARY_MAX,
    rating_follow_up_close,
    rating_follow_up_for,
    rating_follow_ups_shown,
    rating_summary,
)
from wrp.core.errors import Invalid, NotFound, ServiceError
from wrp.core.keyset import KeysetPage
from wrp.portal.bureau.views import approver_only
from wrp.portal.common.presenters import PAGE_SIZE, keyset_listing, mask_name
from wrp.portal.common.refusals import form_add_refusal, refusal_text

OPEN_SHOWN = 50  # the follow-ups waiting longest, shown a page at most (the others once these are called back)
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=DATE_WIDGET, required=False,
                            error_messages={"invalid": _("请填写有效的日期。")})
    end = forms.DateField(label=_("截止日期"), widget=DATE_WIDGET, required=False,
                          error_messages={"invalid": _("请填写有效的日期。")})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", gettext("截止日期不能早于起始日期。"))
        return data


class CallBackForm(forms.Form):
    called_on = forms.DateField(label=_("回访日期"), widget=DATE_WIDGET,
                                error_messages={"required": _("请填写回访日期。"), "invalid": _("请填写有效的日期。")})
    spoke_with = forms.CharField(label=_("回访对象"), max_length=SPOKE_WITH_MAX,
                                 help_text=_("接听回访的人及其身份，如“申请人本人”“单位经办人王某”。"),
                                 error_messages={"required": _("请填写回访对象。")})
    summary = forms.CharField(label=_("回访情况"), max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("对方反映的问题、作出的说明和处理结果。"),
                              error_messages={"required": _("请记录回访情况。")})


def _period(request: HttpRequest) -> tuple[PeriodForm, tuple[date, date]]:
    """The period the summary covers: as asked, else from the first of this month to today."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today.replace(day=1), today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if start > end:
            start, end = today.replace(day=1), today
    if not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    return form, (start, end)


def rater_name(follow_up: RatingFollowUp) -> str:
    """Who rated, as lists show people: the applicant's masked name, or the unit's name."""
    rating = follow_up.rating
    if rating.party == RatingParty.UNIT:
        return rating.case.unit.name
    return mask_name(rating.rated_by.real_name or rating.rated_by.username)


def _rows(follow_ups: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {"follow_up": follow_up, "rating": follow_up.rating, "case": follow_up.rating.case,
         "rater": rater_name(follow_up), "days_open": (today - timezone.localtime(follow_up.opened_at).date()).days}
        for follow_up in follow_ups
    ]


@approver_only
@require_safe
def bureau_rating_follow_ups(request: HttpRequest) -> HttpResponse:
    period_form, period = _period(request)
    # the open follow-ups waiting longest and a page of the call-backs made, by keyset (`?after=`) and uncounted, read
    # in one query: the page is the frame, the period's figures and that, in the same queries however many there are
    waiting: list[RatingFollowUp] = []

    def fetch(cursor: str | None) -> KeysetPage:
        page, waiting[:] = rating_follow_ups_shown(request.user, after=cursor, size=PAGE_SIZE, waiting=OPEN_SHOWN + 1)
        return page

    closed = keyset_listing(request, RatingFollowUp.objects.none(), order=CLOSED_ORDER, fetch=fetch, counted=False)
    context = {
        "period_form": period_form,
        "stats": rating_summary(period),
        "open_rows": _rows(waiting[:OPEN_SHOWN]), "more_open": len(waiting) > OPEN_SHOWN, "open_shown": OPEN_SHOWN,
        "closed_rows": _rows(closed.items),
        "listing": closed,
    }
    return render(request, "portal/bureau/follow_ups.html", context)


def _follow_up_or_404(request: HttpRequest, pk: int) -> RatingFollowUp:
    try:
        return rating_follow_up_for(request.user, pk)
    except NotFound:
        raise Http404("not found") from None


@approver_only
@require_http_methods(["GET", "POST"])
def bureau_rating_follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _follow_up_or_404(request, pk)
    form = CallBackForm(request.POST or None, initial={"called_on": timezone.localdate()})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            rating_follow_up_close(follow_up=follow_up, actor=request.user, **form.cleaned_data)
        except Invalid as error:
            form_add_refusal(form, error)
        except ServiceError as error:
            refusal = refusal_text(error)
        else:
            messages.success(request, gettext("已记录回访，该差评回访事项已办结。"))
            return redirect("portal:bureau_rating_follow_ups")
    context = {"follow_up": follow_up, "rating": follow_up.rating, "case": follow_up.rating.case,
               "rater": rater_name(follow_up), "form": form, "refusal": refusal}
    status = 422 if request.method == "POST" else 200
    return render(request, "portal/bureau/follow_up_close.html", context, status=status)
