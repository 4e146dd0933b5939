"""Public verification of a permit (DESIGN.md §Permit lifecycle): the QR code on the certificate links to a page that
anyone may open, showing only the masked name, the number, the status and the validity.

The link carries the permit's `verify_token` — 128 random bits given to each permit when it is created — not its
number or key, so the link says nothing about how many permits there are and no permit can be found by guessing.
The token does not expire: the paper certificate lasts as long as the permit, and the status is read live. The
address printed is under `settings.PUBLIC_BASE_URL` (WRP_PUBLIC_BASE_URL), the platform's one public address, never
the Host a request happened to come in on.

Certificates printed before tokens were random carried the permit's key signed with SECRET_KEY; permits migration
0003 gave every existing permit a random token and those older links are no longer honoured (a certificate downloaded
again carries the new link).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from wrp.core.language import DJANGO_LANGUAGE
from wrp.permits.models import Permit, PermitStatus

TOKEN_MAX_LENGTH = 43


def permit_token(permit: Permit) -> str:
    """The verification token of a permit (URL-safe, random, unrelated to its number or key)."""
    return str(permit.verify_token)


def permit_verify_url(permit: Permit) -> str:
    """The absolute address of the permit's public verification page, as its certificate and QR code print it."""
    return f"{settings.PUBLIC_BASE_URL}{reverse('documents:verify', args=[permit.verify_token])}"


def permit_from_token(token: str) -> Permit | None:
    """The permit a token names; None for an unknown, altered or truncated token and for a permit that is gone."""
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return Permit.objects.filter(verify_token=token).select_related("holder").first()


def permit_status_on(permit: Permit, today: date) -> str:
    """The status as of a day: a valid or suspended permit past its last day is expired already, before the daily
    sweep writes it."""
    if permit.status in (PermitStatus.VALID, PermitStatus.SUSPENDED) and permit.valid_until < today:
        return PermitStatus.EXPIRED
    return permit.status


def status_words(status: str, lang: str = "zh") -> str:
    """The status's label (有效, Valid, …) in `lang` ("zh" or "en"); an unknown status as it is."""
    if status not in PermitStatus.values:
        return status
    with translation.override(DJANGO_LANGUAGE.get(lang, DJANGO_LANGUAGE["zh"])):
        return str(PermitStatus(status).label)


def masked_name(name: str) -> str:
    """张*三 for three characters or more (first, a star, last), 张* for two, * for one; "" for none."""
    name = (name or "").strip()
    if len(name) >= 3:
        return f"{name[0]}*{name[-1]}"
    if len(name) == 2:
        return f"{name[0]}*"
    return "*" if name else ""
