"""The case clock (POLICY §3) as stored on a case: start at submission, pause while returned, resume with the days
left. The arithmetic is `wrp.policy.workdays`; this module only maps it to the case's fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from wrp.cases.models import Case
from wrp.cases.workflow import FINAL_STATES
from wrp.policy.workdays import CalendarYearNotLoaded, Clock, clock_pause, clock_resume, clock_start, working_days_left
from wrp.policy_runtime import policy_calendar


def _clock(case: Case) -> Clock | None:
    if case.accepted_on is None or case.due_on is None or case.time_limit is None:
        return None
    return Clock(
        time_limit=case.time_limit,
        accepted_on=case.accepted_on,
        due=case.due_on,
        paused_on=case.paused_on,
        days_left_at_pause=case.days_left_at_pause,
        provisional=case.clock_provisional,
    )


def _store(case: Case, clock: Clock) -> None:
    case.time_limit = clock.time_limit
    case.accepted_on = clock.accepted_on
    case.due_on = clock.due
    case.paused_on = clock.paused_on
    case.days_left_at_pause = clock.days_left_at_pause
    case.clock_provisional = clock.provisional


def start(case: Case, *, on: date, time_limit: int) -> None:
    _store(case, clock_start(policy_calendar(), accepted_on=on, time_limit=time_limit))


def pause(case: Case, *, on: date) -> None:
    clock = _clock(case)
    if clock is not None and not clock.paused:
        _store(case, clock_pause(policy_calendar(), clock, on=on))


def resume(case: Case, *, on: date) -> None:
    clock = _clock(case)
    if clock is not None and clock.paused:
        _store(case, clock_resume(policy_calendar(), clock, on=on))


ACCEPTANCE_WORKING_DAYS = 5  # 行政许可法第三十二条: 五日内 (working days, §82)
EXTENSION_WORKING_DAYS = 10  # 行政许可法第四十二条: 延长十日


def acceptance_deadline(received_on: date) -> date:
    """The last day the window may accept or ask for corrections: the 5th working day after the materials arrived
    (the day of arrival never counts). An unloaded year is assumed weekends-only rather than refused."""
    return policy_calendar().deadline(received_on, ACCEPTANCE_WORKING_DAYS).date


def extend(case: Case, *, days: int = EXTENSION_WORKING_DAYS) -> date:
    """Move the running clock's due date `days` working days later (L-EXTEND); answers the previous due date."""
    clock = _clock(case)
    if clock is None or clock.paused:
        raise ValueError("only a running clock can be extended")
    moved = policy_calendar().deadline(clock.due, days)
    previous = clock.due
    case.due_on = moved.date
    case.clock_provisional = clock.provisional or moved.provisional
    return previous


@dataclass(frozen=True)
class ClockView:
    time_limit_working_days: int | None
    accepted_on: date | None
    due: date | None
    paused: bool
    working_days_left: int | None
    provisional: bool

    @property
    def overdue(self) -> bool:
        return self.working_days_left is not None and self.working_days_left < 0

    @property
    def overdue_days(self) -> int:
        return -self.working_days_left if self.working_days_left is not None and self.working_days_left < 0 else 0

    def as_json_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "time_limit_working_days": self.time_limit_working_days,
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "due": self.due.isoformat() if self.due else None,
            "paused": self.paused,
            "working_days_left": self.working_days_left,
        }
        if self.provisional:
            data["provisional"] = True
        return data


def view(case: Case, *, today: date) -> ClockView:
    """The clock as people see it: working days after today up to and including the due date, frozen while paused.

    A stopped case (approved, rejected, withdrawn) shows its dates but no days left."""
    clock = _clock(case)
    if clock is None:
        return ClockView(case.time_limit, None, None, False, None, False)
    left: int | None
    provisional = clock.provisional
    if case.decided_at is not None or case.state in FINAL_STATES:
        left = None
    else:
        try:
            left = working_days_left(policy_calendar(), clock, today=today)
        except CalendarYearNotLoaded:
            provisional = True
            left = policy_calendar().workdays_between(today, clock.due, provisional=True)
    return ClockView(clock.time_limit, clock.accepted_on, clock.due, clock.paused, left, provisional)
