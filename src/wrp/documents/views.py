"""Downloads of generated documents and the public permit verification page (issue 6 §1, §2, §4).

A document is built on request from the records and served only through the view that checks the right to see its
case or permit (`case_for`, `permit_for`: 404 for what the user may not see, as for what does not exist): as an
attachment unless `?inline=1` asks for the browser's viewer, never cached, never sniffed.

The verification page needs no sign-in. It shows the masked name, the number, the status in words and the validity,
read live; a forged or altered token gets "not found", and a client address that presents too many of them in a
minute is refused (429) for the rest of that minute — every token then, so a valid one cannot be told apart.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from wrp.cases.selectors import case_for
from wrp.core.errors import NotFound
from wrp.documents.generated import CASE_DOCUMENTS, case_document, certificate_data, certificate_pdf
from wrp.permits.models import Permit
from wrp.permits.selectors import permit_for
from wrp.permits.verification import masked_name, permit_from_token, permit_status_on, permit_token, status_words

BAD_TOKENS_PER_MINUTE = 30


def _anonymous(request: HttpRequest) -> HttpResponse:
    """Sign in first; 404 where no sign-in page is configured (nothing is said about the object either way)."""
    try:
        return redirect_to_login(request.get_full_path())
    except NoReverseMatch:
        raise Http404 from None


def _pdf_response(request: HttpRequest, data: bytes, filename: str) -> HttpResponse:
    inline = request.GET.get("inline") == "1"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    if inline:
        response["X-Frame-Options"] = "SAMEORIGIN"  # the case page may show it in its own frame
    return response


@require_safe
def case_document_view(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    """/cases/<public_id>/documents/<kind>.pdf for those who may see the case; 404 when it does not apply."""
    if not request.user.is_authenticated:
        return _anonymous(request)
    if kind not in CASE_DOCUMENTS:
        raise Http404
    try:
        case = case_for(request.user, public_id)
    except NotFound:
        raise Http404 from None
    data = case_document(case, kind)
    if data is None:
        raise Http404
    return _pdf_response(request, data, f"{case.public_id}-{kind}.pdf")


def verify_url(request: HttpRequest, permit: Permit) -> str:
    """The absolute address of the permit's public verification page, as its QR code carries it."""
    return request.build_absolute_uri(reverse("documents:verify", args=[permit_token(permit)]))


@require_safe
def permit_certificate_view(request: HttpRequest, number: str) -> HttpResponse:
    """/permits/<number>/certificate.pdf for the holder, the unit's handlers and the staff."""
    if not request.user.is_authenticated:
        return _anonymous(request)
    try:
        permit = permit_for(request.user, number)
    except NotFound:
        raise Http404 from None
    data = certificate_pdf(certificate_data(permit, verify_url=verify_url(request, permit), today=timezone.localdate()))
    return _pdf_response(request, data, f"{permit.number}-certificate.pdf")


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
        response = render(request, "documents/verify_limited.html", status=429)
        response["Retry-After"] = str(60 - int(time.time()) % 60)
        return _no_store(response)
    permit = permit_from_token(token)
    if permit is None:
        cache.add(key, 0, timeout=120)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
        return _no_store(render(request, "documents/verify_not_found.html", status=404))
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    today = timezone.localdate()
    status = permit_status_on(permit, today)
    context = {
        "name": masked_name(permit.holder.real_name) or "—",
        "number": permit.number,
        "status": status,
        "status_words": status_words(status, lang),
        "issued_on": permit.issued_on,
        "valid_until": permit.valid_until,
        "checked_at": timezone.localtime(),
    }
    return _no_store(render(request, "documents/verify.html", context))
