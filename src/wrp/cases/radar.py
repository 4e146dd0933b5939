"""The expiry radar (到期预警): every permit of a unit's employees with its days to expiry, where it stands in the
renewal window, the holder's open cases and the next step.

The renewal window is the policy's (POLICY §9, rule P-RENEWAL-WINDOW): from `valid_until − 60 days` to `valid_until`
inclusive, counted with `wrp.policy.periods`. Inside it, a permit is `closing` once the renewal's 20 working days of
review would end after `valid_until` (the policy's P-RESERVE warning, counted on the platform's holiday calendar);
`before` the window opens and `expired` after `valid_until` (or once the sweep marked it so). The rows are read with a
constant number of queries whatever the number of permits. Lives in cases (it reads the holders' cases); the unit's
handlers only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from wrp.cases.kinds import kind_spec
from wrp.cases.models import Case, CaseState
from wrp.cases.workflow import FINAL_STATES
from wrp.core.errors import Forbidden
from wrp.permits.models import Permit, PermitStatus
from wrp.permits.selectors import permits_visible_to
from wrp.policy.codes import Service
from wrp.policy.periods import within_days
from wrp.policy.rules.permit import RENEWAL_WINDOW
from wrp.policy.workdays import Calendar
from wrp.policy_runtime import policy_calendar
from wrp.units.models import Association, AssociationState, Unit
from wrp.units.selectors import is_handler

BEFORE, OPEN, CLOSING, EXPIRED = "before", "open", "closing", "expired"
WINDOW_STATES = (BEFORE, OPEN, CLOSING, EXPIRED)
IN_WINDOW = frozenset({OPEN, CLOSING})
WINDOW_WORDS = {BEFORE: _("未到续签期"), OPEN: _("续签期内"), CLOSING: _("续签期即将结束"), EXPIRED: _("已过期")}

# next steps, each a code and words for the page
NEXT_STEPS = {
    "wait": _("等待续签期开始"),
    "open_renewal": _("开立续签申请"),
    "complete_renewal": _("补齐材料并提交续签申请"),
    "answer_correction": _("按补正通知修改后重新提交"),
    "await_decision": _("等待审批结果"),
    "apply_initial": _("证件已失效，需重新办理初次申请"),
    "employer_change": _("证件已挂起，需办理聘用单位变更"),
}
SORTS = {
    "days": lambda row: (row.days_to_expiry, row.permit.number),
    "-days": lambda row: (-row.days_to_expiry, row.permit.number),
    "name": lambda row: (row.holder_name, row.permit.number),
}
DEFAULT_SORT = "days"
RENEWAL_DAYS = RENEWAL_WINDOW.days


def window_opens(valid_until: date) -> date:
    """The first day of the renewal window (P-RENEWAL-WINDOW)."""
    return valid_until - RENEWAL_WINDOW


def window_state(valid_until: date, *, today: date, status: str = PermitStatus.VALID,
                 calendar: Calendar | None = None) -> str:
    """`before`, `open`, `closing` or `expired`, as of `today` (see the module's docstring)."""
    if status == PermitStatus.EXPIRED or today > valid_until:
        return EXPIRED
    if not within_days(today, on=valid_until, days=RENEWAL_DAYS):  # valid_until is more than 60 days away
        return BEFORE
    review = kind_spec(Service.RENEWAL).time_limit
    due = (calendar or policy_calendar()).deadline(today, review)
    return CLOSING if due.date > valid_until else OPEN


@dataclass(frozen=True)
class RadarRow:
    permit: Permit
    days_to_expiry: int  # negative once expired
    window: str
    opens_on: date
    open_cases: tuple[Case, ...] = field(default=())

    @property
    def holder_name(self) -> str:
        return self.permit.holder.real_name or self.permit.holder.username

    @property
    def days_past(self) -> int:
        """Days since the permit expired (0 while it is valid)."""
        return max(0, -self.days_to_expiry)

    @property
    def open_renewal(self) -> Case | None:
        return next((case for case in self.open_cases if case.kind == Service.RENEWAL), None)

    @property
    def selectable(self) -> bool:
        """A renewal draft can be opened for it now."""
        return (self.window in IN_WINDOW and self.open_renewal is None
                and self.permit.status == PermitStatus.VALID)

    @property
    def next_step(self) -> str:
        renewal = self.open_renewal
        if renewal is not None:
            if renewal.state == CaseState.RETURNED:
                return "answer_correction"
            if renewal.state in (CaseState.DRAFT, CaseState.AWAITING_UNIT):
                return "complete_renewal"
            return "await_decision"
        if self.window == EXPIRED or self.permit.status == PermitStatus.EXPIRED:
            return "apply_initial"
        if self.permit.status == PermitStatus.SUSPENDED:
            return "employer_change"
        return "wait" if self.window == BEFORE else "open_renewal"

    @property
    def window_words(self) -> Any:
        return WINDOW_WORDS[self.window]

    @property
    def next_step_words(self) -> Any:
        return NEXT_STEPS[self.next_step]


def require_radar(user: Any, unit: Unit) -> None:
    """The radar is its handlers' (the caller already sees the unit: staff get 403)."""
    if not is_handler(user, unit):
        raise Forbidden(_("只有该单位的经办人可以查看到期预警。"), code="unit_handlers_only")


def radar_permits(user: Any, unit: Unit) -> Any:
    """The permits held with the unit by its active employees, not revoked (one query)."""
    employed = Association.objects.filter(
        unit_id=unit.pk, applicant_id=OuterRef("holder_id"), state=AssociationState.ACTIVE
    )
    return (
        permits_visible_to(user).filter(unit_id=unit.pk).exclude(status=PermitStatus.REVOKED)
        .filter(Exists(employed))
    )


def radar_rows(*, user: Any, unit: Unit, today: date, window: str = "", sort: str = DEFAULT_SORT,
               numbers: list[str] | None = None) -> list[RadarRow]:
    """The radar of the unit, filtered by window state (`in_window` for open + closing) and sorted (`days`,
    `-days`, `name`); `numbers` keeps only those permits. Three queries, whatever the number of permits."""
    require_radar(user, unit)
    permits = radar_permits(user, unit)
    if numbers is not None:
        permits = permits.filter(number__in=numbers)
    permits = list(permits)
    open_cases: dict[int, list[Case]] = {}
    holders = {permit.holder_id for permit in permits}
    if holders:
        cases = (Case.objects.filter(unit_id=unit.pk, applicant_id__in=holders).exclude(state__in=FINAL_STATES)
                 .order_by("created_at", "id"))
        for case in cases:
            open_cases.setdefault(case.applicant_id, []).append(case)
    calendar = policy_calendar()
    rows = [
        RadarRow(
            permit=permit, days_to_expiry=(permit.valid_until - today).days,
            window=window_state(permit.valid_until, today=today, status=permit.status, calendar=calendar),
            opens_on=window_opens(permit.valid_until),
            open_cases=tuple(open_cases.get(permit.holder_id, ())),
        )
        for permit in permits
    ]
    if window == "in_window":
        rows = [row for row in rows if row.window in IN_WINDOW]
    elif window in WINDOW_STATES:
        rows = [row for row in rows if row.window == window]
    return sorted(rows, key=SORTS.get(sort, SORTS[DEFAULT_SORT]))
