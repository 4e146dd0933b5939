"""The exports' addresses: a list's download, and the bureau's audit extract page."""

from django.urls import path

from wrp.exports import audit, views

app_name = "exports"

urlpatterns = [
    path("exports/<slug:name>.<str:fmt>", views.export_download, name="download"),
    path("bureau/audit-events/", audit.bureau_audit_events, name="audit_events"),
]
