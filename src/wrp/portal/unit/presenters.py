"""What the unit handler reads about a case on the shared case page: where it stands, when that needs saying; the
rows of the unit's case lists as the templates print them; and the addresses of a list's rows, reversed once a
page."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from wrp.cases.models import CaseState
from wrp.core.urls import url_for_each
from wrp.portal.common.presenters import Shared, escaped, words_of
from wrp.portal.templatetags.portal import clock_badge, kind_label, state_badge, subtype_label
from wrp.public.templatetags.wrp_format import cn_date

STATE_NOTES = {
    CaseState.AWAITING_UNIT: _("员工已提交至单位。请核对材料，补齐后预约办理时段并提交。"),
}
def case_list_words(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Case rows (`case_rows`) as a list prints them: the case's address (reversed once a page), item, applicant,
    unit and opening day in words, beside its state and clock for their badges and whether it is still being filed."""
    case_url, day = url_for_each("portal:case"), cache(cn_date)
    zone = timezone.get_current_timezone()
    return [{
        "url": case_url(case.public_id), "public_id": case.public_id, "kind": kind_label(case.kind),
        "subtype": subtype_label(case.subtype) if case.subtype else "", "state": case.state, "clock": row["clock"],
        "filing": row["filing"], "applicant": (case.applicant.real_name or case.applicant.username)
        if case.applicant else None, "unit": case.unit.name, "created_on": day(case.created_at.astimezone(zone).date()),
    } for row in rows for case in (row["case"],)]


# The rows of the unit's case list and of the unit home's cases waiting for the unit, as portal/unit/cases.html and
# portal/unit/home.html printed them a cell at a time: one format a row instead of some thirty template lookups.
LIST_ROW = """<tr>
    <td><a href="{url}">{kind}{subtype}</a><br><span class="mono">{public_id}</span></td>
    <td data-label="{l_applicant}">{applicant}</td>
    {unit}
    <td>{state}</td>
    <td data-label="{l_clock}">{clock}</td>
    <td data-label="{l_created}">{created_on}</td>
  </tr>"""
ATTENTION_ROW = """<tr>
      <td><a href="{url}">{kind}</a><br><span class="mono">{public_id}</span></td>
      <td data-label="{l_applicant}">{applicant}</td>
      <td>{state}<br><span class="muted">{step}</span></td>
      <td data-label="{l_clock}">{clock}</td>
    </tr>"""
ROW_LABELS = {
    "l_applicant": gettext_noop("申请人"), "l_unit_item": gettext_noop("单位事项"), "l_unit": gettext_noop("单位"),
    "l_clock": gettext_noop("办理时限"), "l_created": gettext_noop("开立日期"),
    "l_filing": gettext_noop("员工已提交，请审核材料并预约提交"), "l_returned": gettext_noop("请按补正告知修改后重新提交"),
    "l_not_started": gettext_noop("提交后开始计时"),
}


def _cells(row: dict[str, Any], shared: Shared) -> dict[str, Any]:
    """What both rows print alike: the texts escaped, the state's badge (made once a page for each state)."""
    return {"url": escaped(row["url"]), "kind": escaped(row["kind"]), "public_id": escaped(row["public_id"]),
            "state": shared(state_badge, row["state"])}


def case_list_html(rows: list[dict[str, Any]], *, several_units: bool) -> list[dict[str, Any]]:
    """Each row of `case_list_words` with its <tr> in the unit's case list ("html"): the item (and change subtype) linking to
    the case, the applicant (单位事项 for a unit's item), the unit when the handler has several, the state, the clock
    (a dash before it starts), the opening day."""
    labels = words_of(ROW_LABELS)
    shared = Shared()
    unit_item = f'<span class="muted">{labels["l_unit_item"]}</span>'
    return [{**row, "html": SafeString(LIST_ROW.format_map({
        **labels, **_cells(row, shared),
        "subtype": f" · {escaped(row['subtype'])}" if row["subtype"] else "",
        "applicant": escaped(row["applicant"]) if row["applicant"] is not None else unit_item,
        "unit": f'<td data-label="{labels["l_unit"]}">{escaped(row["unit"])}</td>' if several_units else "",
        "clock": shared(clock_badge, row["clock"]) + ("" if row["clock"].due else '<span class="muted">—</span>'),
        "created_on": escaped(row["created_on"]),
    }))} for row in rows]


def attention_html(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row of `case_list_words` with its <tr> among the cases waiting for the unit ("html"): the item linking to the case,
    the applicant, the state with the unit's next step, the clock (提交后开始计时 before it starts)."""
    labels = words_of(ROW_LABELS)
    shared = Shared()
    not_started = f'<span class="muted">{labels["l_not_started"]}</span>'
    return [{**row, "html": SafeString(ATTENTION_ROW.format_map({
        **labels, **_cells(row, shared),
        "applicant": escaped(row["applicant"]) if row["applicant"] is not None else labels["l_unit_item"],
        "step": labels["l_filing"] if row["filing"] else labels["l_returned"],
        "clock": shared(clock_badge, row["clock"]) + ("" if row["clock"].due else not_started),
    }))} for row in rows]
