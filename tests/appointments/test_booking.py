"""Booking a slot for a case and freeing it again (booking_create, booking_cancel)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from tests.appointments.conftest import NOW, at, make_slot
from wrp.appointments import services
from wrp.appointments.models import Booking, Slot
from wrp.appointments.selectors import booking_of, slot_bookable
from wrp.appointments.services import booking_cancel, booking_create
from wrp.audit.models import AuditEvent
from wrp.core.errors import Invalid

pytestmark = pytest.mark.django_db

TOMORROW_9 = at(2026, 11, 27, 9)


def refused_naming_slot(call, **kwargs) -> str:
    with pytest.raises(Invalid) as refusal:
        call(**kwargs)
    assert set(refusal.value.fields) == {"slot"}
    return refusal.value.fields["slot"]


def test_booking_raises_the_count_and_links_the_case(frozen_now, new_case, handler):
    slot, case = make_slot(start=TOMORROW_9, capacity=2), new_case()
    booking = booking_create(case=case, slot_public_id=slot.public_id, actor=handler)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert booking_of(case) == booking
    assert booking.slot == slot
    assert booking.booked_at == NOW


def test_booking_is_audited(frozen_now, new_case, handler):
    slot, case = make_slot(start=TOMORROW_9), new_case()
    booking = booking_create(case=case, slot_public_id=slot.public_id, actor=handler)
    event = AuditEvent.objects.get(action="booking.create")
    assert (event.object_type, event.object_id, event.actor) == ("appointments.booking", str(booking.pk), handler)
    assert event.changes["slot"] == slot.public_id
    assert event.changes["case"] == case.public_id


def test_a_full_slot_is_refused_and_nothing_changes(frozen_now, new_case, handler):
    slot = make_slot(start=TOMORROW_9, capacity=1)
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    late = new_case()
    assert refused_naming_slot(booking_create, case=late, slot_public_id=slot.public_id, actor=handler) == \
        services.SLOT_FULL
    slot.refresh_from_db()
    assert slot.booked == 1
    assert booking_of(late) is None


def test_a_slot_of_capacity_zero_is_refused(frozen_now, new_case, handler):
    slot = make_slot(start=TOMORROW_9, capacity=0)
    assert refused_naming_slot(booking_create, case=new_case(), slot_public_id=slot.public_id, actor=handler) == \
        services.SLOT_FULL


def test_a_slot_that_has_started_is_refused(frozen_now, new_case, handler):
    slot = make_slot(start=NOW)  # starts now: too late
    assert refused_naming_slot(booking_create, case=new_case(), slot_public_id=slot.public_id, actor=handler) == \
        services.SLOT_PAST
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_a_slot_listed_earlier_is_refused_once_it_has_passed(frozen_now, new_case, handler):
    slot = make_slot(start=TOMORROW_9)
    frozen_now.move_to(TOMORROW_9 + timedelta(minutes=1))
    assert refused_naming_slot(booking_create, case=new_case(), slot_public_id=slot.public_id, actor=handler) == \
        services.SLOT_PAST


def test_a_slot_starting_a_minute_from_now_can_be_booked(frozen_now, new_case, handler):
    slot = make_slot(start=NOW + timedelta(minutes=1))
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_an_unknown_slot_is_refused(frozen_now, new_case, handler):
    assert refused_naming_slot(booking_create, case=new_case(), slot_public_id="no-such-slot", actor=handler) == \
        "未知时段"


def test_a_case_books_at_most_one_slot(frozen_now, new_case, handler):
    first, second, case = make_slot(start=TOMORROW_9), make_slot(start=at(2026, 11, 27, 10)), new_case()
    booking_create(case=case, slot_public_id=first.public_id, actor=handler)
    assert refused_naming_slot(booking_create, case=case, slot_public_id=second.public_id, actor=handler) == \
        services.CASE_ALREADY_BOOKED
    assert Slot.objects.get(pk=second.pk).booked == 0


def test_a_second_booking_lost_to_the_database_constraint_is_refused_not_an_error(
    frozen_now, new_case, handler, monkeypatch
):
    """The race where two calls for one case both pass the check: the unique case constraint answers."""
    first, second, case = make_slot(start=TOMORROW_9), make_slot(start=at(2026, 11, 27, 10)), new_case()
    booking_create(case=case, slot_public_id=first.public_id, actor=handler)
    checks = iter([False])  # the first check misses the booking, as in the race; the one after the error sees it
    monkeypatch.setattr(services, "_case_has_booking", lambda case: next(checks, True))
    with transaction.atomic():  # the caller's transaction survives the refusal
        assert refused_naming_slot(booking_create, case=case, slot_public_id=second.public_id, actor=handler) == \
            services.CASE_ALREADY_BOOKED
        assert Slot.objects.get(pk=second.pk).booked == 0


def test_a_refusal_inside_the_callers_transaction_leaves_it_usable(frozen_now, new_case, handler):
    slot = make_slot(start=TOMORROW_9, capacity=0)
    with transaction.atomic():
        refused_naming_slot(booking_create, case=new_case(), slot_public_id=slot.public_id, actor=handler)
        assert Slot.objects.filter(pk=slot.pk).exists()


def test_cancelling_frees_the_place(frozen_now, new_case, handler):
    slot = make_slot(start=TOMORROW_9, capacity=1)
    case = new_case()
    booking_create(case=case, slot_public_id=slot.public_id, actor=handler)
    booking_cancel(case=case, actor=handler)
    slot.refresh_from_db()
    assert slot.booked == 0
    assert booking_of(case) is None
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)  # the place is free again
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_cancelling_is_audited(frozen_now, new_case, handler):
    slot, case = make_slot(start=TOMORROW_9), new_case()
    booking = booking_create(case=case, slot_public_id=slot.public_id, actor=handler)
    booking_cancel(case=case, actor=handler)
    event = AuditEvent.objects.get(action="booking.cancel")
    assert (event.object_type, event.object_id) == ("appointments.booking", str(booking.pk))
    assert event.changes["slot"] == slot.public_id


def test_cancelling_twice_changes_nothing_the_second_time(frozen_now, new_case, handler):
    slot, case = make_slot(start=TOMORROW_9), new_case()
    booking_create(case=case, slot_public_id=slot.public_id, actor=handler)
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    booking_cancel(case=case, actor=handler)
    booking_cancel(case=case, actor=handler)
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert AuditEvent.objects.filter(action="booking.cancel").count() == 1


def test_cancelling_a_case_without_booking_is_fine(frozen_now, new_case, handler):
    booking_cancel(case=new_case(), actor=handler)
    assert not Booking.objects.exists()
    assert not AuditEvent.objects.filter(action="booking.cancel").exists()


def test_a_case_can_book_again_after_cancelling(frozen_now, new_case, handler):
    first, second, case = make_slot(start=TOMORROW_9), make_slot(start=at(2026, 11, 27, 10)), new_case()
    booking_create(case=case, slot_public_id=first.public_id, actor=handler)
    booking_cancel(case=case, actor=handler)
    booking_create(case=case, slot_public_id=second.public_id, actor=handler)
    assert booking_of(case).slot == second
    assert [s.booked for s in Slot.objects.order_by("start")] == [0, 1]


def test_slot_bookable_answers_the_slot_while_it_has_room(frozen_now):
    slot = make_slot(start=TOMORROW_9, capacity=1)
    assert slot_bookable(slot.public_id) == slot


@pytest.mark.parametrize(
    ("start", "capacity", "message"),
    [(NOW, 4, services.SLOT_PAST), (TOMORROW_9, 0, services.SLOT_FULL)],
    ids=["started", "full"],
)
def test_slot_bookable_refuses_naming_slot(frozen_now, start, capacity, message):
    slot = make_slot(start=start, capacity=capacity)
    assert refused_naming_slot(slot_bookable, public_id=slot.public_id) == message
    assert refused_naming_slot(slot_bookable, public_id="unknown") == services.UNKNOWN_SLOT
