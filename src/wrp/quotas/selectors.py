"""Reads of quotas: a unit-year ledger's status, and the quota requests a user may see (their units' for handlers,
all for clerks and approvers, none for anyone else)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wrp.core.errors import NotFound
from wrp.quotas.models import QuotaLedger, QuotaRequest
from wrp.units.models import PenaltyKind, Unit
from wrp.units.selectors import active_penalties, is_staff, units_handled_by


def quota_status(unit: Unit, year: int) -> dict[str, Any]:
    """{"year", "granted", "reserved", "used", "remaining", "frozen"}: zeros for a year without a ledger."""
    ledger = QuotaLedger.objects.filter(unit_id=unit.pk, year=year).first()
    return ledger_status(ledger, year, frozen=PenaltyKind.QUOTA_FROZEN in active_penalties(unit))


def ledger_status(ledger: QuotaLedger | None, year: int, *, frozen: bool) -> dict[str, Any]:
    """`quota_status` of a ledger read already (None: the year has none) and whether the unit's quota is frozen."""
    granted, reserved, used = (ledger.granted, ledger.reserved, ledger.used) if ledger else (0, 0, 0)
    return {
        "year": year,
        "granted": granted,
        "reserved": reserved,
        "used": used,
        "remaining": granted - reserved - used,
        "frozen": frozen,
    }


def quota_requests_visible_to(user: Any) -> QuerySet[QuotaRequest]:
    requests = QuotaRequest.objects.select_related("unit")
    if is_staff(user):
        return requests.all()
    return requests.filter(unit__in=units_handled_by(user))


def quota_request_for(user: Any, pk: Any) -> QuotaRequest:
    """The quota request if the user may see it; NotFound otherwise (also for an unknown or malformed id)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(code="quota_request_not_found") from None
    request = quota_requests_visible_to(user).filter(pk=key).first()
    if request is None:
        raise NotFound(code="quota_request_not_found")
    return request
