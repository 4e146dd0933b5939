"""Downloads of a case's documents and of a permit's certificate (issue 6 §1, §2; issue 12 §4, §7), with their URLs.

Issued documents are records (`wrp.cases.records`): the stored bytes are served, never rebuilt, each download an
audit event. The declarations 附件1–3 are built on demand for the case's filers only until the case is submitted
(drafts); afterwards the frozen ones are served. Everything goes through the selectors of `wrp.cases.records`
(404 for what the user may not see, as for what does not exist): as an attachment unless `?inline=1` asks for the
browser's viewer, never cached, never sniffed. The URL names keep the `documents` namespace:
`documents:case_document` (public_id, kind: the case's current document of that kind, else a filer's draft
declaration), `documents:issued` (pk: one issued document, superseded ones included), `documents:permit_certificate`
(number: the current certificate) and `documents:verify` (token; the public page of `wrp.public.verification`).
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from wrp.audit.services import audit_note
from wrp.cases import records
from wrp.cases.selectors import case_for
from wrp.core.errors import NotFound
from wrp.documents.models import IssuedDocument
from wrp.permits.models import Permit
from wrp.permits.selectors import permit_for
from wrp.permits.verification import permit_verify_url
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
    try:
        case = case_for(request.user, public_id)
        document = records.current_document_for(request.user, case, kind.replace("-", "_"))
        if document is not None:
            return _issued_response(request, document)
        data = records.draft_declaration_for(request.user, case, kind.replace("-", "_"))
    except NotFound:
        raise Http404 from None
    audit_note(actor=request.user, action="file.download", obj=case, changes={"kind": kind, "draft": True})
    return _pdf_response(request, data, f"{case.public_id}-{kind}-draft.pdf")


def _issued_response(request: HttpRequest, document: IssuedDocument) -> HttpResponse:
    data = records.document_download(user=request.user, document=document)
    owner = document.case.public_id if document.case_id else (document.permit.number if document.permit else "")
    suffix = f"-v{document.case_version}" if document.case_version and not document.number else ""
    return _pdf_response(request, data, f"{owner}-{document.kind}{suffix}-{document.pk}.pdf")


@require_safe
def issued_document_view(request: HttpRequest, pk: int) -> HttpResponse:
    """/documents/<pk>.pdf: one issued document, for those who may see its case or its permit."""
    if not request.user.is_authenticated:
        return _anonymous(request)
    try:
        document = records.document_for_download(request.user, pk)
    except NotFound:
        raise Http404 from None
    return _issued_response(request, document)


def verify_url(request: HttpRequest, permit: Permit) -> str:
    """The absolute address of the permit's public verification page, as its QR code carries it: under the platform's
    public base URL (settings.PUBLIC_BASE_URL), never the Host this request came in on."""
    return permit_verify_url(permit)


@require_safe
def permit_certificate_view(request: HttpRequest, number: str) -> HttpResponse:
    """/permits/<number>/certificate.pdf for the holder, the unit's handlers and the staff."""
    if not request.user.is_authenticated:
        return _anonymous(request)
    try:
        permit = permit_for(request.user, number)
    except NotFound:
        raise Http404 from None
    document = records.current_certificate_for(request.user, permit)
    if document is None:  # a permit recorded before certificates were issued as records
        raise Http404
    return _issued_response(request, document)


app_name = "documents"
urlpatterns = [
    path("cases/<str:public_id>/documents/<slug:kind>.pdf", case_document_view, name="case_document"),
    path("documents/<int:pk>.pdf", issued_document_view, name="issued"),
    path("permits/<str:number>/certificate.pdf", permit_certificate_view, name="permit_certificate"),
    path("verify/<str:token>/", verify_view, name="verify"),
]
