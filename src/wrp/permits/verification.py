"""Public verification of a permit (DESIGN.md §Permit lifecycle): the QR code on the certificate links to a page that
anyone may open, showing only the masked name, the number, the status and the validity.

The link carries a signed token, not the permit number, so permits cannot be enumerated: the permit's primary key
signed with the platform's secret key (HMAC-SHA256, its own salt). Altering one character makes it invalid, and a
client that keeps presenting invalid tokens is turned away for the rest of the minute. The token does not expire:
the paper certificate lasts as long as the permit, and the status is read live. Rotating SECRET_KEY invalidates the
printed codes unless the old key stays in SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

from datetime import date

from django.core import signing
from django.utils import translation

from wrp.core.language import DJANGO_LANGUAGE
from wrp.permits.models import Permit, PermitStatus

SALT = "wrp.permit.verify"

def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, algorithm="sha256")


def permit_token(permit: Permit) -> str:
    """The verification token of a permit: compact base64 of its key, a colon, the signature (URL-safe)."""
    return _signer().sign_object(permit.pk)


def permit_from_token(token: str) -> Permit | None:
    """The permit a token names; None for a forged, altered or truncated token and for a permit that is gone."""
    if not isinstance(token, str) or len(token) > 200:
        return None
    try:
        pk = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return Permit.objects.filter(pk=pk).select_related("holder").first()


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
