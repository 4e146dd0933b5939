"""The bureau portal's addresses (names as before: templates and tests reverse them)."""

from django.urls import path

from wrp.portal.bureau import casefile, extension, followups, oversight, views

urlpatterns = [
    path("bureau/", views.bureau_queue, name="bureau_queue"),
    path("bureau/cases/<str:public_id>/approve/", views.bureau_case_approve, name="bureau_case_approve"),
    path("bureau/cases/<str:public_id>/reject/", views.bureau_case_reject, name="bureau_case_reject"),
    path("bureau/cases/<str:public_id>/extend/", extension.bureau_case_extend, name="bureau_case_extend"),
    path("bureau/cases/<str:public_id>/materials/<str:code>/view", casefile.bureau_material_view,
         name="bureau_material_view"),
    path("bureau/quotas/", views.bureau_quotas, name="bureau_quotas"),
    path("bureau/quotas/<int:pk>/grant/", views.bureau_quota_grant, name="bureau_quota_grant"),
    path("bureau/late-releases/", oversight.bureau_late_releases, name="bureau_late_releases"),
    path("bureau/penalties/", oversight.bureau_penalties, name="bureau_penalties"),
    path("bureau/penalties/impose/", oversight.bureau_penalty_impose, name="bureau_penalty_impose"),
    path("bureau/penalties/<int:pk>/lift/", oversight.bureau_penalty_lift, name="bureau_penalty_lift"),
    path("bureau/audits/", oversight.bureau_audits, name="bureau_audits"),
    path("bureau/ratings/", followups.bureau_rating_follow_ups, name="bureau_rating_follow_ups"),
    path("bureau/ratings/<int:pk>/call-back/", followups.bureau_rating_follow_up_close,
         name="bureau_rating_follow_up_close"),
]

# The processing statistics (wrp.statistics): the bureau's dashboard.
from wrp.statistics import views as statistics  # noqa: E402

urlpatterns += [path("bureau/statistics/", statistics.bureau_statistics, name="bureau_statistics")]

# The bureau's own webhook endpoints (wrp.webhooks): portal:bureau_webhooks and the rest.
from django.urls import include  # noqa: E402

from wrp.webhooks.urls import bureau_urlpatterns as webhook_pages  # noqa: E402

urlpatterns += [path("bureau/webhooks/", include(webhook_pages))]
