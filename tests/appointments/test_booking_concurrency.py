"""Capacity is never exceeded when units book at once (PostgreSQL: real row locks, one connection per thread)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection

from tests.appointments.conftest import at, make_case, make_slot
from tests.race import run_concurrently
from wrp.appointments import services
from wrp.appointments.models import Booking, Slot
from wrp.appointments.services import booking_cancel, booking_create, slot_settings_update
from wrp.core.errors import Invalid

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 12
ROUNDS = 20


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def at_once(calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run the calls in threads released together; each outcome is ("ok", value), ("invalid", fields) or
    ("error", repr)."""
    return [_outcome(result) for result in run_concurrently(calls, timeout=60)]


def _outcome(result: Any) -> tuple[str, Any]:
    if isinstance(result, Invalid):
        return ("invalid", result.fields)
    if isinstance(result, BaseException):  # anything else is a failure of the test, reported by the caller
        return ("error", repr(result))
    return ("ok", result)


def kinds(outcomes: list[tuple[str, Any]], kind: str) -> list[Any]:
    return [value for outcome, value in outcomes if outcome == kind]


def test_twelve_units_booking_a_slot_of_three_at_once_get_three_places(frozen_now, unit, handler):
    for round_ in range(ROUNDS):
        slot = make_slot(start=at(2026, 12, 1, 9) + timedelta(days=round_), capacity=3)
        cases = [make_case(unit=unit, handler=handler) for _ in range(THREADS)]
        outcomes = at_once([partial(booking_create, case=case, slot_public_id=slot.public_id, actor=handler)
                            for case in cases])
        assert kinds(outcomes, "error") == [], f"round {round_}"
        assert len(kinds(outcomes, "ok")) == 3, f"round {round_}"
        assert kinds(outcomes, "invalid") == [{"slot": services.SLOT_FULL}] * (THREADS - 3), f"round {round_}"
        assert Slot.objects.get(pk=slot.pk).booked == 3, f"round {round_}"
        assert Booking.objects.filter(slot=slot).count() == 3, f"round {round_}"


def test_one_case_booking_several_slots_at_once_gets_one(frozen_now, unit, handler):
    case = make_case(unit=unit, handler=handler)
    slots = [make_slot(start=at(2026, 12, 1, 9 + hour), capacity=3) for hour in range(8)]
    outcomes = at_once([partial(booking_create, case=case, slot_public_id=slot.public_id, actor=handler)
                        for slot in slots])
    assert kinds(outcomes, "error") == []
    assert len(kinds(outcomes, "ok")) == 1
    assert kinds(outcomes, "invalid") == [{"slot": services.CASE_ALREADY_BOOKED}] * 7
    assert sum(Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list("booked", flat=True)) == 1
    assert Booking.objects.filter(case=case).count() == 1


def test_cancelling_and_booking_at_once_keep_the_count_true(frozen_now, unit, handler):
    slot = make_slot(start=at(2026, 12, 1, 9), capacity=3)
    holders = [make_case(unit=unit, handler=handler) for _ in range(3)]
    for case in holders:
        booking_create(case=case, slot_public_id=slot.public_id, actor=handler)
    newcomers = [make_case(unit=unit, handler=handler) for _ in range(THREADS - 3)]
    outcomes = at_once(
        [partial(booking_cancel, case=case, actor=handler) for case in holders]
        + [partial(booking_create, case=case, slot_public_id=slot.public_id, actor=handler) for case in newcomers]
    )
    assert kinds(outcomes, "error") == []
    slot.refresh_from_db()
    assert slot.booked == Booking.objects.filter(slot=slot).count() <= 3
    assert not Booking.objects.filter(case__in=holders).exists()
    assert set(map(str, kinds(outcomes, "invalid"))) <= {str({"slot": services.SLOT_FULL})}


def test_new_settings_never_remove_a_slot_being_booked(frozen_now, unit, handler, administrator):
    slot = make_slot(start=at(2026, 12, 1, 9), capacity=20)
    cases = [make_case(unit=unit, handler=handler) for _ in range(THREADS - 1)]
    outcomes = at_once(
        [partial(slot_settings_update, slot_minutes=90, capacity=5, actor=administrator)]
        + [partial(booking_create, case=case, slot_public_id=slot.public_id, actor=handler) for case in cases]
    )
    assert kinds(outcomes, "error") == []
    booked = Booking.objects.filter(slot_id=slot.pk).count()
    if Slot.objects.filter(pk=slot.pk).exists():  # a booking came first: the slot stays, with every booking
        assert booked == Slot.objects.get(pk=slot.pk).booked >= 1
    else:  # the new settings came first: every booking found the slot gone
        assert booked == 0
        assert kinds(outcomes, "invalid") == [{"slot": services.UNKNOWN_SLOT}] * len(cases)
