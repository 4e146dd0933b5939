"""Builders for the appointment tests: a unit handler, a unit, cases to book for, slots, frozen time."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from wrp.appointments.models import Slot, SlotSettings
from wrp.cases.models import Case
from wrp.units.models import Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday, a working day

_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def frozen_now():
    """Now is 2026-11-26 10:00 Asia/Shanghai; the traveller can move it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_user(role: str = "unit_handler", **fields):
    """A user of the role; administrators are staff and superusers, as `accounts.services` makes them."""
    n = next(_numbers)
    if role == "admin":
        fields = {"is_staff": True, "is_superuser": True, **fields}
    return get_user_model().objects.create_user(username=f"{role}-{n}", role=role, **fields)


def make_unit() -> Unit:
    n = next(_numbers)
    return Unit.objects.create(
        credit_code=f"91110105MA{n:08d}",
        name=f"测试单位{n}",
        kind="enterprise",
        registered_district="chaoyang",
        tax_district="chaoyang",
        association_code=f"AC{n:010d}",
    )


def make_case(*, unit: Unit, handler) -> Case:
    return Case.objects.create(public_id=f"T{next(_numbers):08d}", kind="initial", unit=unit, created_by=handler)


def make_slot(*, start: datetime, capacity: int = 4, minutes: int = 60) -> Slot:
    return Slot.objects.create(start=start, end=start + timedelta(minutes=minutes), capacity=capacity)


def set_slot_settings(*, slot_minutes: int = 60, capacity: int = 4) -> None:
    SlotSettings.objects.update_or_create(id=1, defaults={"slot_minutes": slot_minutes, "capacity": capacity})


@pytest.fixture
def handler():
    return make_user("unit_handler")


@pytest.fixture
def administrator():
    return make_user("admin")


@pytest.fixture
def unit(handler) -> Unit:
    return make_unit()


@pytest.fixture
def new_case(unit, handler) -> Callable[[], Case]:
    """Each call: a new draft `initial` case of the unit."""
    return lambda: make_case(unit=unit, handler=handler)
