"""The administrator's side of appointments: the slot settings (one row), a slot's capacity, the bookings (read-only).

Every change goes through `wrp.appointments.services`, which checks the values again under a row lock and audits it.
The site itself admits administrators only (`wrp.accounts.admin`); the change permissions here say so again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wrp.accounts.admin import ReadOnlyAdmin
from wrp.accounts.models import Role
from wrp.appointments.models import Booking, Slot, SlotSettings
from wrp.appointments.services import slot_capacity_set, slot_settings_update
from wrp.core.errors import Forbidden, Invalid


def _is_administrator(request: HttpRequest) -> bool:
    return bool(request.user.is_active and getattr(request.user, "role", None) == Role.ADMIN)


def _refusal_message(error: Invalid | Forbidden) -> str:
    return "; ".join(error.messages().values()) if isinstance(error, Invalid) else str(error)


@admin.register(SlotSettings)
class SlotSettingsAdmin(admin.ModelAdmin):
    """One row: adding is possible only while it does not exist; it is never deleted."""

    list_display = ("__str__", "slot_minutes", "capacity")
    fields = ("slot_minutes", "capacity")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request) and not SlotSettings.objects.filter(id=1).exists()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        try:
            slot_settings_update(slot_minutes=obj.slot_minutes, capacity=obj.capacity, actor=request.user)
        except (Invalid, Forbidden) as error:
            messages.error(request, _refusal_message(error))


class SlotForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ("capacity",)

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity < self.instance.booked:
            raise forms.ValidationError(
                _("不得少于已预约数 %(booked)s"),
                params={"booked": self.instance.booked},
            )
        return capacity


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    """Slots are created by listing them; only the capacity of one can be changed here."""

    form = SlotForm
    list_display = ("__str__", "capacity", "booked", "public_id")
    list_filter = (("start", admin.DateFieldListFilter),)
    date_hierarchy = "start"
    readonly_fields = ("public_id", "start", "end", "booked")
    fields = ("public_id", "start", "end", "capacity", "booked")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        try:
            slot_capacity_set(slot=obj, capacity=form.cleaned_data["capacity"], actor=request.user)
        except (Invalid, Forbidden) as error:
            messages.error(request, _refusal_message(error))


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    """Bookings are made and freed by the case services (submission, withdrawal, rejection)."""

    list_display = ("case", "slot", "booked_at")
    list_select_related = ("case", "slot")
    search_fields = ("case__public_id",)
