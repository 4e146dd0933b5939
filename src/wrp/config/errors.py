"""The error pages that Django's own views would render outside the site frame.

`server_error` (handler500) renders 500.html with the footer's office details only: no request context, so no context
processor touches the database that may be what failed. It speaks the visitor's language, read from the request itself
(the language cookie, then Accept-Language) as LocaleMiddleware reads it, since the failure may have come before that
ran; its language switch posts with the CSRF token of the request's cookie (no session, no database).
`csrf_failure` (CSRF_FAILURE_VIEW) renders 403_csrf.html in the site frame instead of Django's page with its inline
style, which the Content-Security-Policy would refuse.
400, 403 and 404 are Django's views with our templates (they render with the request).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils import translation

from wrp.audit.context import request_id
from wrp.public.context import OFFICE


def server_error(request: HttpRequest) -> HttpResponse:
    context = {"office": OFFICE, "request_id": request_id.get(), "csrf_token": get_token(request)}
    with translation.override(translation.get_language_from_request(request)):
        body = loader.get_template("500.html").render(context)
    return HttpResponseServerError(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
