"""Units in the admin site: their master data is the administrators' to correct; their account status and district,
association code, penalties, associations and audits are decisions of the services and stay read-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from wrp.accounts.admin import ReadOnlyAdmin
from wrp.audit.services import audit_record
from wrp.units.models import Association, Audit, Penalty, Unit, UnitHandler


class UnitHandlerInline(admin.TabularInline):
    model = UnitHandler
    fields = readonly_fields = ("user", "added_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Master data editable (name, kind, districts, tax, capital, qualifications); the rest belongs to the services.

    Units are created by their handlers (account opening) and never deleted; the credit code is their identity.
    """

    list_display = ("name", "credit_code", "kind", "account_status", "account_district")
    list_filter = ("account_status", "kind", "registered_district")
    search_fields = ("name", "credit_code")
    readonly_fields = ("credit_code", "account_status", "account_district", "association_code", "created_at",
                       "updated_at")
    fields = ("credit_code", "name", "kind", "legal_person", "registered_district", "tax_district", "tax_paid_since",
              "registered_capital", "annual_tax", "qualifications", "account_status", "account_district",
              "association_code", "created_at", "updated_at")
    inlines = (UnitHandlerInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Unit, form: forms.ModelForm, change: bool) -> None:
        """Save the corrected master data and record which fields changed, from what to what (not personal data)."""
        before = Unit.objects.get(pk=obj.pk)
        changes = {field: [getattr(before, field), getattr(obj, field)] for field in form.changed_data}
        super().save_model(request, obj, form, change)
        if changes:
            audit_record(actor=request.user, action="unit.update_master_data", obj=obj, changes=changes)


@admin.register(Penalty)
class PenaltyAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "active", "decided_at", "lifted_at")
    list_filter = ("kind", "active")
    search_fields = ("unit__name", "unit__credit_code")


@admin.register(Association)
class AssociationAdmin(ReadOnlyAdmin):
    list_display = ("unit", "applicant", "state", "requested_at", "decided_at", "released_at", "late")
    list_filter = ("state", "late")
    search_fields = ("unit__name", "unit__credit_code", "applicant__username")


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdmin):
    list_display = ("unit", "permit", "employment_confirmed", "by", "at")
    list_filter = ("employment_confirmed",)
    search_fields = ("unit__name", "unit__credit_code")
