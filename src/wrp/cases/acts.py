"""What every act on a case shares: the row lock, the recorded event (CaseEvent + audit), and giving back what a case
that ends without approval held (its quota unit, its appointment). Used by `wrp.cases.services` and
`wrp.cases.acceptance`, which both change cases."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wrp.appointments.services import booking_cancel
from wrp.audit.services import audit_record
from wrp.cases.models import Case, CaseEvent
from wrp.quotas.services import quota_release


def locked(case: Case) -> Case:
    """Re-read the case under a row lock: the state seen by the caller may be stale."""
    return Case.objects.select_for_update(of=("self",)).select_related("unit", "applicant").get(pk=case.pk)


def record_event(case: Case, *, actor: Any, action: str, from_state: str, detail: dict[str, Any] | None = None,
                 at: Any = None) -> CaseEvent:
    """The case's timeline entry and the audit event of one act."""
    event = CaseEvent.objects.create(
        case=case, at=at or timezone.now(), action=action, actor=actor, actor_role=getattr(actor, "role", "") or "",
        from_state=from_state, to_state=case.state, detail=detail or {},
    )
    audit_record(actor=actor, action=f"case.{action}", obj=case, changes={"state": [from_state, case.state]})
    return event


def holds_free(case: Case, *, actor: Any) -> None:
    """Rejection, withdrawal and non-acceptance give back the quota unit and the appointment the case held."""
    if case.quota_year is not None:
        quota_release(unit=case.unit, year=case.quota_year, actor=actor)
        case.quota_year = None
    booking_cancel(case=case, actor=actor)
