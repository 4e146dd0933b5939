"""Events of what changes no state: sign-in, failed sign-in, sign-out and administrators' actions in the admin site
are in the trail, naming the object and never personal values — and the chain still verifies."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.admin import AdminSite, ModelAdmin, site
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from wrp.accounts.models import Role
from wrp.appointments.models import Slot
from wrp.audit.admin import audited_delete_selected
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_verify

pytestmark = pytest.mark.django_db
PASSWORD = "Window-2026-pass"


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_a_sign_in_is_an_event_with_the_client_address(client):
    user = make_user(Role.APPLICANT, "signer", password=PASSWORD)
    response = client.post(reverse("accounts:login"), {"username": "signer", "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert (event.actor_id, event.object_type, event.object_id) == (user.pk, "accounts.user", str(user.pk))
    assert event.changes == {"address": "203.0.113.7"}
    assert audit_verify().ok


def test_a_failed_sign_in_names_the_username_tried_cut_short_and_the_address_never_the_password(client):
    make_user(Role.APPLICANT, "signer", password=PASSWORD)
    tried = "signer" + "x" * 100
    client.post(reverse("accounts:login"), {"username": tried, "password": "wrong-password-1"},
                REMOTE_ADDR="198.51.100.9")
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert (event.actor_id, event.actor_role, event.outcome) == (None, "anonymous", "refused")
    assert event.object_id == tried[:40]
    assert event.changes == {"address": "198.51.100.9"}
    assert "wrong-password" not in str(AuditEvent.objects.values_list())


def test_a_sign_out_is_an_event_and_signing_out_unsigned_is_not(client):
    user = make_user(Role.APPLICANT, "signer")
    client.post(reverse("accounts:logout"))
    assert "auth.logout" not in actions()
    client.force_login(user)
    client.post(reverse("accounts:logout"))
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor_id == user.pk


def test_a_change_in_the_admin_site_is_an_event_naming_the_fields_not_their_values(client):
    administrator = make_user(Role.ADMIN, "root")
    start = timezone.make_aware(datetime(2030, 3, 4, 9))
    slot = Slot.objects.create(start=start, end=start + timedelta(minutes=30), capacity=2)
    client.force_login(administrator)
    response = client.post(reverse("admin:appointments_slot_change", args=[slot.pk]), {"capacity": "5"})
    assert response.status_code == 302, response.content[:500]
    event = AuditEvent.objects.filter(action="admin.change").get()
    assert (event.actor_id, event.object_type, event.object_id) == (administrator.pk, "appointments.slot", str(slot.pk))
    assert event.changes["admin_action"] == "change"
    assert event.changes["fields"] == ["容量"]  # the field's name, not the value 5
    assert audit_verify().ok


def test_an_admin_log_entry_is_an_event_whoever_writes_it():
    administrator = make_user(Role.ADMIN, "root")
    user = make_user(Role.APPLICANT, "张三的账号")
    LogEntry.objects.log_actions(administrator.pk, [user], CHANGE, [{"changed": {"fields": ["姓名"]}}],
                                 single_object=True)
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.object_type, event.object_id, event.changes) == (
        "accounts.user", str(user.pk), {"admin_action": "change", "fields": ["姓名"]})
    assert "张三" not in str(event.changes)


def test_deleting_several_objects_at_once_in_the_admin_is_an_event_per_object():
    """The admin logs a bulk deletion with bulk_create (no post_save): the site's delete action notes each."""
    administrator = make_user(Role.ADMIN, "root")
    start = timezone.make_aware(datetime(2030, 3, 4, 9))
    slots = [Slot.objects.create(start=start + timedelta(hours=n), end=start + timedelta(hours=n, minutes=30),
                                 capacity=2) for n in range(3)]
    request = RequestFactory().post("/admin/", {"post": "yes"})
    request.user, request.session = administrator, SessionStore()
    request._messages = FallbackStorage(request)
    assert site.get_action("delete_selected") is audited_delete_selected
    audited_delete_selected(ModelAdmin(Slot, AdminSite()), request, Slot.objects.filter(pk__in=[s.pk for s in slots]))
    assert not Slot.objects.exists()
    events = AuditEvent.objects.filter(action="admin.change")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(slot.pk) for slot in slots)
    assert {event.changes["admin_action"] for event in events} == {"delete"}
    assert audit_verify().ok
