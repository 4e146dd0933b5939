"""The invited employee's pages, for the applicant portal's urls (`path("", include("wrp.imports.applicant_urls"))`,
names in the portal's namespace)."""

from django.urls import path

from wrp.imports import applicant_views

urlpatterns = [
    path("me/invitations/", applicant_views.invitations_page, name="applicant_invitations"),
    path(
        "me/invitations/<int:pk>/accept/",
        applicant_views.invitation_answer,
        {"answer": "accept"},
        name="applicant_invitation_accept",
    ),
    path(
        "me/invitations/<int:pk>/decline/",
        applicant_views.invitation_answer,
        {"answer": "decline"},
        name="applicant_invitation_decline",
    ),
]
