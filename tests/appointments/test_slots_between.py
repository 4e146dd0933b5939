"""The slots offered between two dates: working days only, 9:00–17:00, future only, created once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from tests.appointments.conftest import NOW, SHANGHAI, at, set_slot_settings
from wrp.appointments.models import Slot
from wrp.appointments.selectors import slot_by_public_id
from wrp.appointments.services import slots_between
from wrp.core.errors import Invalid

pytestmark = pytest.mark.django_db

BEFORE_NATIONAL_DAY_2025 = at(2025, 9, 1, 8)


def local_times(slots):
    return [(f"{s.start.astimezone(SHANGHAI):%H:%M}", f"{s.end.astimezone(SHANGHAI):%H:%M}") for s in slots]


def days_of(slots):
    return sorted({s.start.astimezone(SHANGHAI).date() for s in slots})


@time_machine.travel(BEFORE_NATIONAL_DAY_2025, tick=False)
def test_national_day_holidays_2025_have_no_slots():
    assert slots_between(start=date(2025, 10, 1), end=date(2025, 10, 8)) == []


@time_machine.travel(BEFORE_NATIONAL_DAY_2025, tick=False)
def test_adjusted_working_saturday_has_slots():
    set_slot_settings(slot_minutes=60)
    slots = slots_between(start=date(2025, 10, 11), end=date(2025, 10, 11))  # 调休上班 (Saturday)
    assert len(slots) == 8
    assert days_of(slots) == [date(2025, 10, 11)]


@time_machine.travel(BEFORE_NATIONAL_DAY_2025, tick=False)
def test_ordinary_weekend_has_no_slots():
    assert slots_between(start=date(2025, 10, 18), end=date(2025, 10, 19)) == []


@time_machine.travel(BEFORE_NATIONAL_DAY_2025, tick=False)
def test_the_week_around_national_day_offers_only_its_working_days():
    slots = slots_between(start=date(2025, 9, 27), end=date(2025, 10, 12))
    assert days_of(slots) == [date(2025, 9, 28), date(2025, 9, 29), date(2025, 9, 30),
                              date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 11)]


@pytest.mark.parametrize(
    ("slot_minutes", "expected"),
    [
        (60, [("09:00", "10:00"), ("10:00", "11:00"), ("11:00", "12:00"), ("12:00", "13:00"),
              ("13:00", "14:00"), ("14:00", "15:00"), ("15:00", "16:00"), ("16:00", "17:00")]),
        (90, [("09:00", "10:30"), ("10:30", "12:00"), ("12:00", "13:30"), ("13:30", "15:00"), ("15:00", "16:30")]),
        (120, [("09:00", "11:00"), ("11:00", "13:00"), ("13:00", "15:00"), ("15:00", "17:00")]),
        (480, [("09:00", "17:00")]),
    ],
    ids=["60-min-8-slots", "90-min-5-slots-none-crossing-17", "120-min-last-ends-at-17", "480-min-whole-day"],
)
def test_a_working_day_is_cut_from_9_to_17(frozen_now, slot_minutes, expected):
    set_slot_settings(slot_minutes=slot_minutes)
    slots = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    assert local_times(slots) == expected
    assert all(s.end <= at(2026, 11, 27, 17) for s in slots)


def test_a_new_slot_takes_the_capacity_set_at_its_creation(frozen_now):
    set_slot_settings(capacity=7)
    slots = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    assert {(s.capacity, s.booked) for s in slots} == {(7, 0)}


def test_only_slots_starting_after_now_are_offered(frozen_now):
    set_slot_settings(slot_minutes=60)
    today = slots_between(start=date(2026, 11, 26), end=date(2026, 11, 26))  # now is 10:00
    assert local_times(today)[0] == ("11:00", "12:00")
    assert len(today) == 6
    assert slots_between(start=date(2026, 11, 20), end=date(2026, 11, 25)) == []


def test_slots_of_the_past_are_not_created(frozen_now):
    slots_between(start=date(2026, 11, 1), end=date(2026, 11, 26))
    assert not Slot.objects.filter(start__lte=NOW).exists()


def test_listing_twice_creates_each_slot_once_and_keeps_its_id(frozen_now):
    first = slots_between(start=date(2026, 11, 27), end=date(2026, 12, 4))
    again = slots_between(start=date(2026, 11, 27), end=date(2026, 12, 4))
    assert [s.public_id for s in first] == [s.public_id for s in again]
    assert Slot.objects.count() == len(first) == 6 * 8  # Fri, Mon–Fri: six working days


def test_an_existing_slot_keeps_its_capacity_when_the_settings_row_changes(frozen_now):
    set_slot_settings(capacity=4)
    slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    set_slot_settings(capacity=9)
    assert {s.capacity for s in slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))} == {4}
    assert {s.capacity for s in slots_between(start=date(2026, 11, 30), end=date(2026, 11, 30))} == {9}


def test_slots_are_ordered_by_start(frozen_now):
    slots_between(start=date(2026, 12, 3), end=date(2026, 12, 4))
    slots = slots_between(start=date(2026, 11, 27), end=date(2026, 12, 4))
    assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_a_year_whose_notice_is_not_loaded_offers_nothing(frozen_now):
    assert slots_between(start=date(2027, 1, 4), end=date(2027, 1, 8)) == []


def test_a_range_into_an_unloaded_year_offers_only_the_loaded_days(frozen_now):
    slots = slots_between(start=date(2026, 12, 28), end=date(2027, 1, 8))
    assert days_of(slots) == [date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]


def test_a_range_of_92_days_is_accepted(frozen_now):
    slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27) + timedelta(days=92))


def test_a_range_of_93_days_is_refused_naming_to(frozen_now):
    with pytest.raises(Invalid) as refusal:
        slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27) + timedelta(days=93))
    assert set(refusal.value.fields) == {"to"}


def test_an_end_before_the_start_is_refused_naming_to(frozen_now):
    with pytest.raises(Invalid) as refusal:
        slots_between(start=date(2026, 11, 27), end=date(2026, 11, 26))
    assert set(refusal.value.fields) == {"to"}


def test_a_single_day_range_is_accepted(frozen_now):
    assert len(slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))) == 8


def test_a_slot_is_found_by_its_public_id(frozen_now):
    slot = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))[0]
    assert slot_by_public_id(slot.public_id) == slot
    assert len(slot.public_id) >= 12


@pytest.mark.parametrize("public_id", ["", "nope", "s202611270900", None], ids=["empty", "word", "guess", "none"])
def test_an_unknown_public_id_is_refused_naming_slot(frozen_now, public_id):
    slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    with pytest.raises(Invalid) as refusal:
        slot_by_public_id(public_id)
    assert set(refusal.value.fields) == {"slot"}
