"""The public verification page of a permit (DESIGN.md §Permit lifecycle), opened from the QR code on its certificate.

It needs no sign-in. It shows the masked name, the number, the status in words and the validity, read live; a forged
or altered token gets "not found", and a client address that presents too many of them in a minute is refused (429)
for the rest of that minute — every token then, so a valid one cannot be told apart. The URL keeps its name
`documents:verify` (the printed QR codes carry its address).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from wrp.core.language import page_language
from wrp.permits.verification import masked_name, permit_from_token, permit_status_on, status_words

BAD_TOKENS_PER_MINUTE = 30


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _bad_token_key(request: HttpRequest) -> str:
    return f"wrp:verify:bad:{_client(request)}:{int(time.time() // 60)}"


def _bad_token_limit() -> int:
    return int(getattr(settings, "VERIFY_BAD_TOKENS_PER_MINUTE", BAD_TOKENS_PER_MINUTE))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    """/verify/<token>/: the permit's public face, live from the database."""
    key = _bad_token_key(request)
    if (cache.get(key) or 0) >= _bad_token_limit():
        response = render(request, "public/verify_limited.html", status=429)
        response["Retry-After"] = str(60 - int(time.time()) % 60)
        return _no_store(response)
    permit = permit_from_token(token)
    if permit is None:
        cache.add(key, 0, timeout=120)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
        return _no_store(render(request, "public/verify_not_found.html", status=404))
    today = timezone.localdate()
    status = permit_status_on(permit, today)
    context = {
        "name": masked_name(permit.holder.real_name) or "—",
        "number": permit.number,
        "status": status,
        "status_words": status_words(status, page_language()),
        "issued_on": permit.issued_on,
        "valid_until": permit.valid_until,
        "checked_at": timezone.localtime(),
    }
    return _no_store(render(request, "public/verify.html", context))
