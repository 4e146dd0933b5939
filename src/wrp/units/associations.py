"""Associations (员工关联, POLICY §9, cases-api.md §Applicants and associations): the link between an applicant and
the unit that employs them, through which the unit files the applicant's personal cases.

requested (the applicant gives the unit's association code) → active (a handler accepts) | refused (a handler
refuses); active → released (a handler releases the employee who left, 解除员工关联). An applicant has at most one
active association, and at most one open (requested or active) association with a unit. A release more than 60 days
after the leaving date is marked late (the unit may be penalised); it suspends the holder's permit of that unit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.permits.models import Permit, PermitStatus
from wrp.permits.services import permit_suspend
from wrp.policy.periods import within_days
from wrp.units.models import Association, AssociationState, Unit
from wrp.units.selectors import is_handler, is_staff, normalised_code, units_handled_by

RELEASE_DAYS = 60  # POLICY §9: 离职之日起60日内解除关联
OPEN_STATES = (AssociationState.REQUESTED, AssociationState.ACTIVE)

_ALREADY_ACTIVE = "申请人已与一家单位关联，请先解除 / the applicant is already associated with a unit"


# ---------------------------------------------------------------------------------------------------------------------
# Selectors


def associations_visible_to(user: Any) -> QuerySet[Association]:
    """Own (applicant); their units' (handler); all (clerk, approver); none (admin, anyone else)."""
    associations = Association.objects.select_related("unit", "applicant")
    if not getattr(user, "is_authenticated", False):
        return associations.none()
    if is_staff(user):
        return associations.all()
    if user.role == Role.APPLICANT:
        return associations.filter(applicant_id=user.pk)
    if user.role == Role.UNIT_HANDLER:
        return associations.filter(unit__in=units_handled_by(user))
    return associations.none()


def association_for(user: Any, pk: Any) -> Association:
    """The association if the user may see it; NotFound otherwise (also for an unknown or malformed id)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise NotFound("association") from None
    association = associations_visible_to(user).filter(pk=key).first()
    if association is None:
        raise NotFound("association")
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


def _can_see(user: Any, association: Association) -> bool:
    return associations_visible_to(user).filter(pk=association.pk).exists()


def _require_unit_handler(actor: Any, association: Association) -> None:
    """Only the unit's handlers act on its associations; the applicant and staff see it but may not (Forbidden)."""
    if is_handler(actor, association.unit):
        return
    if _can_see(actor, association):
        raise Forbidden("only the unit's handlers may act on the association")
    raise NotFound("association")


def _lock_applicant(applicant_id: int) -> None:
    """Serialise the changes of one applicant's associations (one active at a time)."""
    get_user_model().objects.select_for_update().filter(pk=applicant_id).first()


def _locked(association: Association) -> Association:
    return Association.objects.select_for_update(of=("self",)).select_related("unit", "applicant").get(
        pk=association.pk
    )


# ---------------------------------------------------------------------------------------------------------------------
# Services


def association_request(*, actor: Any, association_code: str) -> Association:
    """关联申请: the applicant asks the unit whose association code they give to associate them.

    A second open (requested or active) association with the same unit is refused with its state; so is any request
    while the applicant has an active association with any unit.
    """
    if getattr(actor, "role", None) != Role.APPLICANT or not getattr(actor, "is_authenticated", False):
        raise Forbidden("only an applicant asks to be associated")
    code = normalised_code(association_code) if isinstance(association_code, str) else ""
    unit = Unit.objects.filter(association_code=code).first() if code else None
    if unit is None:
        raise Invalid({"association_code": "单位关联码无效 / unknown association code"})
    with transaction.atomic():
        _lock_applicant(actor.pk)
        existing = Association.objects.filter(applicant_id=actor.pk, unit=unit, state__in=OPEN_STATES).first()
        if existing is not None:
            raise InvalidState(existing.state, "已向该单位提出关联 / already requested or associated with this unit")
        if Association.objects.filter(applicant_id=actor.pk, state=AssociationState.ACTIVE).exists():
            raise InvalidState(AssociationState.ACTIVE, _ALREADY_ACTIVE)
        try:
            with transaction.atomic():
                association = Association.objects.create(
                    unit=unit, applicant=actor, state=AssociationState.REQUESTED, requested_at=timezone.now(),
                )
        except IntegrityError:
            raise InvalidState(AssociationState.REQUESTED) from None
        audit_record(actor=actor, action="association.request", obj=association,
                     changes={"unit": unit.credit_code, "state": [None, association.state]})
    return association


def _decide(association: Association, *, actor: Any, to: AssociationState) -> Association:
    _require_unit_handler(actor, association)
    with transaction.atomic():
        _lock_applicant(association.applicant_id)
        association = _locked(association)
        if association.state != AssociationState.REQUESTED:
            raise InvalidState(association.state)
        if to == AssociationState.ACTIVE and (
            Association.objects.filter(applicant_id=association.applicant_id, state=AssociationState.ACTIVE)
            .exclude(pk=association.pk).exists()
        ):
            raise InvalidState(AssociationState.ACTIVE, _ALREADY_ACTIVE)
        association.state = to
        association.decided_at = timezone.now()
        try:
            with transaction.atomic():
                association.save(update_fields=["state", "decided_at"])
        except IntegrityError:
            raise InvalidState(AssociationState.ACTIVE, _ALREADY_ACTIVE) from None
        audit_record(actor=actor, action=f"association.{'accept' if to == AssociationState.ACTIVE else 'refuse'}",
                     obj=association, changes={"state": [AssociationState.REQUESTED, to]})
    return association


def association_accept(*, association: Association, actor: Any) -> Association:
    """A handler of the unit accepts a requested association: it becomes active."""
    return _decide(association, actor=actor, to=AssociationState.ACTIVE)


def association_refuse(*, association: Association, actor: Any) -> Association:
    """A handler of the unit refuses a requested association."""
    return _decide(association, actor=actor, to=AssociationState.REFUSED)


def _clean_left_on(left_on: Any, *, today: date) -> date:
    if isinstance(left_on, str):
        try:
            left_on = date.fromisoformat(left_on)
        except ValueError:
            raise Invalid({"left_on": "日期格式应为 YYYY-MM-DD / a date must be YYYY-MM-DD"}) from None
    if not isinstance(left_on, date) or hasattr(left_on, "hour"):
        raise Invalid({"left_on": "日期格式应为 YYYY-MM-DD / a date must be YYYY-MM-DD"})
    if left_on > today:
        raise Invalid({"left_on": "离职日期不能晚于今天 / left_on cannot be after today"})
    return left_on


def association_release(
    *, association: Association, actor: Any, left_on: date, today: date | None = None
) -> Association:
    """解除员工关联: a handler releases an employee who left on `left_on`.

    1. Only from active; `left_on` not after today (it may predate the association). 2. Late when made more than
    60 days after `left_on` (61 days or more, POLICY §3). 3. The holder's valid permit of this unit is suspended.
    """
    _require_unit_handler(actor, association)
    today = today or timezone.localdate()
    left_on = _clean_left_on(left_on, today=today)
    with transaction.atomic():
        association = _locked(association)
        if association.state != AssociationState.ACTIVE:
            raise InvalidState(association.state)
        # Every row lock before the first audit event: the audit chain's head is one row every transaction locks.
        permits = list(
            Permit.objects.select_for_update().filter(
                holder_id=association.applicant_id, unit_id=association.unit_id, status=PermitStatus.VALID
            ).order_by("pk")
        )
        association.state = AssociationState.RELEASED
        association.left_on = left_on
        association.released_at = timezone.now()
        association.late = not within_days(left_on, on=today, days=RELEASE_DAYS)
        association.save(update_fields=["state", "left_on", "released_at", "late"])
        audit_record(
            actor=actor, action="association.release", obj=association,
            changes={"state": [AssociationState.ACTIVE, AssociationState.RELEASED], "left_on": left_on.isoformat(),
                     "late": association.late},
        )
        for permit in permits:
            permit_suspend(permit=permit, actor=actor, on=today, note="单位解除员工关联 / released by the unit")
    return association
