"""Downloads of a case's documents and of a permit's certificate (issue 6 §1, §2), with their URLs.

A document is built on request from the records and served only through the view that checks the right to see its
case or permit (`case_for`, `permit_for`: 404 for what the user may not see, as for what does not exist): as an
attachment unless `?inline=1` asks for the browser's viewer, never cached, never sniffed. The data of each document
is gathered by its owner (`wrp.cases.printouts`, `wrp.permits.printouts`). The URL names keep the `documents`
namespace: `documents:case_document` (public_id, kind — one of `CASE_DOCUMENTS`), `documents:permit_certificate`
(number) and `documents:verify` (token; the public page of `wrp.public.verification`).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from wrp.cases.printouts import CASE_DOCUMENTS, case_document
from wrp.cases.selectors import case_for
from wrp.core.errors import NotFound
from wrp.permits.models import Permit
from wrp.permits.printouts import certificate
from wrp.permits.selectors import permit_for
from wrp.permits.verification import permit_token
from wrp.public.verification import verify_view


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
    data = certificate(permit, verify_url=verify_url(request, permit), today=timezone.localdate())
    return _pdf_response(request, data, f"{permit.number}-certificate.pdf")


app_name = "documents"
urlpatterns = [
    path("cases/<str:public_id>/documents/<slug:kind>.pdf", case_document_view, name="case_document"),
    path("permits/<str:number>/certificate.pdf", permit_certificate_view, name="permit_certificate"),
    path("verify/<str:token>/", verify_view, name="verify"),
]
