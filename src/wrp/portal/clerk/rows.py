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

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from wrp.cases.acceptance import AcceptanceView, acceptance_view
from wrp.cases.clock import ClockView
from wrp.cases.models import Acceptance, Case
from wrp.cases.workflow import OPEN_STATES
from wrp.core.urls import url_for_each
from wrp.portal.common.presenters import (
    PARTY_COLUMNS,
    Shared,
    case_rows,
    escaped,
    person_cell,
    words_of,
)
from wrp.portal.templatetags.portal import clock_badge, clock_tone, kind_label, state_badge, subtype_label
from wrp.public.templatetags.wrp_format import cn_date

# What a row reads: the case's own columns that the row, its clock and acceptance and the pages' orders need (never
# the wide JSON ones), and its unit's, applicant's and holder's as values of the same query — one model instance a row
# instead of four.
CASE_FIELDS = (
    "id", "public_id", "kind", "subtype", "state", "created_at",
    "time_limit", "accepted_on", "due_on", "paused_on", "days_left_at_pause", "clock_provisional", "decided_at",
    "received_at", "acceptance_due", "accepted_at", "acceptance", "applicant", "claimed_by",
)
JOINED = {
    **PARTY_COLUMNS,
    "holder_real_name": F("claimed_by__real_name"),
    "holder_username": F("claimed_by__username"),
}


def clerk_row_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases narrowed to what `clerk_rows` reads."""
    return cases.select_related(None).only(*CASE_FIELDS).annotate(**JOINED)


def clerk_rows(cases: list[Any], *, today: date, request: HttpRequest, listing: str, query: str) -> list[dict[str, Any]]:
    """The page's cases (`clerk_row_cases`) as rows, with no query: the clock is arithmetic on the case's own fields
    and the cached calendar. Each text is escaped here, once (the template prints it as it is); the words of a kind,
    state, acceptance or clock are made once a page for the rows that share them. `listing` (queue or cases) and
    `query` (its filters) are where the claim buttons come back to."""
    case_url = url_for_each("portal:clerk_case")
    claim_cell = ClaimCell(request, listing=listing, query=query)
    pick = gettext("选择 %(case)s")
    once = Shared()
    labels = words_of(ROW_LABELS)
    user_id = request.user.pk
    rows = []
    for row in case_rows(cases, today):
        case, clock = row["case"], row["clock"]
        public_id = escaped(case.public_id)
        if case.claimed_by_id is not None and case.claimed_by_id == user_id:
            claim = claim_cell.mine(public_id)
        elif case.claimed_by_id is not None:
            claim = claim_cell.held(case.holder_real_name or case.holder_username)
        elif case.state in OPEN_STATES:
            claim = claim_cell.free(public_id)
        else:
            claim = claim_cell.closed
        applicant = case.applicant_id is not None
        row = {
            "case": case,
            "id": public_id,
            "url": escaped(case_url(public_id)),
            "pick": SafeString(pick % {"case": public_id}),
            "tone": _tone(clock),
            "kind": once(kind_label, case.kind),
            "subtype": once(subtype_label, case.subtype) if case.subtype else "",
            "unit": escaped(case.unit_name),
            "credit_code": escaped(case.unit_credit_code),
            "applicant": escaped(case.applicant_real_name or case.applicant_username) if applicant else None,
            "id_number": escaped(case.applicant_id_number) if applicant else "",
            "state": once(state_badge, case.state),
            "acceptance": once(acceptance_cell, acceptance_view(case, today=today), today),
            "clock": once(clock_badge, clock),
            "claim": claim,
        }
        row["html"] = row_html(row, labels)
        rows.append(row)
    return rows


# The row as portal/clerk/cases.html printed it a cell at a time (with the loop's own whitespace around it), its texts
# escaped above: one format a row instead of some forty lookups of the template engine.
ROW = """
    <tr class="clerk-row{tone}">
      <td><input type="checkbox" name="cases" value="{id}" form="clerk-assign" id="pick-{id}" aria-label="{pick}"></td>
      <td data-label="{l_id}"><a class="mono clerk-id" href="{url}">{id}</a></td>
      <td data-label="{l_kind}">{kind}{subtype}</td>
      <td data-label="{l_unit}">{unit}<br><span class="mono">{credit_code}</span></td>
      <td data-label="{l_applicant}">{applicant}</td>
      <td data-label="{l_state}">{state}</td>
      <td data-label="{l_acceptance}">{acceptance}</td>
      <td data-label="{l_clock}">{clock}</td>
      <td data-label="{l_claim}">{claim}</td>
    </tr>
  """
ROW_LABELS = {
    "l_id": gettext_noop("案件编号"), "l_kind": gettext_noop("事项"), "l_unit": gettext_noop("单位"),
    "l_applicant": gettext_noop("申请人"), "l_state": gettext_noop("状态"), "l_acceptance": gettext_noop("受理"),
    "l_clock": gettext_noop("办理时限"), "l_claim": gettext_noop("认领人"), "l_unit_item": gettext_noop("单位事项"),
    "l_not_started": gettext_noop("未开始计时"),
}


def row_html(row: dict[str, Any], labels: dict[str, str]) -> SafeString:
    """A row's <tr>: the kind with its change subtype, the applicant with the masked ID number (or 单位事项 for a
    unit's item), the clock badge (or 未开始计时 before the clock starts)."""
    applicant = person_cell(row["applicant"], row["id_number"], f'<span class="muted">{labels["l_unit_item"]}</span>')
    return SafeString(ROW.format_map({
        **labels, **row, "applicant": applicant,
        "subtype": f'<br><span class="muted">{row["subtype"]}</span>' if row["subtype"] else "",
        "clock": row["clock"] or f'<span class="muted">{labels["l_not_started"]}</span>',
    }))


class ClaimCell:
    """Who holds the row's case (wrp.cases.claims), and the clerk's button: 认领 a free case, 释放 their own; another
    clerk's name; a dash for a case no longer open. A button posts the listing and its filters to come back to
    (`claims.back_to_listing`): the same hidden fields on every row, made once a page."""

    def __init__(self, request: HttpRequest, *, listing: str, query: str) -> None:
        self.hidden = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}"><input type="hidden" name="listing" value="{}">'
            '<input type="hidden" name="query" value="{}">', get_token(request), listing, query)
        self.claim_url = url_for_each("portal:clerk_claim")
        self.release_url = url_for_each("portal:clerk_release")
        self.words = {"me": gettext("我"), "release": gettext("释放"), "free": gettext("未认领"), "claim": gettext("认领")}
        self.closed = mark_safe('\n<span class="muted">—</span>\n')

    def mine(self, public_id: str) -> SafeString:
        return self._button(format_html("<strong>{}</strong>", self.words["me"]), self.release_url(public_id),
                            self.words["release"])

    def free(self, public_id: str) -> SafeString:
        return self._button(format_html('<span class="muted">{}</span>', self.words["free"]),
                            self.claim_url(public_id), self.words["claim"])

    def held(self, holder: str) -> SafeString:
        return format_html("\n{}\n\n", holder)

    def _button(self, who: SafeString, url: str, label: str) -> SafeString:
        return format_html('\n{}\n<form method="post" action="{}" class="clerk-claim">{}<button type="submit" '
                           'class="button secondary">{}</button></form>\n\n', who, url, self.hidden, label)


def _tone(clock: ClockView) -> str:
    """The row's class beyond `clerk-row`: paused, overdue, or due within 4 working days (`clock_tone`)."""
    tone = clock_tone(clock)
    return f" clerk-{tone}" if tone else ""


def acceptance_cell(acceptance: AcceptanceView, today: date) -> SafeString:
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
