"""The public verification pages (DESIGN.md §Permit lifecycle, POLICY §11 L-RECORD; issue 12 §8). No sign-in.

`/verify/<token>/` (URL name `documents:verify`, the address the printed QR codes carry) shows a permit's masked name,
its number, the status in words and the validity, read live. `/verify/` (`public:verify_document`) verifies an issued
document by its 文号 and the SHA-256 of its file: it shows the title, number, issue date, issuer and whether the
document is current or superseded by a later one — nothing about the person it concerns.

A token or a number-and-hash pair that finds nothing counts against the client address (`wrp.core.clientaddr`); an
address with too many in a window (`RATE_LIMIT_VERIFY_MISSES`, 30 a minute) is refused (429) for the rest of it —
whatever it asks, so a right answer cannot be told apart then. The count is the platform's one rate-limit mechanism
(`wrp.core.ratelimit`): the shared cache, so the limit holds however many processes serve the page.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from wrp.cases.records import find_document
from wrp.core.clientaddr import client_address
from wrp.core.language import page_language
from wrp.core.ratelimit import limit_hit, limit_peek
from wrp.documents.issuing import WINDOW_SERIES, document_kind
from wrp.documents.models import IssuedDocument
from wrp.documents.printing.data import BUREAU_NAME, CENTRE_NAME
from wrp.permits.verification import masked_name, permit_from_token, permit_status_on, status_words

MISSES = "public:verify-miss"
SHA256_SHAPE = re.compile(r"^[0-9a-f]{64}$")


# --- the client's count of misses -------------------------------------------------------------------------------------


def _limited(request: HttpRequest) -> int | None:
    """Seconds until this address may verify again, or None when it may now."""
    decision = limit_peek(MISSES, client_address(request), rate=settings.RATE_LIMIT_VERIFY_MISSES)
    return None if decision.allowed else decision.retry_after


def _count_miss(request: HttpRequest) -> None:
    limit_hit(MISSES, client_address(request), rate=settings.RATE_LIMIT_VERIFY_MISSES)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest, retry_after: int, template: str,
             context: dict[str, Any] | None = None) -> HttpResponse:
    response = render(request, template, {**(context or {}), "limited": True}, status=429)
    response["Retry-After"] = str(retry_after)
    return _no_store(response)


# --- a permit, by its QR code -----------------------------------------------------------------------------------------


@require_safe
def verify_view(request: HttpRequest, token: str) -> HttpResponse:
    """/verify/<token>/: the permit's public face, live from the database."""
    retry_after = _limited(request)
    if retry_after is not None:
        return _refused(request, retry_after, "public/verify_limited.html")
    permit = permit_from_token(token)
    if permit is None:
        _count_miss(request)
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


# --- a document, by its number and hash -------------------------------------------------------------------------------


class DocumentCheckForm(forms.Form):
    number = forms.CharField(
        label=_("文号"), max_length=60, help_text=_("印在文书上，例如 朝人社工居〔2026〕第000123号。"),
        error_messages={"required": _("请填写文号。"), "max_length": _("文号不超过 60 个字符。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    sha256 = forms.CharField(
        label=_("文件的 SHA-256 值"), max_length=100,
        help_text=_("64 位十六进制字符，可用 sha256sum（Linux）、shasum -a 256（macOS）或 certutil -hashfile 文件 SHA256（Windows）计算。"),
        error_messages={"required": _("请填写文件的 SHA-256 值。"), "max_length": _("SHA-256 值为 64 位十六进制字符。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip()

    def clean_sha256(self) -> str:
        digest = re.sub(r"\s+", "", self.cleaned_data["sha256"]).lower()
        if not SHA256_SHAPE.match(digest):
            raise forms.ValidationError(_("SHA-256 值为 64 位十六进制字符（0-9、a-f）。"), code="sha256_shape")
        return digest


def issuer_name(document: IssuedDocument) -> str:
    """The organ that issued it, in full: the service centre for the window's receipts and notices, else the bureau."""
    try:
        series = document_kind(document.kind).series
    except ValueError:
        series = ""
    return CENTRE_NAME if series == WINDOW_SERIES else BUREAU_NAME


def document_facts(document: IssuedDocument) -> dict[str, Any]:
    """What the page shows of a document: no name, no ID number, no case or permit."""
    return {
        "title": document.title,
        "number": document.number,
        "issued_on": timezone.localtime(document.issued_at).date(),
        "issuer": issuer_name(document),
        "current": document.is_current,
    }


@require_safe
def verify_document_view(request: HttpRequest) -> HttpResponse:
    """/verify/: the form (no query), and the document a number and hash find (?number=…&sha256=…)."""
    asked = "number" in request.GET or "sha256" in request.GET
    form = DocumentCheckForm(request.GET if asked else None)
    context: dict[str, Any] = {"form": form}
    if not asked:
        return _no_store(render(request, "public/verify_document.html", context))
    retry_after = _limited(request)
    if retry_after is not None:
        return _refused(request, retry_after, "public/verify_document.html", {"form": DocumentCheckForm()})
    if not form.is_valid():
        return _no_store(render(request, "public/verify_document.html", context, status=400))
    document = find_document(form.cleaned_data["number"], form.cleaned_data["sha256"])
    if document is None or not document.number:
        _count_miss(request)
        context["not_found"] = True
        return _no_store(render(request, "public/verify_document.html", context, status=404))
    context["document"] = document_facts(document)
    context["checked_at"] = timezone.localtime()
    return _no_store(render(request, "public/verify_document.html", context))
