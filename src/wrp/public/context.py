"""Template context shared by every page: the handling institution of POLICY §1 (`wrp.policy.office`), for the
footer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wrp.policy.office import OFFICE as _OFFICE

# The templates' and the guide pages' view of the office: each text in Chinese, and in English under `<key>_en`.
OFFICE: dict[str, str] = {
    "institution": _OFFICE.institution[0],
    "institution_en": _OFFICE.institution[1],
    "address": _OFFICE.address[0],
    "address_en": _OFFICE.address[1],
    "hours": _OFFICE.hours[0],
    "hours_en": _OFFICE.hours[1],
    "phone": _OFFICE.phone,
    "complaints": _OFFICE.complaints,
}


def office(request: HttpRequest) -> dict[str, Any]:
    return {"office": OFFICE}
