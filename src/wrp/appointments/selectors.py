"""Reading appointments: the slots offered between two dates, a slot by its public id, a case's booking.

A day's slots are cut from 9:00 in steps of the administrator's slot length; a slot that would end after 17:00 is not
offered. Only working days of the official calendar have slots, and a date whose year's holiday notice is not loaded
has none (its working-day status is unknown). Listing the slots of a day creates their rows, which is a write:
`services.slots_between` does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.appointments.models import Booking, Slot, SlotSettings
from wrp.core.errors import Invalid, Message
from wrp.policy.workdays import CalendarYearNotLoaded
from wrp.policy_runtime import policy_calendar

if TYPE_CHECKING:
    from wrp.cases.models import Case

DAY_OPENS = time(9, 0)
DAY_CLOSES = time(17, 0)
MAX_RANGE_DAYS = 92

UNKNOWN_SLOT = _("未知时段")
SLOT_FULL = _("时段已满")
SLOT_PAST = _("时段已过")


def slot_settings() -> SlotSettings:
    """The administrator's settings; the defaults (unsaved) while the row does not exist."""
    return SlotSettings.objects.filter(id=1).first() or SlotSettings(id=1)


def day_slot_times(day: date, slot_minutes: int) -> list[tuple[datetime, datetime]]:
    """(start, end) of each slot of `day`, Asia/Shanghai: from 9:00, none ending after 17:00."""
    zone = timezone.get_default_timezone()
    length = timedelta(minutes=slot_minutes)
    start = datetime.combine(day, DAY_OPENS, tzinfo=zone)
    closes = datetime.combine(day, DAY_CLOSES, tzinfo=zone)
    times = []
    while start + length <= closes:
        times.append((start, start + length))
        start += length
    return times


def working_days(start: date, end: date) -> Iterator[date]:
    calendar = policy_calendar()
    day = start
    while day <= end:
        try:
            if calendar.is_workday(day):
                yield day
        except CalendarYearNotLoaded:
            pass  # unknown whether it is a working day: no slot is offered
        day += timedelta(days=1)


def slot_by_public_id(public_id: str) -> Slot:
    """The slot with this public id; Invalid naming `slot` when there is none."""
    slot = Slot.objects.filter(public_id=public_id).first() if isinstance(public_id, str) else None
    if slot is None:
        raise Invalid({"slot": UNKNOWN_SLOT}, codes={"slot": "unknown_slot"})
    return slot


def slot_refusal(slot: Slot, *, now: datetime | None = None) -> Message | None:
    """Why the slot cannot be booked now (it has started, it is full), or None."""
    if slot.start <= (now or timezone.now()):
        return SLOT_PAST
    if slot.booked >= slot.capacity:
        return SLOT_FULL
    return None


def slot_bookable(public_id: str, *, now: datetime | None = None) -> Slot:
    """The slot, if it can be booked now; Invalid naming `slot` otherwise (unknown, started, full).

    A check without a lock, for a caller that must refuse early (the unit's submission checks the slot before it
    assesses); `services.booking_create` checks again under the lock.
    """
    slot = slot_by_public_id(public_id)
    refusal = slot_refusal(slot, now=now)
    if refusal is not None:
        raise Invalid({"slot": refusal})
    return slot


def booking_of(case: Case) -> Booking | None:
    """The case's booking with its slot, or None."""
    return Booking.objects.select_related("slot").filter(case=case).first()
