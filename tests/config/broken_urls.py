"""A URL map with one view that fails, for the 500 page's test (tests/config/test_error_pages.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from wrp.config import urls


def boom(request: HttpRequest) -> HttpResponse:
    field_key = b"k" * 32  # a local that Django's debug page would list
    raise RuntimeError(f"failed holding {len(field_key)} bytes")


urlpatterns = [path("boom/", boom), *urls.urlpatterns]  # the site's own, for the frame's links
handler500 = "wrp.config.errors.server_error"
