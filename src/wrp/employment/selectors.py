"""Reads of associations (员工关联, POLICY §9) that depend on who asks.

The applicant sees their own associations, a unit's handlers their units', window clerks and bureau approvers all of
them, administrators none. The Association model itself stays in `wrp.units.models`: permits' visibility reads it, and
permits sit below employment.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from wrp.accounts.models import Role
from wrp.core.errors import NotFound
from wrp.policy.periods import within_days
from wrp.units.models import Association, AssociationState, Unit
from wrp.units.selectors import is_staff, units_handled_by

RELEASE_DAYS = 60  # POLICY §9: 离职之日起60日内解除关联
OPEN_STATES = (AssociationState.REQUESTED, AssociationState.ACTIVE)


def associations_visible_to(user: Any, *, handled: list[int] | None = None) -> QuerySet[Association]:
    """Own (applicant); their units' (handler); all (clerk, approver); none (admin, anyone else).

    `handled` (a handler's lists): the ids `units_handled_by(user)` gave, read already by the caller, so that the
    statement names the units (`unit_id IN (…)`) instead of repeating their subquery wherever it narrows a list."""
    associations = Association.objects.select_related("unit", "applicant")
    if not getattr(user, "is_authenticated", False):
        return associations.none()
    if is_staff(user):
        return associations.all()
    if user.role == Role.APPLICANT:
        return associations.filter(applicant_id=user.pk)
    if user.role == Role.UNIT_HANDLER:
        return associations.filter(unit__in=units_handled_by(user) if handled is None else handled)
    return associations.none()


def association_for(user: Any, pk: Any) -> Association:
    """The association if the user may see it; NotFound otherwise (also for an unknown or malformed id)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound(code="association_not_found") from None
    association = associations_visible_to(user).filter(pk=key).first()
    if association is None:
        raise NotFound(code="association_not_found")
    return association


def late_releases_for(user: Any) -> QuerySet[Association]:
    """Releases made more than 60 days after the employee left (G4.注意事项.6), newest first — for the bureau, which
    decides on penalties, and the window; nobody else."""
    if getattr(user, "role", None) not in (Role.BUREAU_APPROVER, Role.WINDOW_CLERK):
        return Association.objects.none()
    return associations_visible_to(user).filter(late=True).order_by("-released_at")


def active_association(applicant: Any, unit: Unit) -> Association | None:
    """The applicant's active association with the unit, if any."""
    if applicant is None or getattr(applicant, "pk", None) is None:
        return None
    return Association.objects.filter(
        applicant_id=applicant.pk, unit_id=unit.pk, state=AssociationState.ACTIVE
    ).first()


def can_see_association(user: Any, association: Association) -> bool:
    return associations_visible_to(user).filter(pk=association.pk).exists()


# --- release timing (POLICY §9: 离职之日起60日内解除关联), for the pages -------------------------------------------


def release_deadline(left_on: date) -> date:
    """The last day on which an employee who left on `left_on` is released in time (the 60th day after)."""
    return left_on + timedelta(days=RELEASE_DAYS)


def release_timing(left_on: date, *, on: date) -> dict[str, Any]:
    """A release made on `on` for a departure on `left_on`: its deadline, whether it is late (as
    `association_release` records it) and by how many days."""
    deadline = release_deadline(left_on)
    late = not within_days(left_on, on=on, days=RELEASE_DAYS)
    return {"left_on": left_on, "deadline": deadline, "late": late, "days_late": (on - deadline).days}


def late_release_facts(association: Association) -> dict[str, Any]:
    """What a late release consisted of: the day it was made, its deadline, the days after the departure and the days
    past the deadline (None where the association lacks the dates)."""
    released_on = timezone.localdate(association.released_at) if association.released_at else None
    left_on = association.left_on
    after = (released_on - left_on).days if released_on and left_on else None
    return {
        "released_on": released_on,
        "due": release_deadline(left_on) if left_on else None,
        "days_after": after,
        "days_late": after - RELEASE_DAYS if after is not None else None,
    }
