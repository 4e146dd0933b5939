"""Document downloads and the public permit verification page (issue 6).

URL names for the portals' links: `documents:case_document` (public_id, kind — one of
generated.CASE_DOCUMENTS), `documents:permit_certificate` (number), `documents:verify` (token).
"""

from django.urls import path

from wrp.documents import views

app_name = "documents"
urlpatterns = [
    path("cases/<str:public_id>/documents/<slug:kind>.pdf", views.case_document_view, name="case_document"),
    path("permits/<str:number>/certificate.pdf", views.permit_certificate_view, name="permit_certificate"),
    path("verify/<str:token>/", views.verify_view, name="verify"),
]
