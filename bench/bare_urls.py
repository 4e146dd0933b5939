"""The platform's URLs plus `/bench/bare/`: a signed-in bare Django view ("ok" behind login_required), the yardstick
of bench/pages.py — the same server, middleware and session as the pages, none of their work."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from wrp.config.urls import handler500
from wrp.config.urls import urlpatterns as platform

__all__ = ["handler500", "urlpatterns"]


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *platform]
