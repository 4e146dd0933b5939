"""Quotas in the admin site: read-only — requests are decided and the ledger moved by the services alone."""

from __future__ import annotations

from django.contrib import admin

from wrp.accounts.admin import ReadOnlyAdmin
from wrp.quotas.models import QuotaLedger, QuotaRequest


@admin.register(QuotaRequest)
class QuotaRequestAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "requested", "state", "granted", "requested_at", "decided_at")
    list_filter = ("state", "year")
    search_fields = ("unit__name", "unit__credit_code")


@admin.register(QuotaLedger)
class QuotaLedgerAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "granted", "reserved", "used", "remaining")
    list_filter = ("year",)
    search_fields = ("unit__name", "unit__credit_code")
