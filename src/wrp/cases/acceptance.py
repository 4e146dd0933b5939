"""The acceptance duty (受理, POLICY §11 L-ACCEPT, 行政许可法第三十二条) and the extension (延期, L-EXTEND, 第四十二条).

The day the unit submits or resubmits is the day the materials arrive: the unit gets a receipt (材料接收凭证) and the
window has until the end of the 5th working day after it to accept the case or return it with the one consolidated
correction notice. Acceptance is an act recorded on the case, not a state (DESIGN.md): the clerk's `accept`; the
forward, approval or rejection of a case not yet accepted, which accepts it at the same time (`with_decision`); or,
when the window did neither in time, deemed acceptance as of the day the materials arrived — computed from the date by
`wrp.cases.workflow.deemed_accepted` (so return is refused from that day on) and recorded by the daily job
(`cases_deem_accepted`). Each acceptance issues a 受理通知书 with the decision's due date. A matter outside the
district's remit is refused acceptance (不予受理): the case ends `rejected`, marked `not_accepted`, releasing what it
held, with a 不予受理通知书 instead of a decision letter.

The bureau may extend a running case's time limit once, by 10 working days, before it runs out, with a reason; the
clock shows the new due date and a 延期通知书 is issued.

Every act is one transaction with the case row locked, a CaseEvent and an audit event; its notice is issued inside
the transaction and its domain event announced after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.audit.services import audited_atomic
from wrp.cases import clock, notices
from wrp.cases.acts import holds_free, locked, record_event
from wrp.cases.models import Acceptance, Case, CaseState
from wrp.cases.workflow import AWAITING_ACCEPTANCE, deemed_accepted, require, require_actor
from wrp.core.errors import Invalid
from wrp.core.events import emit

REASON_MAX = 2000


# --- what people see -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptanceView:
    due: date | None  # the last day to accept or ask for corrections
    accepted_on: date | None
    how: str | None  # explicit | with_decision | deemed | not_accepted; None while it is awaited
    pending: bool  # the window still owes the acceptance (before the deadline)

    def as_json_dict(self) -> dict[str, Any]:
        return {
            "due": self.due.isoformat() if self.due else None,
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "how": self.how,
        }


def acceptance_view(case: Case, *, today: date) -> AcceptanceView:
    """Where the case stands on acceptance today; deemed acceptance counts from the date even before the job ran."""
    if case.accepted_at is not None:
        return AcceptanceView(case.acceptance_due, timezone.localdate(case.accepted_at), case.acceptance or None,
                              False)
    if case.acceptance == Acceptance.NOT_ACCEPTED:
        return AcceptanceView(case.acceptance_due, None, Acceptance.NOT_ACCEPTED, False)
    if deemed_accepted(case, today):
        arrived = timezone.localdate(case.received_at) if case.received_at else case.accepted_on
        return AcceptanceView(case.acceptance_due, arrived, Acceptance.DEEMED, False)
    pending = case.acceptance_due is not None and case.state in AWAITING_ACCEPTANCE
    return AcceptanceView(case.acceptance_due, None, None, pending)


@dataclass(frozen=True)
class ExtensionView:
    days: int
    reason: str
    extended_on: date
    previous_due: date | None
    due: date | None

    def as_json_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "reason": self.reason,
            "extended_on": self.extended_on.isoformat(),
            "previous_due": self.previous_due.isoformat() if self.previous_due else None,
            "due": self.due.isoformat() if self.due else None,
        }


def extension_view(case: Case) -> ExtensionView | None:
    if case.extended_at is None:
        return None
    return ExtensionView(case.extension_days or 0, case.extension_reason, timezone.localdate(case.extended_at),
                         case.due_before_extension, case.due_on)


# --- inside the services' transactions -------------------------------------------------------------------------------


def materials_received(case: Case, *, actor: Any, at: datetime) -> None:
    """The unit's submission or resubmission: the materials arrive today; the window's 5 working days start and the
    receipt is issued. The case is saved by the caller's own save (fields set here) before the receipt is issued."""
    case.received_at = at
    case.acceptance_due = clock.acceptance_deadline(timezone.localdate(at))
    case.save(update_fields=["received_at", "acceptance_due", "updated_at"])
    notices.receipt_issue(case, actor=actor, at=at)


def _record_acceptance(case: Case, *, how: str, actor: Any, at: datetime, accepted_at: datetime,
                       announce: bool = True) -> None:
    case.accepted_at, case.accepted_by, case.acceptance = accepted_at, actor, how
    case.save(update_fields=["accepted_at", "accepted_by", "acceptance", "updated_at"])
    record_event(case, actor=actor, action="accept", from_state=case.state, detail={"how": how}, at=at)
    notices.acceptance_notice_issue(case, actor=actor, at=at)
    if announce:
        emit("case.deemed_accepted" if how == Acceptance.DEEMED else "case.accepted", case_id=case.pk)


def accept_with_decision(case: Case, *, actor: Any, at: datetime | None = None, announce: bool = True) -> None:
    """Forward, approval or rejection of a case not yet accepted accepts it at the same time (inside the caller's
    transaction, on the locked case, before its state changes); a case deemed accepted by the date is recorded as
    deemed, as of the day the materials arrived. The 受理通知书 is issued either way; people are told of the
    acceptance (`announce`) only when the case stays open — a decision's own notice tells them of an approval or
    rejection."""
    if case.accepted_at is not None or case.state not in AWAITING_ACCEPTANCE or case.acceptance_due is None:
        return
    at = at or timezone.now()
    if deemed_accepted(case, timezone.localdate(at)):
        _record_acceptance(case, how=Acceptance.DEEMED, actor=None, at=at, accepted_at=case.received_at or at,
                           announce=announce)
    else:
        _record_acceptance(case, how=Acceptance.WITH_DECISION, actor=actor, at=at, accepted_at=at, announce=announce)


# --- the acts --------------------------------------------------------------------------------------------------------


def case_accept(*, case: Case, actor: Any) -> Case:
    """受理: the window clerk accepts a submitted or in-review case not yet accepted; a 受理通知书 with the decision's
    due date is issued."""
    require_actor(case, actor, "accept")
    with audited_atomic():
        case = locked(case)
        require(case, actor, "accept")
        _record_acceptance(case, how=Acceptance.EXPLICIT, actor=actor, at=timezone.now(), accepted_at=timezone.now())
    return case


def _reason(reason: str, *, field: str, message: Any) -> str:
    text = (reason or "").strip()
    if not text:
        raise Invalid({field: message}, codes={field: "reason_required"})
    if len(text) > REASON_MAX:
        raise Invalid({field: _("理由过长。")}, codes={field: "too_long"})
    return text


def case_refuse_acceptance(*, case: Case, actor: Any, reason: str) -> Case:
    """不予受理: the matter is outside the district's remit. Steps: check the clerk and the reason; lock; the case
    must not be accepted yet; release its quota unit and appointment; end it `rejected`, marked `not_accepted`, with
    the reasons; issue the 不予受理通知书 (no decision letter)."""
    require_actor(case, actor, "refuse_acceptance")
    text = _reason(reason, field="reason", message=_("请写明不予受理的理由。"))
    with audited_atomic():
        case = locked(case)
        require(case, actor, "refuse_acceptance")
        now = timezone.now()
        holds_free(case, actor=actor)
        previous, case.state = case.state, CaseState.REJECTED
        case.acceptance, case.acceptance_reason = Acceptance.NOT_ACCEPTED, text
        case.decided_by, case.decided_at, case.decision_reason = actor, now, text
        case.save()
        record_event(case, actor=actor, action="refuse_acceptance", from_state=previous, detail={"reason": text},
                     at=now)
        notices.non_acceptance_issue(case, actor=actor, at=now)
        emit("case.not_accepted", case_id=case.pk)
    return case


def case_extend(*, case: Case, actor: Any, reason: str) -> Case:
    """延期: the bureau extends the running case's time limit once by 10 working days, before it runs out, with the
    reason; the clock shows the new due date; a 延期通知书 is issued."""
    require_actor(case, actor, "extend")
    text = _reason(reason, field="reason", message=_("请写明延期的理由。"))
    with audited_atomic():
        case = locked(case)
        require(case, actor, "extend")
        now = timezone.now()
        case.due_before_extension = clock.extend(case, days=clock.EXTENSION_WORKING_DAYS)
        case.extension_days, case.extension_reason = clock.EXTENSION_WORKING_DAYS, text
        case.extended_at, case.extended_by = now, actor
        case.overdue = False
        case.save()
        record_event(case, actor=actor, action="extend", from_state=case.state, at=now, detail={
            "reason": text, "days": case.extension_days, "from": case.due_before_extension.isoformat(),
            "to": case.due_on.isoformat() if case.due_on else None,
        })
        notices.extension_notice_issue(case, actor=actor, at=now)
        emit("case.extended", case_id=case.pk)
    return case


def cases_deem_accepted(*, today: date) -> int:
    """The daily job: record deemed acceptance of every case whose 5th working day after the materials arrived is over
    without acceptance or return, as of that arrival, with its 受理通知书. Idempotent: a case is taken once, under
    its row lock."""
    candidates = Case.objects.filter(
        state__in=AWAITING_ACCEPTANCE, accepted_at__isnull=True, acceptance="", acceptance_due__lt=today
    ).values_list("pk", flat=True)
    recorded = 0
    for pk in list(candidates):
        with audited_atomic():
            case = locked(Case(pk=pk))
            if not deemed_accepted(case, today):
                continue
            _record_acceptance(case, how=Acceptance.DEEMED, actor=None, at=timezone.now(),
                               accepted_at=case.received_at or timezone.now())
            recorded += 1
    return recorded
