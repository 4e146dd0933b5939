"""The rows of the window's queue and list of every case, as flat dicts of what each cell prints (issue 14: the list
is rendered all day, and a template that walks `row.case.unit.name` or includes a cell per row costs a lookup chain,
a context and a template each time). The words are the catalogue's; the links are reversed once a page.

Each row: the case itself (`case`, for what reads the rows rather than prints them), the case number and its page
(`id`, `url`) and the checkbox's label (`pick`), the kind and change subtype, the unit and its credit code, the
applicant and the masked ID number (`applicant` None for a unit item), the state badge, the acceptance cell, the clock
badge (empty before the clock starts) with the row's tone, and who holds the case (`claim`: `mine` with the release
address, `held` with the holder's name, `free` with the claim address, or empty for a case no longer open).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from wrp.cases.acceptance import AcceptanceView, acceptance_view
from wrp.cases.clock import ClockView
from wrp.cases.models import Acceptance
from wrp.cases.workflow import OPEN_STATES
from wrp.portal.common.presenters import case_rows, url_for_each
from wrp.portal.templatetags.portal import clock_badge, kind_label, state_badge, subtype_label
from wrp.public.templatetags.wrp_format import cn_date


def clerk_rows(cases: list[Any], *, today: date, user: Any) -> list[dict[str, Any]]:
    """The page's cases as rows (no query: the unit, applicant and holder are joined, the clock is arithmetic)."""
    case_url = url_for_each("portal:clerk_case")
    claim_url = url_for_each("portal:clerk_claim")
    release_url = url_for_each("portal:clerk_release")
    rows = []
    for row in case_rows(cases, today):
        case, clock = row["case"], row["clock"]
        public_id = case.public_id
        applicant = case.applicant
        claim, holder = "", ""
        if case.claimed_by_id is not None and case.claimed_by_id == user.pk:
            claim = "mine"
        elif case.claimed_by_id is not None:
            claim, holder = "held", case.claimed_by.real_name or case.claimed_by.username
        elif case.state in OPEN_STATES:
            claim = "free"
        rows.append({
            "case": case,
            "id": public_id,
            "url": case_url(public_id),
            "pick": mark_safe(gettext("选择 %(case)s") % {"case": conditional_escape(public_id)}),
            "tone": _tone(clock),
            "kind": kind_label(case.kind),
            "subtype": subtype_label(case.subtype) if case.subtype else "",
            "unit": case.unit.name,
            "credit_code": case.unit.credit_code,
            "applicant": (applicant.real_name or applicant.username) if applicant is not None else None,
            "id_number": applicant.id_number_masked if applicant is not None else "",
            "state": state_badge(case.state),
            "acceptance": acceptance_cell(acceptance_view(case, today=today), today=today),
            "clock": clock_badge(clock),
            "claim": claim,
            "holder": holder,
            "claim_url": claim_url(public_id) if claim == "free" else "",
            "release_url": release_url(public_id) if claim == "mine" else "",
        })
    return rows


def _tone(clock: ClockView) -> str:
    """The row's class beyond `clerk-row`: paused, overdue, or due within 4 working days."""
    if clock.paused:
        return " clerk-paused"
    if clock.overdue:
        return " clerk-overdue"
    if clock.working_days_left is not None and clock.working_days_left <= 4:
        return " clerk-soon"
    return ""


def acceptance_cell(acceptance: AcceptanceView, *, today: date) -> SafeString:
    """Where the case stands on acceptance (L-ACCEPT): the deadline while the window owes it (amber from its last
    day), else how it was accepted (视为受理, 不予受理, 已受理), else a dash."""
    if acceptance.pending and acceptance.due is not None:
        words = gettext("受理期限 %(day)s") % {"day": conditional_escape(cn_date(acceptance.due))}
        tone = " soon" if acceptance.due <= today else ""
        return format_html('<span class="clock{}">{}</span>\n', tone, mark_safe(words))  # the day escaped
    if acceptance.how == Acceptance.DEEMED:
        return format_html("{}\n", gettext("视为受理"))
    if acceptance.how == Acceptance.NOT_ACCEPTED:
        return format_html("{}\n", gettext("不予受理"))
    if acceptance.how:
        return format_html("{}\n", gettext("已受理"))
    return mark_safe('<span class="muted">—</span>\n')
