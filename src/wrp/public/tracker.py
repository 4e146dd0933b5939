"""The public case tracker (`/track/`, URL name `public:track`): where a case stands, for anyone holding its number.

The case number and the last four characters of the applicant's resident ID number (or of the unit's credit code,
for a unit item) show the stage, the working-day clock and its due date, the last step taken and, while the case is
returned, which materials the correction notice names — nothing personal beyond a masked name. The pair is checked
by `wrp.cases.selectors.case_tracked` (constant-time, from the stored mask, no decryption); a wrong pair answers the
same "not found" as an unknown number. The form is posted (the four characters never go in an address), works
without JavaScript, and a `?case=` in the address fills in the number (the notifications link here with it).

Too many pairs that find nothing from one client address, in a minute or in an hour (`RATE_LIMIT_TRACK_MISSES`,
`RATE_LIMIT_TRACK_MISSES_LONG`, counted by `wrp.core.ratelimit`), and that address is refused (429) for the rest of
the window, whatever it asks — so a right pair cannot be told apart then either. Every lookup
is written to the audit trail without personal data: the number asked for and the outcome, never the characters.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from wrp.audit.services import audit_record
from wrp.cases import clock
from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseState
from wrp.cases.selectors import case_events, case_tracked
from wrp.core.clientaddr import client_address
from wrp.core.language import page_language
from wrp.core.ratelimit import limit_hit, limit_peek
from wrp.permits.verification import masked_name

MISSES = "public:track-miss"
NUMBER_SHAPE = re.compile(r"^[A-Z0-9]{6,20}$")
LAST4_SHAPE = re.compile(r"^[0-9A-Z]{4}$")


class TrackForm(forms.Form):
    case_number = forms.CharField(
        label=_("案件编号"), max_length=20, help_text=_("见提交回执或通知，例如 C2611ABCD2345。"),
        error_messages={"required": _("请填写案件编号。"), "max_length": _("案件编号不超过 20 位。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    last4 = forms.CharField(
        label=_("证件号码后四位"), max_length=4,
        help_text=_("个人事项填申请人身份证号码的后四位，单位事项填单位统一社会信用代码的后四位。"),
        error_messages={"required": _("请填写证件号码后四位。"), "max_length": _("请填写四位字符。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": "6",
                                      "autocapitalize": "characters", "class": "mono"}),
    )

    def clean_case_number(self) -> str:
        number = self.cleaned_data["case_number"].strip().upper()
        if not NUMBER_SHAPE.match(number):
            raise forms.ValidationError(_("案件编号由字母和数字组成。"), code="case_number_shape")
        return number

    def clean_last4(self) -> str:
        last4 = self.cleaned_data["last4"].strip().upper()
        if not LAST4_SHAPE.match(last4):
            raise forms.ValidationError(_("请填写四位字符（数字或字母）。"), code="last4_shape")
        return last4


# --- the rate limit ---------------------------------------------------------------------------------------------------


def _rates() -> tuple[str, str]:
    return settings.RATE_LIMIT_TRACK_MISSES, settings.RATE_LIMIT_TRACK_MISSES_LONG


def _retry_after(request: HttpRequest) -> int | None:
    """Seconds until this address may look again, or None when it may now."""
    address = client_address(request)
    waits = [decision.retry_after for decision in (limit_peek(MISSES, address, rate=rate) for rate in _rates())
             if not decision.allowed]
    return max(waits) if waits else None


def _count_miss(request: HttpRequest) -> None:
    address = client_address(request)
    for rate in _rates():
        limit_hit(MISSES, address, rate=rate)


# --- the audit trail --------------------------------------------------------------------------------------------------


def _log(*, outcome: str, case: Case | None = None, number: str = "") -> None:
    """One audit event per lookup: what was asked and how it ended (no address, never the four characters)."""
    audit_record(actor=None, action="case.tracked", obj=case, object_type="cases.case", outcome=outcome,
                 changes={"case_number": number} if number else {})


def _log_limited(request: HttpRequest) -> None:
    """A refused address is logged once a minute, not once per request (a flood must not flood the trail)."""
    if limit_hit("public:track-limited-logged", client_address(request), rate="1/m").allowed:
        _log(outcome="limited")


# --- the page ---------------------------------------------------------------------------------------------------------


def _masked_unit(name: str) -> str:
    """北京甲科技有限公司 → 北京***有限公司: enough to recognise one's own unit, not to look it up."""
    name = (name or "").strip()
    if len(name) <= 4:
        return masked_name(name)
    keep_end = 4 if len(name) > 8 else 2
    return name[:2] + "*" * (len(name) - 2 - keep_end) + name[-keep_end:]


def _correction(case: Case) -> dict[str, Any] | None:
    """While returned: the materials the open correction notice names (titles only) and how many other points."""
    if case.state != CaseState.RETURNED:
        return None
    notice = case.notices.filter(answered_at__isnull=True).order_by("-issued_at", "-id").first()
    if notice is None:
        return None
    problems = notice.problems if isinstance(notice.problems, list) else []
    materials = list(dict.fromkeys(p["material"] for p in problems if isinstance(p, dict) and p.get("material")))
    return {"issued_at": notice.issued_at, "materials": materials, "others": len(problems) - sum(
        1 for p in problems if isinstance(p, dict) and p.get("material"))}


def tracked_case(case: Case) -> dict[str, Any]:
    """What the tracker shows of a case: no personal data beyond a masked name."""
    kind = kind_of(case)
    title_zh, title_en = kind.title
    applicant = case.applicant if case.applicant_id else None
    name = masked_name(getattr(applicant, "real_name", "")) if kind.personal else _masked_unit(case.unit.name)
    return {
        "public_id": case.public_id,
        "title": title_en if page_language() == "en" else title_zh,
        "personal": kind.personal,
        "name": name or "—",
        "state": case.state,
        "clock": clock.view(case, today=timezone.localdate()),
        "last_event": case_events(case).last(),
        "correction": _correction(case),
        "decided_on": timezone.localtime(case.decided_at).date() if case.decided_at else None,
        "checked_at": timezone.localtime(),
    }


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(request: HttpRequest, form: TrackForm, *, status: int = 200, **context: Any) -> HttpResponse:
    return _private(render(request, "public/track.html", {"form": form, **context}, status=status))


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """/track/: the form (GET), and the case it finds (POST)."""
    if request.method == "GET":
        number = request.GET.get("case", "").strip().upper()[:20]
        return _page(request, TrackForm(initial={"case_number": number} if number else None))
    retry_after = _retry_after(request)
    if retry_after is not None:
        _log_limited(request)
        response = _page(request, TrackForm(), status=429, limited=True)
        response["Retry-After"] = str(retry_after)
        return response
    form = TrackForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    number = form.cleaned_data["case_number"]
    case = case_tracked(number, form.cleaned_data["last4"])
    again = TrackForm(initial={"case_number": number})  # the four characters are never written back into the page
    if case is None:
        _count_miss(request)
        _log(outcome="not_found", number=number)
        return _page(request, again, status=404, not_found=True)
    _log(outcome="ok", case=case, number=number)
    return _page(request, again, result=tracked_case(case))
