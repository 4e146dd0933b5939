"""Response hardening that holds for every page, and the pages' answer to an integrity failure.

`ResponseHeadersMiddleware` (outermost but for Django's SecurityMiddleware, so it sees every answer last):
- a download — any answer with a `Content-Disposition`, or a PDF — is sandboxed (`Content-Security-Policy: sandbox`
  replaces the pages' policy: a file that the browser renders runs no script, submits no form and has no origin),
  never sniffed, never stored;
- every answer to a signed-in user and every answer of the API (personal data) is `Cache-Control: no-store`;
  public pages and the static files keep their own caching.

`IntegrityFailureMiddleware` answers an `IntegrityFailure` raised by a page (altered ciphertext, an altered or missing
stored file; `wrp.core.integrity`) with the integrity page in the site frame, HTTP 409, and raises the alert; asked
for by the clerk's PDF viewer frame, the page may be framed by the platform's own pages. The API answers its own
(`wrp.api.errors`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wrp.audit.context import request_id
from wrp.core.integrity import IntegrityFailure, integrity_alert, integrity_message

API_PREFIX = "/api/"
DOWNLOAD_TYPES = ("application/pdf", "application/octet-stream", "application/zip", "text/csv")


def is_download(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return response.has_header("Content-Disposition") or content_type in DOWNLOAD_TYPES


def _no_store(response: HttpResponse) -> None:
    """Never kept by the browser or a proxy (an answer that says no-store already keeps its own wording)."""
    if "no-store" not in response.get("Cache-Control", ""):
        response["Cache-Control"] = "no-store, private"


class ResponseHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_download(response):
            response["Content-Security-Policy"] = "sandbox"
            response["X-Content-Type-Options"] = "nosniff"
            _no_store(response)
            return response
        user = getattr(request, "user", None)
        if request.path.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            _no_store(response)
        return response


class IntegrityFailureMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, IntegrityFailure):
            return None
        integrity_alert(exception, actor=getattr(request, "user", None), path=request.path)
        context = {"message": integrity_message(exception), "request_id": request_id.get()}
        response = render(request, "integrity.html", context, status=409)
        if request.headers.get("Sec-Fetch-Dest") in ("iframe", "frame"):  # a file in the case page's viewer frame
            response._csp_replace = {"frame-ancestors": ["'self'"]}  # type: ignore[attr-defined]  (django-csp)
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response
