"""The unit portal's addresses (names as before: templates and tests reverse them)."""

from django.urls import include, path

from wrp.portal.unit import cases, documents, employees, housing_loan, radar, views

urlpatterns = [
    path("unit/", views.unit_home, name="unit_home"),
    path("unit/register/", views.unit_register_page, name="unit_register"),
    path("unit/units/<str:credit_code>/association-code/", views.unit_code_regenerate, name="unit_code_regenerate"),
    path("unit/units/<str:credit_code>/account/<str:kind>/", views.unit_account, name="unit_account"),
    path("unit/quota/", views.unit_quota, name="unit_quota"),
    path("unit/employees/", employees.unit_employees, name="unit_employees"),
    path("unit/employees/<int:pk>/accept/", employees.association_accept_view, name="unit_association_accept"),
    path("unit/employees/<int:pk>/refuse/", employees.association_refuse_view, name="unit_association_refuse"),
    path("unit/employees/<int:pk>/departure/", employees.association_departure_view,
         name="unit_association_departure"),
    path("unit/employees/<int:pk>/release/", employees.association_release_view, name="unit_association_release"),
    path("unit/employees/<int:pk>/cases/new/", employees.case_start, name="unit_case_start"),
    path("unit/radar/", radar.unit_radar, name="unit_radar"),
    path("unit/imports/", include("wrp.imports.urls")),
    path("unit/cases/", cases.unit_cases, name="unit_cases"),
    path("unit/cases/<str:public_id>/materials/<str:code>/", cases.material_upload_view, name="unit_material_upload"),
    path("unit/cases/<str:public_id>/materials/<str:code>/reuse/", cases.material_reuse_view,
         name="unit_material_reuse"),
    path("unit/cases/<str:public_id>/submit/", cases.case_submit_view, name="unit_case_submit"),
    path("unit/cases/<str:public_id>/resubmit/", cases.case_resubmit_view, name="unit_case_resubmit"),
    path("unit/cases/<str:public_id>/send-back/", cases.case_send_back_view, name="unit_case_send_back"),
    path("unit/cases/<str:public_id>/withdraw/", cases.case_withdraw_view, name="unit_case_withdraw"),
    path("unit/cases/<str:public_id>/answers/", cases.case_answers_view, name="unit_case_answers"),
    path("unit/cases/<str:public_id>/housing-loan/", housing_loan.case_housing_loan, name="unit_case_housing_loan"),
    path("unit/documents/", documents.unit_documents_page, name="unit_documents"),
    path("unit/documents/<str:credit_code>/<str:code>/", documents.unit_document_upload_view,
         name="unit_document_upload"),
    path("unit/documents/<str:credit_code>/<str:code>/file/", documents.unit_document_file, name="unit_document_file"),
    path("unit/documents/<str:credit_code>/<str:code>/check/", documents.unit_document_check_view,
         name="unit_document_check"),
]

# The webhook pages (wrp.webhooks): portal:unit_webhooks and the rest.
from wrp.webhooks.urls import unit_urlpatterns as webhook_pages  # noqa: E402

urlpatterns += [path("unit/webhooks/", include(webhook_pages))]
