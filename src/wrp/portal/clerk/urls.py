"""The window clerk's addresses (names as before: templates and tests reverse them)."""

from django.urls import path

from wrp.portal.clerk import acceptance, checks, claims, views

urlpatterns = [
    path("clerk/", views.clerk_queue_page, name="clerk_queue"),
    path("clerk/cases/", views.clerk_cases_page, name="clerk_cases"),
    path("clerk/search/id-number", views.clerk_search_id_number, name="clerk_search_id_number"),
    path("clerk/assign", claims.clerk_assign, name="clerk_assign"),
    path("clerk/cases/<str:public_id>/claim", claims.clerk_claim, name="clerk_claim"),
    path("clerk/cases/<str:public_id>/release", claims.clerk_release, name="clerk_release"),
    path("clerk/cases/<str:public_id>/", views.clerk_case, name="clerk_case"),
    path("clerk/cases/<str:public_id>/start", views.clerk_start_review, name="clerk_start_review"),
    path("clerk/cases/<str:public_id>/materials/<str:code>/view", views.clerk_material_view,
         name="clerk_material_view"),
    path("clerk/cases/<str:public_id>/materials/<str:code>/verdict", views.clerk_verdict, name="clerk_verdict"),
    path("clerk/cases/<str:public_id>/manual-checks/<str:check>", checks.clerk_manual_check,
         name="clerk_manual_check"),
    path("clerk/cases/<str:public_id>/return", views.clerk_return, name="clerk_return"),
    path("clerk/cases/<str:public_id>/decide", views.clerk_decide, name="clerk_decide"),
    path("clerk/cases/<str:public_id>/reject", views.clerk_reject, name="clerk_reject"),
    path("clerk/cases/<str:public_id>/accept", acceptance.clerk_accept, name="clerk_accept"),
    path("clerk/cases/<str:public_id>/refuse-acceptance", acceptance.clerk_refuse_acceptance,
         name="clerk_refuse_acceptance"),
]
