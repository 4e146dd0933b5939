from django.contrib import admin

from wrp.audit.models import AuditEvent


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
