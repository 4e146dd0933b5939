from django.urls import path

from wrp.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check, name="check"),
]

# The public case tracker (案件进度查询): the notifications link to it.
from wrp.public import tracker  # noqa: E402

urlpatterns += [path("track/", tracker.track, name="track")]

# The guide pages (办事指南), one per service item, generated from wrp.policy.
from wrp.public import guide  # noqa: E402

urlpatterns += [
    path("guide/", guide.guide_index, name="guide_index"),
    path("guide/<str:service>/", guide.guide_page, name="guide"),
]

# Verification of an issued document by its 文号 and SHA-256 (the permit's QR page is `documents:verify`).
from wrp.public import verification  # noqa: E402

urlpatterns += [path("verify/", verification.verify_document_view, name="verify_document")]

# The live processing figures (wrp.statistics), without personal data.
from wrp.statistics import views as statistics  # noqa: E402

urlpatterns += [path("statistics/", statistics.public_statistics, name="statistics")]
