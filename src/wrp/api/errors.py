"""The error bodies of contracts/cases-api.md §Errors, for every endpoint, and never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

log = logging.getLogger("wrp.api")


def error_response(status: int, body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    # ninja prefixes the source ("body", "query", "path") and the parameter name; the contract wants paths relative
    # to the request body (`hukou`, not `body.payload.hukou`).
    parts = [str(part) for part in location if part != "[key]"]
    if parts and parts[0] in ("body", "query", "path", "form", "file"):
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in ("payload", "data"):
            parts = parts[1:]
    return ".".join(parts) or "body"


def install(api: NinjaAPI) -> None:
    """Register the contract's error bodies on the API."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
        fields = {_field_path(item.get("loc", ())): str(item.get("msg", "invalid")) for item in error.errors}
        return error_response(422, {"error": "invalid_request", "fields": fields})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return error_response(401, {"error": "unauthenticated"})

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, error: Throttled) -> HttpResponse:
        return error_response(429, {"error": "rate_limited"})

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        return error_response(404, {"error": "not_found"})

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "rate_limited"}
        return error_response(error.status_code, {"error": codes.get(error.status_code, "error")})

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, {"error": "server_error"})
