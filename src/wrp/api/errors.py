"""The error bodies of contracts/cases-api.md §Errors, for every endpoint, and never a stack trace.

A service's refusal keeps the contract's body and adds its stable `code`; its messages (the `fields` of an invalid
request, the message of a refused file) are rendered in the caller's language, read from `Accept-Language` by
`message_language` — the API's one language picker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from wrp.core.errors import (
    FileRefused,
    Forbidden,
    Ineligible,
    Invalid,
    InvalidState,
    MaterialsMissing,
    NotFound,
    ServiceError,
)
from wrp.core.language import DJANGO_LANGUAGE

log = logging.getLogger("wrp.api")


def message_language(request: HttpRequest) -> str:
    """`en` when the Accept-Language header prefers English over Chinese, else `zh` (the default)."""
    for tag, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return "zh"


def error_response(status: int, body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def refusal_response(request: HttpRequest, status: int, refusal: ServiceError, /, **body: Any) -> JsonResponse:
    """The contract body `{"error", **body}` of a service's refusal, with its `code`, rendered in the caller's language.

    `body` values may be lazy messages (or dicts of them): they are rendered under the language of `message_language`.
    """
    with translation.override(DJANGO_LANGUAGE[message_language(request)]):
        rendered = {key: _rendered(value) for key, value in body.items()}
    return error_response(status, {**rendered, "code": refusal.code})


def _rendered(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _rendered(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rendered(item) for item in value]
    return str(value) if isinstance(value, Promise) else value


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    # ninja prefixes the source ("body", "query", "path") and the parameter name; the contract wants paths relative
    # to the request body (`hukou`, not `body.payload.hukou`).
    # A body that is not an object at all is named `body`, not after the Python parameter.
    parts = [str(part) for part in location if part != "[key]"]
    if parts and parts[0] in ("body", "query", "path", "form", "file"):
        parts = parts[1:]
        if parts and parts[0] in ("payload", "data"):
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
        if error.status_code == 400:  # a body ninja could not parse (not JSON): the contract's invalid request
            return error_response(422, {"error": "invalid_request", "fields": {"body": str(error) or "invalid body"}})
        codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "rate_limited"}
        return error_response(error.status_code, {"error": codes.get(error.status_code, "error")})

    @api.exception_handler(NotFound)
    def service_not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
        return refusal_response(request, 404, error, error="not_found")

    @api.exception_handler(Forbidden)
    def forbidden(request: HttpRequest, error: Forbidden) -> HttpResponse:
        return refusal_response(request, 403, error, error="forbidden")

    @api.exception_handler(InvalidState)
    def invalid_state(request: HttpRequest, error: InvalidState) -> HttpResponse:
        return refusal_response(request, 409, error, error="invalid_state", state=error.state)

    @api.exception_handler(Invalid)
    def invalid_input(request: HttpRequest, error: Invalid) -> HttpResponse:
        return refusal_response(request, 422, error, error="invalid_request", fields=error.fields)

    @api.exception_handler(Ineligible)
    def ineligible(request: HttpRequest, error: Ineligible) -> HttpResponse:
        assessment = error.assessment[message_language(request)]
        return refusal_response(request, 422, error, error="ineligible", assessment=assessment)

    @api.exception_handler(MaterialsMissing)
    def materials_missing(request: HttpRequest, error: MaterialsMissing) -> HttpResponse:
        return refusal_response(request, 422, error, error="materials_missing", missing=error.missing)

    @api.exception_handler(FileRefused)
    def file_refused(request: HttpRequest, error: FileRefused) -> HttpResponse:
        return refusal_response(request, 422, error, error="file_refused", reason=error.reason, message=error.message)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, {"error": "server_error"})
