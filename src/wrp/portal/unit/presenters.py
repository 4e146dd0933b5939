"""What the unit handler reads about a case on the shared case page: where it stands, when that needs saying; the
rows of the unit's case lists as the templates print them; and the addresses of a list's rows, reversed once a
page."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.cases.models import CaseState
from wrp.portal.common.presenters import url_for_each
from wrp.portal.templatetags.portal import kind_label, subtype_label
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
