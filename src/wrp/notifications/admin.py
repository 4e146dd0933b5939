"""The administrator's view of notices and the delivery log (read-only: notices are written by `notify` alone)."""

from __future__ import annotations

from django.contrib import admin

from wrp.notifications.models import ContactPreference, Delivery, Notification


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "address", "status", "attempts", "last_error", "sent_at")
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("created_at", "recipient", "event", "subject", "read_at")
    list_filter = ("event",)
    search_fields = ("recipient__username", "key", "subject")
    date_hierarchy = "created_at"
    inlines = (DeliveryInline,)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("created_at", "notification", "channel", "address", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("notification__recipient__username", "notification__key")
    list_select_related = ("notification",)


@admin.register(ContactPreference)
class ContactPreferenceAdmin(ReadOnly):
    list_display = ("user", "email_on", "email_verified", "sms_on", "mobile_verified", "language")
    search_fields = ("user__username",)
    fields = ("user", "email_verified", "mobile_verified", "email_on", "sms_on", "language", "updated_at")
    readonly_fields = fields
