"""Scheduled runs in the admin site, read-only: the administrator sees each job's runs, their status, attempts and
last error (a failed run is listed first under the `failed` filter). django-tasks-db registers its own queue records."""

from __future__ import annotations

from django.contrib import admin

from wrp.accounts.admin import ReadOnlyAdmin
from wrp.tasks.models import ScheduledRun


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ("job", "period", "status", "attempts", "started_at", "finished_at", "next_attempt_at")
    list_filter = ("status", "job")
    search_fields = ("job", "period", "error")
    date_hierarchy = "created_at"
