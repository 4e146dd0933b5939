from django.contrib import admin

from wrp.documents.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Read-only: files are stored by `upload_pdf`/`store_file` alone, and never served from here."""

    list_display = ("id", "original_name", "pages", "size", "sha256", "uploaded_by", "uploaded_at")
    list_filter = ("uploaded_at",)
    search_fields = ("sha256", "original_name")
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
