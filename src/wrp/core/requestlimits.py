"""A request body over MAX_REQUEST_BYTES is refused with 413 before it is read.

A declared `Content-Length` over the limit is answered at once, without a byte of the body read into memory (the
server discards what the client still sends). A chunked body (no `Content-Length`) is read up to the limit and one
byte more: past it, the same 413; within it, the request goes on with the body it read, its length now known (Django
would otherwise see an empty body). Within the limit Django's own limits apply: DATA_UPLOAD_MAX_MEMORY_SIZE for what
is not a file, DATA_UPLOAD_MAX_NUMBER_FILES and _FIELDS — the API (`wrp.api.errors`) and the pages (the site's 400
page) answer those with a 4xx too.

The API answers the contract's error body (`invalid_request` naming `body`, code `request_too_large`); the pages,
the site's 400 page with status 413, rendered without the request (no middleware has run yet to give it a user).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("wrp.requests")

API_PREFIX = "/api/"
READ_CHUNK = 64 * 1024
TOO_LARGE = _("请求内容过大（超过 %(megabytes)d MB），未被处理。")


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BYTES
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # Django treats a malformed length as no body
            if too_large:
                return refuse(request, limit)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and "wsgi.input" in request.META:
            body = _read_capped(request.META["wsgi.input"], limit)
            if body is None:
                return refuse(request, limit)
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))  # type: ignore[attr-defined]
        return self.get_response(request)


def _read_capped(stream: io.RawIOBase, limit: int) -> bytes | None:
    """The whole body, or None once it is longer than `limit` (never more than limit + one chunk held)."""
    parts, size = [], 0
    while True:
        part = stream.read(min(READ_CHUNK, limit + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > limit:
            return None


def refuse(request: HttpRequest, limit: int) -> HttpResponse:
    logger.warning("request body over %d bytes refused: %s %s", limit, request.method, request.path)
    megabytes = limit // (1024 * 1024)
    if request.path.startswith(API_PREFIX):
        with translation.override("en" if _prefers_english(request) else "zh-hans"):
            message = str(TOO_LARGE % {"megabytes": megabytes})
        return JsonResponse(
            {"error": "invalid_request", "fields": {"body": message}, "code": "request_too_large"},
            status=413, json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponse(render_to_string("400.html"), status=413)


def _prefers_english(request: HttpRequest) -> bool:
    header = request.headers.get("Accept-Language", "").lower()
    english, chinese = header.find("en"), header.find("zh")
    return english >= 0 and (chinese < 0 or english < chinese)
