"""The request being served, for the audit trail: an id per request, sent back as X-Request-ID, stored on the audit
events (wrp.audit.services), added to every log line (wrp.ops.logs) and shown on the error pages (500, 404, 403,
integrity) as the number to quote when calling the office. Also `request.request_id`, for templates."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = uuid.uuid4().hex
        token = request_id.set(value)
        request.request_id = value  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = value
        return response
