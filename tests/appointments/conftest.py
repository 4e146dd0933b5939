"""Builders for the appointment tests: cases to book for and slots; the personas (`handler` of `unit`, `admin`) and
the frozen time are the shared ones of tests/conftest.py."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from tests.clock import NOW, SHANGHAI  # noqa: F401  (read from here by the test modules)
from tests.factories import make_user  # noqa: F401  (read from here by the test modules)
from wrp.appointments.models import Slot, SlotSettings
from wrp.cases.models import Case
from wrp.units.models import Unit

_numbers = itertools.count(1)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Asia/Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def frozen_now(frozen_clock):
    """Now is 2026-11-26 10:00 Asia/Shanghai (tests/conftest.py); the traveller can move it."""
    return frozen_clock


def make_case(*, unit: Unit, handler) -> Case:
    return Case.objects.create(public_id=f"T{next(_numbers):08d}", kind="initial", unit=unit, created_by=handler)


def make_slot(*, start: datetime, capacity: int = 4, minutes: int = 60) -> Slot:
    return Slot.objects.create(start=start, end=start + timedelta(minutes=minutes), capacity=capacity)


def set_slot_settings(*, slot_minutes: int = 60, capacity: int = 4) -> None:
    SlotSettings.objects.update_or_create(id=1, defaults={"slot_minutes": slot_minutes, "capacity": capacity})


@pytest.fixture
def administrator(admin):
    return admin


@pytest.fixture
def new_case(unit, handler) -> Callable[[], Case]:
    """Each call: a new draft `initial` case of the unit."""
    return lambda: make_case(unit=unit, handler=handler)
