"""Cases in the admin site: read-only — no decision is taken outside the services (DESIGN.md §People)."""

from __future__ import annotations

from django.contrib import admin

from wrp.accounts.admin import ReadOnlyAdmin
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CorrectionNotice


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "kind", "subtype", "state", "unit", "due_on", "overdue", "created_at")
    list_filter = ("state", "kind", "overdue")
    search_fields = ("public_id", "unit__name", "unit__credit_code")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "at", "action", "actor_role", "from_state", "to_state")
    list_filter = ("action", "actor_role")
    search_fields = ("case__public_id",)


@admin.register(CaseMaterial)
class CaseMaterialAdmin(ReadOnlyAdmin):
    list_display = ("case", "code", "required", "status", "uploaded_at")
    list_filter = ("status", "code")
    search_fields = ("case__public_id",)


@admin.register(CorrectionNotice)
class CorrectionNoticeAdmin(ReadOnlyAdmin):
    list_display = ("case", "issued_at", "issued_by", "answered_at")
    search_fields = ("case__public_id",)
