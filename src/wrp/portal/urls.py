"""The portals: each role's pages in its own module, and the shared case page."""

from django.urls import path

from wrp.portal import admin_home, applicant, bureau, case_page, clerk, unit

app_name = "portal"
urlpatterns = [
    path("cases/<str:public_id>/", case_page.case_detail, name="case"),
    *applicant.urlpatterns,
    *unit.urlpatterns,
    *clerk.urlpatterns,
    *bureau.urlpatterns,
    *admin_home.urlpatterns,
]
