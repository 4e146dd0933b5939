from django.contrib import admin

from wrp.documents.models import IssuedDocument, StoredFile, UploadCheck


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


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are issued by `wrp.documents.issuing.document_issue` alone, and never changed."""

    list_display = ("id", "number", "kind", "title", "case", "permit", "issued_at", "sha256")
    list_filter = ("kind", "issued_at")
    search_fields = ("number", "sha256")
    date_hierarchy = "issued_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UploadCheck)
class UploadCheckAdmin(admin.ModelAdmin):
    """Read-only: upload checks are made by `wrp.documents.uploads` and ended by the worker alone."""

    list_display = ("id", "purpose", "reference", "state", "refusal_code", "size", "created_at", "finished_at")
    list_filter = ("state", "purpose", "created_at")
    search_fields = ("reference", "sha256")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
