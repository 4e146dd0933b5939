"""URL map: public pages, the API under /api/v1/, the admin, and the language switch."""

from django.contrib import admin
from django.urls import include, path

from wrp.api.api import api

urlpatterns = [
    path("", include("wrp.ops.urls")),  # /health/live, /health/ready, /metrics (monitoring networks only)
    path("", include("wrp.public.urls")),
    path("", include("wrp.portal.documents")),
    path("", include("wrp.accounts.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),  # unified login (wrp.accounts.oidc): 404 unless configured
    path("", include("wrp.portal.urls")),
    path("", include("wrp.exports.urls")),  # list downloads (/exports/…) and the bureau's audit extract
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler500 = "wrp.config.errors.server_error"  # the site frame without the request's context (no database)
