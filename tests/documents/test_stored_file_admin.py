from django.contrib import admin
from django.test import RequestFactory

from wrp.documents.models import StoredFile


def test_stored_files_are_read_only_in_the_admin():
    model_admin = admin.site._registry[StoredFile]
    request = RequestFactory().get("/admin/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
