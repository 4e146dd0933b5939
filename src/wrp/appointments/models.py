"""Appointments (预约办理): slots on working days 9:00–17:00 and bookings made at a unit's submission.

The administrator sets the slot length and capacity; slots exist only on working days of the official calendar (no
slot on a date whose year's holiday notice is not loaded). Slot rows are created lazily, when a day is first listed,
so that a booking has a row to lock; a slot takes the capacity of the settings at its creation. A slot's `booked`
count never exceeds its capacity — a database constraint, and a row lock when booking.
"""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SLOT_MINUTES_MIN = 10
SLOT_MINUTES_MAX = 480  # the whole 9:00–17:00 day
CAPACITY_MAX = 1000


def new_slot_public_id() -> str:
    """An opaque, unguessable id for the API (12 URL-safe characters)."""
    return secrets.token_urlsafe(9)


class SlotSettings(models.Model):
    """One row (id 1): how the day is cut into slots and how many bookings each takes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    slot_minutes = models.PositiveSmallIntegerField(
        _("时段长度（分钟）"), default=60,
        validators=[MinValueValidator(SLOT_MINUTES_MIN), MaxValueValidator(SLOT_MINUTES_MAX)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("每时段可预约数"), default=4, validators=[MinValueValidator(1), MaxValueValidator(CAPACITY_MAX)],
    )

    class Meta:
        verbose_name = _("预约设置")
        verbose_name_plural = _("预约设置")
        constraints = (
            models.CheckConstraint(condition=Q(id=1), name="slot_settings_single_row"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=SLOT_MINUTES_MIN, slot_minutes__lte=SLOT_MINUTES_MAX),
                name="slot_settings_minutes_in_range",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1, capacity__lte=CAPACITY_MAX),
                                   name="slot_settings_capacity_in_range"),
        )

    def __str__(self) -> str:
        return f"{self.slot_minutes} min × {self.capacity}"


class Slot(models.Model):
    public_id = models.CharField(_("编号"), max_length=16, unique=True, default=new_slot_public_id, editable=False)
    start = models.DateTimeField(_("开始"), unique=True)
    end = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("容量"), validators=[MaxValueValidator(CAPACITY_MAX)])
    booked = models.PositiveSmallIntegerField(_("已预约"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ("start",)
        constraints = (models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"),)

    def __str__(self) -> str:
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


class Booking(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="booking")
    booked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.slot}"
