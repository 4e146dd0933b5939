"""Changing appointments: the slot rows of the days listed, booking a slot for a case, freeing it, and the
administrator's slot settings.

A slot is never overbooked, however many units book at once: booking locks the slot row (PostgreSQL; SQLite runs one
writer at a time), checks the count, and raises it only while it is below the capacity; the database constraint
booked ≤ capacity is the last line of defence. Locks are always taken slot first, then booking, then the audit head.
Every refusal is `Invalid` naming `slot` (422 in the API) and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.appointments.models import CAPACITY_MAX, SLOT_MINUTES_MAX, SLOT_MINUTES_MIN, Booking, Slot, SlotSettings
from wrp.appointments.selectors import (
    MAX_RANGE_DAYS,
    SLOT_FULL,
    SLOT_PAST,
    UNKNOWN_SLOT,
    day_slot_times,
    slot_refusal,
    slot_settings,
    working_days,
)
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, Message
from wrp.core.events import emit

if TYPE_CHECKING:
    from wrp.cases.models import Case

__all__ = [
    "CASE_ALREADY_BOOKED", "SLOT_FULL", "SLOT_PAST", "UNKNOWN_SLOT",
    "booking_cancel", "booking_create", "slot_capacity_set", "slot_settings_update", "slots_between",
]

CASE_ALREADY_BOOKED = _("该案件已有预约")


def slots_between(*, start: date, end: date, now: datetime | None = None) -> list[Slot]:
    """The slots offered from `start` to `end` (both included) that start after `now`, ordered by start. Listing
    a day creates its slot rows (once: the start is unique), so that a booking has a row to lock; a new slot takes the
    capacity set at that moment, and an existing slot keeps its own (`slot_settings_update` replaces the future slots
    nobody has booked, so a new cut takes effect at once).

    Steps: check the range; cut each working day of the range into slots; create the rows that do not exist yet
    (a concurrent listing may create them first: conflicts on `start` are ignored); read them back.
    """
    if end < start:
        raise Invalid({"to": _("结束日期不得早于开始日期")}, codes={"to": "before_from"})
    if (end - start).days > MAX_RANGE_DAYS:
        message = format_lazy(_("查询范围不得超过{days}天"), days=MAX_RANGE_DAYS)
        raise Invalid({"to": message}, codes={"to": "range_too_long"})
    now = now or timezone.now()
    settings = slot_settings()
    wanted = {
        slot_start: slot_end
        for day in working_days(start, end)
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


def booking_create(*, case: Case, slot_public_id: str, actor: Any) -> Booking:
    """Book the slot for the case, in the caller's transaction if there is one.

    Steps: lock the slot row; refuse an unknown slot, a case that already has a booking, a slot that has started, a
    full slot; raise the slot's count and create the booking (a constraint violation from a race becomes the same
    refusal); record the audit event.
    """
    with transaction.atomic():
        slot = Slot.objects.select_for_update().filter(public_id=slot_public_id).first()
        if slot is None:
            raise Invalid({"slot": UNKNOWN_SLOT})
        if _case_has_booking(case):
            raise Invalid({"slot": CASE_ALREADY_BOOKED})
        now = timezone.now()
        refusal = slot_refusal(slot, now=now)
        if refusal is not None:
            raise Invalid({"slot": refusal})
        try:
            with transaction.atomic():  # a savepoint: a violated constraint must not break the caller's transaction
                taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
                if not taken:
                    raise Invalid({"slot": SLOT_FULL})
                booking = Booking.objects.create(slot=slot, case=case, booked_at=now)
        except IntegrityError:
            if _case_has_booking(case):
                raise Invalid({"slot": CASE_ALREADY_BOOKED}) from None
            raise Invalid({"slot": SLOT_FULL}) from None
        audit_record(actor=actor, action="booking.create", obj=booking, changes=_booking_changes(case, slot))
        emit("appointment.confirmed", case_id=case.pk)
    return booking


def booking_cancel(*, case: Case, actor: Any) -> None:
    """Free the case's booking, if it has one (withdrawal, rejection). Calling it again changes nothing."""
    with transaction.atomic():
        slot_id = Booking.objects.filter(case=case).values_list("slot_id", flat=True).first()
        if slot_id is None:
            return
        slot = Slot.objects.select_for_update().get(pk=slot_id)  # slot first, as booking_create locks
        booking = Booking.objects.select_for_update().filter(case=case, slot=slot).first()
        if booking is None:
            return  # freed meanwhile by another call
        booking_id = booking.pk
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") - 1)
        booking.delete()
        audit_record(actor=actor, action="booking.cancel", object_type=Booking._meta.label_lower,
                     object_id=str(booking_id), changes=_booking_changes(case, slot))


def slot_settings_update(*, slot_minutes: int, capacity: int, actor: Any) -> SlotSettings:
    """Set the slot length and capacity (administrators only).

    Steps: check the values; save the settings row; delete the future slots nobody has booked, so that the days are
    cut anew with the new settings the next time they are listed (a booked slot keeps its time and capacity, and so
    does its case's appointment); record the audit event.
    """
    _require_administrator(actor)
    errors: dict[str, Message] = {}
    if not SLOT_MINUTES_MIN <= slot_minutes <= SLOT_MINUTES_MAX:
        errors["slot_minutes"] = format_lazy(_("时段长度应为{low}至{high}分钟"), low=SLOT_MINUTES_MIN, high=SLOT_MINUTES_MAX)
    if not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = format_lazy(_("每时段可预约数应为1至{high}"), high=CAPACITY_MAX)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        settings, _created = SlotSettings.objects.select_for_update().get_or_create(id=1)
        changes: dict[str, Any] = {
            "slot_minutes": [settings.slot_minutes, slot_minutes],
            "capacity": [settings.capacity, capacity],
        }
        settings.slot_minutes, settings.capacity = slot_minutes, capacity
        settings.save()
        changes["future_slots_replaced"] = _delete_unbooked_future_slots()
        audit_record(actor=actor, action="slot_settings.update", obj=settings, changes=changes)
    return settings


def slot_capacity_set(*, slot: Slot, capacity: int, actor: Any) -> Slot:
    """Change one slot's capacity (administrators only); never below the bookings it holds."""
    _require_administrator(actor)
    with transaction.atomic():
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        if capacity < locked.booked:
            message = format_lazy(_("不得少于已预约数{booked}"), booked=locked.booked)
            raise Invalid({"capacity": message}, codes={"capacity": "below_booked"})
        if capacity > CAPACITY_MAX:
            message = format_lazy(_("不得超过{high}"), high=CAPACITY_MAX)
            raise Invalid({"capacity": message}, codes={"capacity": "too_large"})
        changes = {"capacity": [locked.capacity, capacity]}
        locked.capacity = capacity
        locked.save(update_fields=["capacity"])
        audit_record(actor=actor, action="slot.set_capacity", obj=locked, changes=changes)
    return locked


def _case_has_booking(case: Case) -> bool:
    return Booking.objects.filter(case=case).exists()


def _booking_changes(case: Case, slot: Slot) -> dict[str, Any]:
    return {"case": case.public_id, "slot": slot.public_id, "start": timezone.localtime(slot.start).isoformat()}


def _delete_unbooked_future_slots() -> int:
    # Lock first: a booking racing with us either holds the row (we then see booked > 0 and keep it) or waits and
    # then finds its slot gone ("unknown slot").
    ids = list(
        Slot.objects.select_for_update().filter(start__gt=timezone.now(), booked=0).values_list("pk", flat=True)
    )
    if ids:
        Slot.objects.filter(pk__in=ids).delete()
    return len(ids)


def _require_administrator(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise Forbidden(_("只有系统管理员可以修改预约设置。"), code="administrators_only")
