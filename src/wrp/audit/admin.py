from typing import Any

from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django.db.models import QuerySet
from django.http import HttpRequest

from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record, audited_atomic


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services alone."""

    list_display = ("at", "action", "object_type", "object_id", "actor", "actor_role", "outcome")
    list_filter = ("action", "actor_role", "outcome")
    search_fields = ("object_id", "request_id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(permissions=["delete"], description=delete_selected.short_description)
def audited_delete_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Any:
    """Django's "delete selected" action, with one `admin.change` event per object when several go at once: the
    admin logs those with bulk_create, which sends no post_save for the receiver of single entries to hear."""
    confirmed = bool(request.POST.get("post"))
    targets = [str(pk) for pk in queryset.values_list("pk", flat=True)] if confirmed else []
    response = delete_selected(modeladmin, request, queryset)
    if confirmed and response is None and len(targets) > 1:
        with audited_atomic():
            for pk in targets:
                audit_record(actor=request.user, action="admin.change", object_type=modeladmin.model._meta.label_lower,
                             object_id=pk[:64], changes={"admin_action": "delete"})
    return response


admin.site.add_action(audited_delete_selected, "delete_selected")
