"""Reads of units that depend on who asks, and the unit facts the policy reads (contracts/assessment.md `unit`).

A unit is seen by its own handlers, by window clerks and by bureau approvers; to anyone else it does not exist
(NotFound, never Forbidden). Money is kept as Decimal and handed to the policy as decimal strings.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from wrp.accounts.models import STAFF_ROLES, Role
from wrp.core.errors import NotFound
from wrp.core.lookups import unique_or_none
from wrp.core.prepared import Prepared
from wrp.units.models import AccountStatus, Penalty, PenaltyKind, Unit, UnitHandler

# The policy knows three account states; a unit whose account moved to another district has none open here.
_ACCOUNT_STATUS_FOR_POLICY = {
    AccountStatus.NONE: "none",
    AccountStatus.OPEN: "open",
    AccountStatus.TRANSFERRED: "closed",
    AccountStatus.CLOSED: "closed",
}


def normalised_code(value: str) -> str:
    """A code as typed (credit code, association code): half-width, without whitespace, upper-case."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def decimal_str(value: Decimal | int | str) -> str:
    """A money amount as the policy reads it: no exponent, no trailing zeros ("280000", "1234.5")."""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal(1)))
    return format(amount.normalize(), "f")


def _role(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "role", ""))


def is_staff(user: Any) -> bool:
    """Window clerks and bureau approvers: they see every unit, association and permit."""
    return _role(user) in STAFF_ROLES


def is_handler(user: Any, unit: Unit) -> bool:
    """Whether the user is one of the unit's handlers (单位经办人)."""
    if _role(user) != Role.UNIT_HANDLER or unit is None or unit.pk is None:
        return False
    return UnitHandler.objects.filter(unit_id=unit.pk, user_id=user.pk).exists()


def can_see_unit(user: Any, unit: Unit) -> bool:
    return is_staff(user) or is_handler(user, unit)


def units_handled_by(user: Any) -> QuerySet[Unit]:
    """The units the user handles (none for any other role)."""
    if _role(user) != Role.UNIT_HANDLER:
        return Unit.objects.none()
    return Unit.objects.filter(unithandler__user_id=user.pk)


# handled_unit_ids' statement, compiled once per process (wrp.core.prepared): most pages of a handler ask it
_HANDLED = Prepared(lambda user: units_handled_by(get_user_model().stand_in(user, Role.UNIT_HANDLER)).values("pk"),
                    user=int)


def handled_unit_ids(user: Any) -> list[int]:
    """The ids of the units the user handles ([] for any other role): read first by a page that names the units in
    its other statements (`unit_id IN (…)`), so that the database pages a unit's rows through its index."""
    if _role(user) != Role.UNIT_HANDLER:
        return []
    return [unit["pk"] for unit in _HANDLED.rows(user=user.pk)]


def units_visible_to(user: Any) -> QuerySet[Unit]:
    """Every unit for clerks and approvers, their own units for handlers, nothing for anyone else."""
    if is_staff(user):
        return Unit.objects.all()
    return units_handled_by(user)


def unit_for(user: Any, credit_code: str) -> Unit:
    """The unit with that credit code, if the user may see it; NotFound otherwise (also for an unknown code)."""
    unit = unique_or_none(units_visible_to(user).filter(credit_code=normalised_code(credit_code)))
    if unit is None:
        raise NotFound(code="unit_not_found")
    return unit


def active_penalties(unit: Unit) -> list[str]:
    """The kinds of the unit's active penalties, in the order of PenaltyKind."""
    active = set(Penalty.objects.filter(unit_id=unit.pk, active=True).values_list("kind", flat=True))
    return [kind.value for kind in PenaltyKind if kind.value in active]


def policy_penalty(penalties: list[str]) -> str | None:
    """The assessment's `penalty`: blacklisted if active, else service_terminated if active, else null."""
    if PenaltyKind.BLACKLISTED in penalties:
        return PenaltyKind.BLACKLISTED.value
    if PenaltyKind.SERVICE_TERMINATED in penalties:
        return PenaltyKind.SERVICE_TERMINATED.value
    return None


def unit_account(unit: Unit) -> dict[str, str | None]:
    """{"status": "open" | "none" | "closed", "district": … or None} as the policy reads it."""
    status = _ACCOUNT_STATUS_FOR_POLICY[AccountStatus(unit.account_status)]
    district = (unit.account_district or None) if status != "none" else None
    return {"status": status, "district": district}


def unit_facts(unit: Unit, *, as_of: date) -> dict[str, Any]:
    """The `unit` object of an assessment request (contracts/assessment.md) as of a date: JSON-serialisable."""
    penalties = active_penalties(unit)
    # The year's ledger through its foreign key to the unit: units sit below quotas and do not import them.
    ledger = unit.quota_ledgers.filter(year=as_of.year).first()
    return {
        "kind": unit.kind,
        "legal_person": bool(unit.legal_person),
        "registered_district": unit.registered_district,
        "tax_district": unit.tax_district,
        "tax_paid_since": unit.tax_paid_since.isoformat() if unit.tax_paid_since else None,
        "registered_capital": decimal_str(unit.registered_capital),
        "annual_tax": {str(year): decimal_str(amount) for year, amount in sorted((unit.annual_tax or {}).items())},
        "account": unit_account(unit),
        "quota_remaining": ledger.remaining if ledger is not None else 0,
        "quota_frozen": PenaltyKind.QUOTA_FROZEN in penalties,
        "penalty": policy_penalty(penalties),
        "qualifications": list(unit.qualifications or []),
    }
