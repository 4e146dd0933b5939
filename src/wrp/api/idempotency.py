"""`Idempotency-Key` for the API's creating writes (issue 15 §7): an HR system that retries after a timeout never
creates a thing twice.

`@decorate_view(idempotent)` under a `@router.post(...)`: a request with the header is keyed by (caller, key). The
first one reserves the key (committed at once, so a concurrent duplicate sees it), runs, and stores its answer; the
same key with the same method, path and body afterwards gets that answer again (status and body, with
`Idempotent-Replayed: true`); with a different method, path or body it is 422 naming `Idempotency-Key`; while the first
one still runs, 409 `invalid_state` with `"state": "in_progress"` (retry later). Only a success (2xx) is kept: any
other answer frees the key and a retry runs again (a refused or failed request changed nothing — and a refusal such
as a missing CSRF token or a rate limit must not be replayed to a corrected retry). Keys are kept
IDEMPOTENCY_KEY_HOURS (24 h); an older one counts as unused. Requests without the header, or without a caller the
key can belong to, run as usual.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.services import user_for_token
from wrp.api.errors import error_response, message_language
from wrp.core.language import DJANGO_LANGUAGE
from wrp.webhooks.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY = 200
KEY_REUSED = _("此 Idempotency-Key 已用于内容不同的请求；请为新的请求使用新的键。")
KEY_BAD = _("Idempotency-Key 须为 1 至 200 个可见字符。")


def key_lifetime() -> timedelta:
    return timedelta(hours=int(getattr(settings, "IDEMPOTENCY_KEY_HOURS", 24)))


def _caller(request: HttpRequest) -> Any:
    """Who the key belongs to: the bearer token's user, else the signed-in session's; None (no idempotency)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return user_for_token(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _refusal(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    from django.utils import translation

    with translation.override(DJANGO_LANGUAGE[message_language(request)]):
        rendered = {
            key: ({k: str(v) for k, v in value.items()} if isinstance(value, dict) else value)
            for key, value in body.items()
        }
    return error_response(status, rendered)


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code or 200, content_type=record.content_type or "application/json"
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap an operation's `run` (ninja `decorate_view`) with the Idempotency-Key protocol above."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None:
            return run(request, *args, **kwargs)
        if not key or len(key) > MAX_KEY or not key.isprintable():
            return _refusal(
                request,
                422,
                {"error": "invalid_request", "fields": {HEADER: KEY_BAD}, "code": "idempotency_key_invalid"},
            )
        user = _caller(request)
        if user is None:  # unauthenticated: the operation answers 401
            return run(request, *args, **kwargs)
        fingerprint, now = _fingerprint(request), timezone.now()
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=now - key_lifetime()).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, created_at=now)
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:  # freed meanwhile: ask the client to retry
                return error_response(
                    409, {"error": "invalid_state", "state": "in_progress", "code": "idempotency_key_in_use"}
                )
            if existing.fingerprint != fingerprint:
                return _refusal(
                    request,
                    422,
                    {"error": "invalid_request", "fields": {HEADER: KEY_REUSED}, "code": "idempotency_key_reused"},
                )
            if not existing.done:
                return error_response(
                    409, {"error": "invalid_state", "state": "in_progress", "code": "idempotency_key_in_use"}
                )
            return _replay(existing)
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
            raise
        if not 200 <= response.status_code < 300 or response.streaming:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyKey.objects.filter(pk=record.pk).update(
            done=True,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content,
        )
        return response

    return wrapped
