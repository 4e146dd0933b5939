"""The error pages that Django's own views would render outside the site frame.

`server_error` (handler500) renders 500.html with the footer's office details only: no request context, so no context
processor touches the database that may be what failed. `csrf_failure` (CSRF_FAILURE_VIEW) renders 403_csrf.html in
the site frame instead of Django's page with its inline style, which the Content-Security-Policy would refuse.
400, 403 and 404 are Django's views with our templates (they render with the request).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from wrp.audit.context import request_id
from wrp.public.context import OFFICE


def server_error(request: HttpRequest) -> HttpResponse:
    body = loader.get_template("500.html").render({"office": OFFICE, "request_id": request_id.get()})
    return HttpResponseServerError(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
