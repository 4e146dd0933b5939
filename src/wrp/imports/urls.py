"""The bulk pages, included by the unit portal's urls under /unit/imports/ (names in the portal's namespace)."""

from django.urls import path

from wrp.imports import views

urlpatterns = [
    path("", views.imports_home, name="imports_home"),
    path("template.xlsx", views.template_download, name="imports_template"),
    path("precheck/", views.employees_precheck, name="imports_employees_precheck"),
    path("drafts/", views.batch_drafts_view, name="imports_drafts"),
    path("<str:public_id>/", views.import_detail, name="imports_detail"),
    path("<str:public_id>/progress/", views.import_progress, name="imports_progress"),
    path("<str:public_id>/confirm/", views.import_confirm_view, name="imports_confirm"),
    path("<str:public_id>/precheck/", views.batch_precheck, name="imports_precheck"),
]
