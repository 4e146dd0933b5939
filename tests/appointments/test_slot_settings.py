"""The administrator's settings: slot length and capacity, one slot's capacity, and the admin pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from tests.appointments.conftest import SHANGHAI, at, make_slot, make_user
from wrp.appointments.models import Slot, SlotSettings
from wrp.appointments.selectors import slot_settings
from wrp.appointments.services import booking_create, slot_capacity_set, slot_settings_update, slots_between
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db


def test_the_settings_row_exists_after_migrating():
    settings = SlotSettings.objects.get(id=1)
    assert (settings.slot_minutes, settings.capacity) == (60, 4)


def test_without_the_settings_row_the_defaults_apply():
    SlotSettings.objects.all().delete()
    assert (slot_settings().slot_minutes, slot_settings().capacity) == (60, 4)


def test_the_administrator_sets_length_and_capacity(frozen_now, administrator):
    slot_settings_update(slot_minutes=90, capacity=6, actor=administrator)
    slots = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    assert [f"{s.start.astimezone(SHANGHAI):%H:%M}" for s in slots] == ["09:00", "10:30", "12:00", "13:30", "15:00"]
    assert {s.capacity for s in slots} == {6}
    event = AuditEvent.objects.get(action="slot_settings.update")
    assert event.changes["slot_minutes"] == [60, 90]
    assert event.changes["capacity"] == [4, 6]


def test_new_settings_recut_the_future_days_but_keep_booked_slots(frozen_now, administrator, new_case, handler):
    listed = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))  # 60 min, capacity 4
    booked = listed[1]  # 10:00–11:00
    booking_create(case=new_case(), slot_public_id=booked.public_id, actor=handler)
    slot_settings_update(slot_minutes=120, capacity=2, actor=administrator)
    kept = Slot.objects.get(pk=booked.pk)
    assert (kept.public_id, kept.capacity, kept.booked, kept.end) == (booked.public_id, 4, 1, booked.end)
    recut = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    assert [f"{s.start.astimezone(SHANGHAI):%H:%M}" for s in recut] == ["09:00", "11:00", "13:00", "15:00"]
    assert {s.capacity for s in recut} == {2}
    assert AuditEvent.objects.get(action="slot_settings.update").changes["future_slots_replaced"] == 7


def test_a_booked_slot_on_the_new_cut_is_offered_with_its_own_capacity(frozen_now, administrator, new_case, handler):
    nine = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))[0]
    booking_create(case=new_case(), slot_public_id=nine.public_id, actor=handler)
    slot_settings_update(slot_minutes=60, capacity=10, actor=administrator)
    again = slots_between(start=date(2026, 11, 27), end=date(2026, 11, 27))
    assert (again[0].public_id, again[0].capacity, again[0].booked) == (nine.public_id, 4, 1)
    assert {s.capacity for s in again[1:]} == {10}


def test_past_slots_are_left_alone_by_new_settings(frozen_now, administrator):
    past = make_slot(start=at(2026, 11, 26, 9))
    slot_settings_update(slot_minutes=60, capacity=5, actor=administrator)
    assert Slot.objects.filter(pk=past.pk).exists()


@pytest.mark.parametrize(
    ("slot_minutes", "capacity", "fields"),
    [(9, 4, {"slot_minutes"}), (481, 4, {"slot_minutes"}), (60, 0, {"capacity"}), (60, 1001, {"capacity"}),
     (0, 0, {"slot_minutes", "capacity"})],
    ids=["9-min", "481-min", "capacity-0", "capacity-1001", "both"],
)
def test_settings_out_of_range_are_refused(administrator, slot_minutes, capacity, fields):
    with pytest.raises(Invalid) as refusal:
        slot_settings_update(slot_minutes=slot_minutes, capacity=capacity, actor=administrator)
    assert set(refusal.value.fields) == fields
    assert (SlotSettings.objects.get(id=1).slot_minutes, SlotSettings.objects.get(id=1).capacity) == (60, 4)


@pytest.mark.parametrize(("slot_minutes", "capacity"), [(10, 1), (480, 1000)], ids=["lowest", "highest"])
def test_settings_at_the_bounds_are_accepted(administrator, slot_minutes, capacity):
    slot_settings_update(slot_minutes=slot_minutes, capacity=capacity, actor=administrator)
    assert (SlotSettings.objects.get(id=1).slot_minutes, SlotSettings.objects.get(id=1).capacity) == (
        slot_minutes, capacity)


@pytest.mark.parametrize("role", ["unit_handler", "window_clerk", "bureau_approver", "applicant"])
def test_only_an_administrator_changes_the_settings(role):
    with pytest.raises(Forbidden):
        slot_settings_update(slot_minutes=30, capacity=2, actor=make_user(role))
    assert SlotSettings.objects.get(id=1).slot_minutes == 60


def test_the_administrator_changes_one_slots_capacity(frozen_now, administrator):
    slot = make_slot(start=at(2026, 11, 27, 9), capacity=4)
    slot_capacity_set(slot=slot, capacity=0, actor=administrator)
    assert Slot.objects.get(pk=slot.pk).capacity == 0
    assert AuditEvent.objects.get(action="slot.set_capacity").changes == {"capacity": [4, 0]}


def test_a_slots_capacity_cannot_go_below_its_bookings(frozen_now, administrator, new_case, handler):
    slot = make_slot(start=at(2026, 11, 27, 9), capacity=4)
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    with pytest.raises(Invalid) as refusal:
        slot_capacity_set(slot=slot, capacity=1, actor=administrator)
    assert set(refusal.value.fields) == {"capacity"}
    slot_capacity_set(slot=slot, capacity=2, actor=administrator)
    assert Slot.objects.get(pk=slot.pk).capacity == 2


def test_only_an_administrator_changes_a_slots_capacity(frozen_now, handler):
    slot = make_slot(start=at(2026, 11, 27, 9), capacity=4)
    with pytest.raises(Forbidden):
        slot_capacity_set(slot=slot, capacity=9, actor=handler)


def test_the_database_refuses_an_overbooked_slot(frozen_now):
    slot = make_slot(start=at(2026, 11, 27, 9), capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=F("capacity") + 1)


# --- the admin pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client_of(client):
    def sign_in(role):
        user = make_user(role, is_staff=True)
        client.force_login(user)
        return client
    return sign_in


def test_the_administrator_edits_the_settings_in_the_admin(frozen_now, admin_client_of):
    client = admin_client_of("admin")
    response = client.post("/admin/appointments/slotsettings/1/change/", {"slot_minutes": "45", "capacity": "3"})
    assert response.status_code == 302
    assert (SlotSettings.objects.get(id=1).slot_minutes, SlotSettings.objects.get(id=1).capacity) == (45, 3)
    assert AuditEvent.objects.filter(action="slot_settings.update").count() == 1


def test_the_admin_refuses_settings_out_of_range(frozen_now, admin_client_of):
    client = admin_client_of("admin")
    response = client.post("/admin/appointments/slotsettings/1/change/", {"slot_minutes": "5", "capacity": "3"})
    assert response.status_code == 200  # the form again, with the error
    assert SlotSettings.objects.get(id=1).slot_minutes == 60


def test_the_settings_cannot_be_deleted_or_added_twice(frozen_now, admin_client_of):
    client = admin_client_of("admin")
    assert client.get("/admin/appointments/slotsettings/1/delete/").status_code == 403
    assert client.get("/admin/appointments/slotsettings/add/").status_code == 403


def test_a_clerk_cannot_change_the_settings_in_the_admin(frozen_now, admin_client_of):
    client = admin_client_of("window_clerk")
    response = client.post("/admin/appointments/slotsettings/1/change/", {"slot_minutes": "45", "capacity": "3"})
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert SlotSettings.objects.get(id=1).slot_minutes == 60


def test_the_admin_changes_a_slots_capacity_only(frozen_now, admin_client_of):
    slot = make_slot(start=at(2026, 11, 27, 9), capacity=4)
    client = admin_client_of("admin")
    response = client.post(f"/admin/appointments/slot/{slot.pk}/change/",
                           {"capacity": "6", "booked": "3", "start_0": "2030-01-01", "start_1": "09:00:00"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked, slot.start) == (6, 0, at(2026, 11, 27, 9))


def test_the_admin_refuses_a_capacity_below_the_bookings(frozen_now, admin_client_of, new_case, handler):
    slot = make_slot(start=at(2026, 11, 27, 9), capacity=4)
    booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    client = admin_client_of("admin")
    response = client.post(f"/admin/appointments/slot/{slot.pk}/change/", {"capacity": "0"})
    assert response.status_code == 200
    assert Slot.objects.get(pk=slot.pk).capacity == 4


def test_bookings_are_read_only_in_the_admin(frozen_now, admin_client_of, new_case, handler):
    slot = make_slot(start=at(2026, 11, 27, 9))
    booking = booking_create(case=new_case(), slot_public_id=slot.public_id, actor=handler)
    client = admin_client_of("admin")
    assert client.get("/admin/appointments/booking/").status_code == 200
    assert client.get(f"/admin/appointments/booking/{booking.pk}/change/").status_code == 200  # view only
    assert client.post(f"/admin/appointments/booking/{booking.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/appointments/slot/add/").status_code == 403
