"""The portals: each role's pages in its own package, the shared case page and the administrator's page."""

from django.urls import path

from wrp.portal import admin_home, case_page
from wrp.portal.applicant import urls as applicant
from wrp.portal.bureau import urls as bureau
from wrp.portal.clerk import urls as clerk
from wrp.portal.common import ratings, uploads
from wrp.portal.notifications import urls as notifications
from wrp.portal.unit import urls as unit

app_name = "portal"
urlpatterns = [
    path("cases/<str:public_id>/", case_page.case_detail, name="case"),
    path("cases/<str:public_id>/reveal/", case_page.case_reveal, name="case_reveal"),
    path("cases/<str:public_id>/rating/", ratings.case_rating, name="case_rate"),
    path("cases/<str:public_id>/materials/<str:code>/check/", uploads.material_check_view, name="material_check"),
    *applicant.urlpatterns,
    *unit.urlpatterns,
    *clerk.urlpatterns,
    *bureau.urlpatterns,
    *admin_home.urlpatterns,
    *notifications.urlpatterns,
]
