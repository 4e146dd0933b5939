"""Reads of permits that depend on who asks, and the permit facts the policy reads (contracts/assessment.md).

The holder sees their own permits; a unit's handlers see the permits held with their unit, except those of a holder
the unit has released (cases-api.md §Permits: "a unit that released the holder no longer sees the permit"); window
clerks and bureau approvers see every permit; administrators none.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject

from wrp.accounts.models import Role
from wrp.core.errors import NotFound
from wrp.core.lookups import unique_or_none
from wrp.core.prepared import Prepared
from wrp.permits.models import Permit, PermitStatus
from wrp.units.models import Association, AssociationState
from wrp.units.selectors import is_staff, units_handled_by


def _employment_with_unit_state() -> Subquery:
    """The state of the holder's latest association with the permit's unit that was ever accepted (active or
    released); requests and refusals never made the holder an employee, so they do not count."""
    latest = (
        Association.objects.filter(
            unit_id=OuterRef("unit_id"), applicant_id=OuterRef("holder_id"),
            state__in=[AssociationState.ACTIVE, AssociationState.RELEASED],
        )
        .order_by("-requested_at", "-id")
        .values("state")[:1]
    )
    return Subquery(latest)


def permits_visible_to(user: Any) -> QuerySet[Permit]:
    """Own (applicant); their units' permits of holders not released (handler); all (clerk, approver); else none."""
    permits = Permit.objects.select_related("unit", "holder")
    if not getattr(user, "is_authenticated", False):
        return permits.none()
    if is_staff(user):
        return permits.all()
    if user.role == Role.APPLICANT:
        return permits.filter(holder_id=user.pk)
    if user.role == Role.UNIT_HANDLER:
        return (
            permits.filter(unit__in=units_handled_by(user))
            .annotate(employment_state=_employment_with_unit_state())
            .filter(Q(employment_state__isnull=True) | Q(employment_state=AssociationState.ACTIVE))
        )
    return permits.none()


def permit_for(user: Any, number: str) -> Permit:
    """The permit with that number if the user may see it; NotFound otherwise (also for an unknown number)."""
    permit = unique_or_none(permits_visible_to(user).filter(number=str(number).strip().upper()))
    if permit is None:
        raise NotFound(code="permit_not_found")
    return permit


def can_see_permit(user: Any, permit: Permit) -> bool:
    return permits_visible_to(user).filter(pk=permit.pk).exists()


def standing_permits(holder: Any) -> QuerySet[Permit]:
    """The holder's permits that were not revoked (`holder` an id or an `OuterRef`): those `permit_of` chooses from,
    and that a page asks whether there is one of."""
    return Permit.objects.filter(holder_id=holder).exclude(status=PermitStatus.REVOKED)


# permit_of's statement, compiled once (wrp.core.prepared): every case page of an applicant with a permit asks it
LATEST_PERMIT = Prepared(lambda holder: standing_permits(holder).order_by("-issued_on", "-id")[:1], holder=int)


# A permit's columns, in the order of Permit's fields, as `latest_permit_shown` annotates them
PERMIT_COLUMNS = tuple(field.attname for field in Permit._meta.concrete_fields)
_DAYS = frozenset(field.attname for field in Permit._meta.concrete_fields if field.get_internal_type() == "DateField")


def latest_permit_shown(holder: Any) -> Subquery:
    """`permit_of` of the holder (`OuterRef("applicant_id")`) as an annotation: its columns in one JSON object (one
    index probe of the outer row), made into the Permit by `permit_from_shown`, or null without one."""
    latest = standing_permits(holder).order_by("-issued_on", "-id")
    return Subquery(latest.values(shown=JSONObject(**{name: name for name in PERMIT_COLUMNS}))[:1],
                    output_field=JSONField())


def permit_from_shown(shown: Any) -> Permit | None:
    """The Permit annotated by `latest_permit_shown` (as `permit_of` would read it), or None."""
    if isinstance(shown, str):  # a database whose JSON comes back as text
        shown = json.loads(shown)
    if not shown:
        return None
    values = [date.fromisoformat(shown[name][:10]) if name in _DAYS and shown[name] else shown[name]
              for name in PERMIT_COLUMNS]
    return Permit.from_db(DEFAULT_DB_ALIAS, list(PERMIT_COLUMNS), values)


def permit_of(applicant: Any) -> Permit | None:
    """The applicant's latest permit that was not revoked (None without one)."""
    if applicant is None or getattr(applicant, "pk", None) is None:
        return None
    return LATEST_PERMIT.first(holder=applicant.pk)


def permit_facts(permit: Permit | None) -> dict[str, str] | None:
    """The `applicant.permit` object of an assessment request: {"status", "valid_until"}, or None."""
    if permit is None:
        return None
    return {"status": permit.status, "valid_until": permit.valid_until.isoformat()}
