"""Permits in the admin site: read-only — issue, suspension, renewal and revocation are the services' decisions."""

from __future__ import annotations

from django.contrib import admin

from wrp.accounts.admin import ReadOnlyAdmin
from wrp.permits.models import Permit, PermitChild, PermitEvent


@admin.register(Permit)
class PermitAdmin(ReadOnlyAdmin):
    list_display = ("number", "holder", "unit", "status", "issued_on", "valid_until")
    list_filter = ("status",)
    search_fields = ("number", "unit__name", "unit__credit_code", "holder__username")


@admin.register(PermitEvent)
class PermitEventAdmin(ReadOnlyAdmin):
    list_display = ("permit", "at", "action", "from_status", "to_status", "actor")
    list_filter = ("action",)
    search_fields = ("permit__number",)


@admin.register(PermitChild)
class PermitChildAdmin(ReadOnlyAdmin):
    list_display = ("permit", "case", "added_on")
    search_fields = ("permit__number",)
