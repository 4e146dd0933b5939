"""The error bodies of contracts/cases-api.md §Errors, for every endpoint, and never a stack trace.

A service's refusal keeps the contract's body and adds its stable `code`; its messages (the `fields` of an invalid
request, the message of a refused file) are rendered in the caller's language, read from `Accept-Language` by
`message_language` — the API's one language picker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from wrp.audit.context import request_id
from wrp.audit.services import audit_note
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
from wrp.core.integrity import IntegrityFailure, integrity_alert, integrity_message
from wrp.core.language import DJANGO_LANGUAGE

log = logging.getLogger("wrp.api")
BODY_TOO_LARGE = _("请求内容过大，未被处理。")
TOO_MANY_PARTS = _("请求中的文件或字段过多，未被处理。")


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


def body_refused(request: HttpRequest, status: int, code: str, message: Any) -> JsonResponse:
    """A body Django would not read whole (too large, too many parts): the contract's `invalid_request` naming
    `body`, with its code (413 or 400), never a 500."""
    log.warning("request body refused (%s): %s %s", code, request.method, request.path)
    with translation.override(DJANGO_LANGUAGE[message_language(request)]):
        return error_response(status, {"error": "invalid_request", "fields": {"body": str(message)}, "code": code})


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


def note_denial(request: HttpRequest, refusal: ServiceError, outcome: str) -> None:
    """The `access.denied` audit event of a 404 or 403: what was asked (the path's ids) and the refusal's code."""
    caller = getattr(request, "auth", None)
    caller = caller if getattr(caller, "pk", None) else None
    match = request.resolver_match
    asked = "/".join(str(value) for value in (match.kwargs.values() if match is not None else ()))
    object_type = refusal.code.removesuffix("_not_found") if outcome == "not_found" else ""
    if not object_type:
        object_type = next(iter(filter(None, request.path.removeprefix("/api/v1/").split("/"))), "")
    audit_note(actor=caller, actor_role="" if caller is not None else "anonymous", action="access.denied",
               object_type=object_type[:40], object_id=asked[:64], outcome=outcome,
               changes={"code": refusal.code, "via": "api"})


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
        response = error_response(429, {"error": "rate_limited"})
        if error.wait:
            response["Retry-After"] = str(int(error.wait))
        return response

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
        note_denial(request, error, "not_found")
        return refusal_response(request, 404, error, error="not_found")

    @api.exception_handler(Forbidden)
    def forbidden(request: HttpRequest, error: Forbidden) -> HttpResponse:
        note_denial(request, error, "forbidden")
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

    @api.exception_handler(IntegrityFailure)
    def integrity_error(request: HttpRequest, error: IntegrityFailure) -> HttpResponse:
        """Stored data altered or missing (wrp.core.integrity): 409 with its code, and an audit alert."""
        integrity_alert(error, actor=getattr(request, "auth", None), path=request.path)
        with translation.override(DJANGO_LANGUAGE[message_language(request)]):
            message = str(integrity_message(error))
        return error_response(409, {"error": "integrity_error", "code": error.kind, "message": message,
                                    "request_id": request_id.get()})

    @api.exception_handler(RequestDataTooBig)
    def body_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
        return body_refused(request, 413, "request_too_large", BODY_TOO_LARGE)

    @api.exception_handler(TooManyFilesSent)
    def too_many_files(request: HttpRequest, error: TooManyFilesSent) -> HttpResponse:
        return body_refused(request, 400, "too_many_files", TOO_MANY_PARTS)

    @api.exception_handler(TooManyFieldsSent)
    def too_many_fields(request: HttpRequest, error: TooManyFieldsSent) -> HttpResponse:
        return body_refused(request, 400, "too_many_fields", TOO_MANY_PARTS)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, error: Exception) -> HttpResponse:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, {"error": "server_error"})
