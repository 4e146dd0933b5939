"""Reading appointments: the slots offered between two dates, a slot by its public id, a case's booking.

A day's slots are cut from 9:00 in steps of the administrator's slot length; a slot that would end after 17:00 is not
offered. Only working days of the official calendar have slots, and a date whose year's holiday notice is not loaded
has none (its working-day status is unknown). Listing a day creates its slot rows (once: the start is unique), so that
a booking has a row to lock; a new slot takes the capacity set at that moment, and an existing slot keeps its own
(`services.slot_settings_update` replaces the future slots nobody has booked, so a new cut takes effect at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from wrp.appointments.models import Booking, Slot, SlotSettings
from wrp.core.errors import Invalid
from wrp.policy.workdays import CalendarYearNotLoaded
from wrp.policy_runtime import policy_calendar

if TYPE_CHECKING:
    from wrp.cases.models import Case

DAY_OPENS = time(9, 0)
DAY_CLOSES = time(17, 0)
MAX_RANGE_DAYS = 92

UNKNOWN_SLOT = "未知时段 / unknown slot"
SLOT_FULL = "时段已满 / slot is full"
SLOT_PAST = "时段已过 / slot is in the past"


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


def slots_between(*, start: date, end: date, now: datetime | None = None) -> list[Slot]:
    """The slots offered from `start` to `end` (both included) that start after `now`, ordered by start.

    Steps: check the range; cut each working day of the range into slots; create the rows that do not exist yet
    (a concurrent listing may create them first: conflicts on `start` are ignored); read them back.
    """
    if end < start:
        raise Invalid({"to": "结束日期不得早于开始日期 / to is before from"})
    if (end - start).days > MAX_RANGE_DAYS:
        raise Invalid({"to": f"查询范围不得超过{MAX_RANGE_DAYS}天 / at most {MAX_RANGE_DAYS} days apart"})
    now = now or timezone.now()
    settings = slot_settings()
    wanted = {
        slot_start: slot_end
        for day in _working_days(start, end)
        for slot_start, slot_end in day_slot_times(day, settings.slot_minutes)
        if slot_start > now
    }
    if not wanted:
        return []
    first, last = min(wanted), max(wanted)
    existing = set(Slot.objects.filter(start__gte=first, start__lte=last).values_list("start", flat=True))
    missing = [
        Slot(start=slot_start, end=slot_end, capacity=settings.capacity)
        for slot_start, slot_end in wanted.items()
        if slot_start not in existing
    ]
    if missing:
        Slot.objects.bulk_create(missing, ignore_conflicts=True)
    # Rows of an earlier cut (kept because they are booked) are not offered unless they start where this cut does.
    return [slot for slot in Slot.objects.filter(start__gte=first, start__lte=last).order_by("start")
            if slot.start in wanted]


def _working_days(start: date, end: date) -> Iterator[date]:
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
        raise Invalid({"slot": UNKNOWN_SLOT})
    return slot


def slot_refusal(slot: Slot, *, now: datetime | None = None) -> str | None:
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
