"""The applicant portal's addresses (names as before: templates and tests reverse them)."""

from django.urls import include, path

from wrp.portal.applicant import appointment, cases, housing_loan, views

urlpatterns = [
    path("me/", views.home, name="applicant_home"),
    path("me/profile/", views.profile, name="applicant_profile"),
    path("me/check/", views.self_check, name="applicant_check"),
    path("me/association/", views.association, name="applicant_association"),
    path("me/cases/", views.cases, name="applicant_cases"),
    path("me/cases/new/", cases.case_new, name="applicant_case_new"),
    path("me/cases/<str:public_id>/upload/", cases.case_upload, name="applicant_case_upload"),
    path("me/cases/<str:public_id>/submit/", cases.case_submit_to_unit, name="applicant_case_submit"),
    path("me/cases/<str:public_id>/withdraw/", cases.case_withdraw_view, name="applicant_case_withdraw"),
    path("me/cases/<str:public_id>/housing-loan/", housing_loan.case_housing_loan, name="applicant_case_housing_loan"),
    path("me/permit/", views.permit, name="applicant_permit"),
    # the slip of a case booked at the window: the applicant's and the unit handler's (the case selector decides)
    path("cases/<str:public_id>/appointment/", appointment.appointment_slip, name="appointment_slip"),
    # a unit's invitation from a bulk import, which the employee accepts or declines (wrp.imports)
    path("", include("wrp.imports.applicant_urls")),
]
