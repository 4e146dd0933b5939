"""Associations (员工关联, POLICY §9, cases-api.md §Applicants and associations): the link between an applicant and
the unit that employs them, through which the unit files the applicant's personal cases.

requested (the applicant gives the unit's association code) → active (a handler accepts) | refused (a handler
refuses); active → released (a handler releases the employee who left, 解除员工关联). An applicant has at most one
active association, and at most one open (requested or active) association with a unit. A release more than 60 days
after the leaving date is marked late (the unit may be penalised); it suspends the holder's permit of that unit
through `wrp.permits.services.permit_suspend`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.core.events import emit
from wrp.employment.selectors import OPEN_STATES, RELEASE_DAYS, can_see_association
from wrp.permits.models import Permit, PermitStatus
from wrp.permits.services import permit_suspend
from wrp.policy.periods import within_days
from wrp.units.models import Association, AssociationState, Unit
from wrp.units.selectors import is_handler, normalised_code

RELEASE_NOTE = "单位解除员工关联"  # the permit event's note (data kept with the event, not a message)


def _already_active() -> InvalidState:
    return InvalidState(AssociationState.ACTIVE, _("申请人已与一家单位关联，请先解除。"), code="already_associated")


def _bad_date() -> Invalid:
    return Invalid({"left_on": _("日期格式应为 YYYY-MM-DD。")}, codes={"left_on": "bad_date"})


def _require_unit_handler(actor: Any, association: Association) -> None:
    """Only the unit's handlers act on its associations; the applicant and staff see it but may not (Forbidden)."""
    if is_handler(actor, association.unit):
        return
    if can_see_association(actor, association):
        raise Forbidden(_("只有该单位的经办人可以处理员工关联。"), code="unit_handlers_only")
    raise NotFound(code="association_not_found")


def _lock_applicant(applicant_id: int) -> None:
    """Serialise the changes of one applicant's associations (one active at a time)."""
    get_user_model().objects.select_for_update().filter(pk=applicant_id).first()


def _locked(association: Association) -> Association:
    return Association.objects.select_for_update(of=("self",)).select_related("unit", "applicant").get(
        pk=association.pk
    )


def association_request(*, actor: Any, association_code: str) -> Association:
    """关联申请: the applicant asks the unit whose association code they give to associate them.

    A second open (requested or active) association with the same unit is refused with its state; so is any request
    while the applicant has an active association with any unit.
    """
    if getattr(actor, "role", None) != Role.APPLICANT or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("只有申请人可以申请关联单位。"), code="applicants_only")
    code = normalised_code(association_code) if isinstance(association_code, str) else ""
    unit = Unit.objects.filter(association_code=code).first() if code else None
    if unit is None:
        raise Invalid({"association_code": _("单位关联码无效。")}, codes={"association_code": "unknown_association_code"})
    with transaction.atomic():
        _lock_applicant(actor.pk)
        existing = Association.objects.filter(applicant_id=actor.pk, unit=unit, state__in=OPEN_STATES).first()
        if existing is not None:
            raise InvalidState(existing.state, _("已向该单位提出关联。"), code="already_requested")
        if Association.objects.filter(applicant_id=actor.pk, state=AssociationState.ACTIVE).exists():
            raise _already_active()
        try:
            with transaction.atomic():
                association = Association.objects.create(
                    unit=unit, applicant=actor, state=AssociationState.REQUESTED, requested_at=timezone.now(),
                )
        except IntegrityError:
            raise InvalidState(AssociationState.REQUESTED, _("已向该单位提出关联。"), code="already_requested") from None
        audit_record(actor=actor, action="association.request", obj=association,
                     changes={"unit": unit.credit_code, "state": [None, association.state]})
        emit("association.requested", association_id=association.pk)
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
            raise _already_active()
        association.state = to
        association.decided_at = timezone.now()
        try:
            with transaction.atomic():
                association.save(update_fields=["state", "decided_at"])
        except IntegrityError:
            raise _already_active() from None
        audit_record(actor=actor, action=f"association.{'accept' if to == AssociationState.ACTIVE else 'refuse'}",
                     obj=association, changes={"state": [AssociationState.REQUESTED, to]})
        if to == AssociationState.ACTIVE:
            emit("association.confirmed", association_id=association.pk)
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
            raise _bad_date() from None
    if not isinstance(left_on, date) or hasattr(left_on, "hour"):
        raise _bad_date()
    if left_on > today:
        raise Invalid({"left_on": _("离职日期不能晚于今天")}, codes={"left_on": "after_today"})
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
            permit_suspend(permit=permit, actor=actor, on=today, note=RELEASE_NOTE)
        emit("association.released", association_id=association.pk)
    return association


def association_record_departure(
    *, association: Association, actor: Any, left_on: date, today: date | None = None
) -> Association:
    """登记离职日期: a handler records the day an employee in post left, before releasing them, so the 60-day release
    deadline (POLICY §9) is known and the reminders find it. Only on an active association; `left_on` not after
    today; recording it again corrects the date. The association stays active (the release is a separate step)."""
    _require_unit_handler(actor, association)
    today = today or timezone.localdate()
    left_on = _clean_left_on(left_on, today=today)
    with transaction.atomic():
        association = _locked(association)
        if association.state != AssociationState.ACTIVE:
            raise InvalidState(association.state)
        before = association.left_on
        association.left_on = left_on
        association.save(update_fields=["left_on"])
        audit_record(actor=actor, action="association.record_departure", obj=association,
                     changes={"left_on": [before.isoformat() if before else None, left_on.isoformat()]})
    return association
