"""Who hears each domain event, and in which words: the subscriber of `wrp.core.events`.

The services below announce what happened with ids only (`emit("case.returned", case_id=...)`); this module, run after
their transaction commits, reads the objects, chooses the recipients — the applicant and the unit's handlers for a
case, the holder and the unit's handlers for a permit, the staff who must act next where one must — and hands them to
`notify()` with the template context and the link of the page to open. The words are the templates
`notifications/<event>.txt`; the context holds the case number, the item's name, dates and a masked name — never an
ID number, an income or a child's detail.

Each notice's key names the occurrence (the CaseEvent, PermitEvent or booking it reports), so an event delivered
twice notifies once, and a case returned twice is told twice.

The sweep's expiries come in batches (`permits.expired` with the ids of a batch of thousands): they are told
set-wise (`_permits_batch`, `notify_many`), and the same expiries announced one by one (`permit.expired` with
`batch`) are left to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from wrp.accounts.models import Role
from wrp.appointments.models import Booking
from wrp.cases.kinds import kind_of
from wrp.cases.models import Case, CaseEvent, CorrectionNotice
from wrp.notifications.services import Notice, notify, notify_many
from wrp.permits.models import Permit, PermitEvent
from wrp.permits.verification import masked_name
from wrp.units.models import Association, Unit, UnitHandler

RESIDENT_ID = re.compile(r"\d{17}[\dXx]|\d{15}")  # a free text written by staff never carries an ID number out


def redacted(text: str) -> str:
    """Staff-written text (a correction, a reason) with anything shaped like a resident ID number blotted out."""
    return RESIDENT_ID.sub("****", text or "")


# --- recipients -------------------------------------------------------------------------------------------------------


def people(*groups: Iterable[Any]) -> list[Any]:
    """The active users of the groups, each once, in the order given."""
    seen: dict[int, Any] = {}
    for group in groups:
        for user in group:
            if user is not None and user.is_active and user.pk not in seen:
                seen[user.pk] = user
    return list(seen.values())


def unit_handlers(unit: Unit) -> list[Any]:
    return list(unit.handlers.filter(is_active=True).order_by("pk"))


def staff(role: str) -> list[Any]:
    """Every active user of a staff role (window clerks, bureau approvers)."""
    return list(get_user_model().objects.filter(role=role, is_active=True).order_by("pk"))


# --- what the messages say --------------------------------------------------------------------------------------------


def case_context(case: Case) -> dict[str, Any]:
    """The case as a message may name it: number, item (zh, en), unit, due date, the applicant's masked name."""
    applicant = case.applicant
    return {
        "case_number": case.public_id,
        "item": list(kind_of(case).title),
        "unit_name": case.unit.name,
        "due": case.due_on.isoformat() if case.due_on else "",
        "name": masked_name(applicant.real_name or "") if applicant is not None else "",
    }


def case_link(case: Case) -> str:
    return reverse("portal:case", kwargs={"public_id": case.public_id})


def permit_context(permit: Permit) -> dict[str, Any]:
    return {
        "name": masked_name(permit.holder.real_name or ""),
        "unit_name": permit.unit.name,
        "issued_on": permit.issued_on.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
    }


def notify_permit(event: str, permit: Permit, *, key: str, context: dict[str, Any] | None = None) -> int:
    """The holder (link: their permit page) and the unit's handlers (link: the employees page)."""
    context = {**permit_context(permit), **(context or {})}
    made = notify(event=event, recipients=people([permit.holder]), context=context, key=key,
                  link=reverse("portal:applicant_permit"))
    handlers = [user for user in people(unit_handlers(permit.unit)) if user.pk != permit.holder_id]
    return made + notify(event=event, recipients=handlers, context=context, key=key,
                         link=reverse("portal:unit_employees"))


# --- case events ------------------------------------------------------------------------------------------------------

CASE_ACTIONS = {
    "case.submitted": "submit", "case.returned": "return", "case.resubmitted": "resubmit", "case.forwarded": "forward",
    "case.approved": "approve", "case.rejected": "reject", "case.withdrawn": "withdraw",
    "case.accepted": "accept", "case.deemed_accepted": "accept", "case.not_accepted": "refuse_acceptance",
    "case.extended": "extend", "case.sent_back": "send_back",
}


def _case_event(event: str, context: dict[str, Any]) -> int:
    case = Case.objects.select_related("unit", "applicant", "reviewed_by").filter(pk=context.get("case_id")).first()
    if case is None:
        return 0
    occurrence, detail = (
        CaseEvent.objects.filter(case=case, action=CASE_ACTIONS[event]).order_by("-at", "-pk")
        .values_list("pk", "detail").first()
    ) or (None, {})
    words = case_context(case)
    recipients = people([case.applicant], unit_handlers(case.unit))
    if event == "case.returned":
        notice = CorrectionNotice.objects.filter(case=case).order_by("-issued_at", "-pk").first()
        words["problems"] = [redacted(problem.get("text", "")) for problem in (notice.problems if notice else [])]
    elif event in ("case.rejected", "case.not_accepted"):
        words["reason"] = redacted(case.decision_reason)
    elif event in ("case.accepted", "case.deemed_accepted"):
        words["accepted_on"] = timezone.localdate(case.accepted_at).isoformat() if case.accepted_at else ""
    elif event == "case.extended":
        words["previous_due"] = case.due_before_extension.isoformat() if case.due_before_extension else ""
        words["reason"] = redacted(case.extension_reason)
    elif event == "case.resubmitted":
        recipients = people(recipients, [case.reviewed_by])  # the clerk who asked for the correction
    elif event == "case.forwarded":
        recipients = people(recipients, staff(Role.BUREAU_APPROVER))  # the bureau decides next
    elif event == "case.sent_back":
        words["message"] = redacted((detail or {}).get("message", ""))
        recipients = people([case.applicant])  # the unit wrote it: the employee is the one to act
    return notify(event=event, recipients=recipients, context=words, key=f"{event}:{case.pk}:{occurrence}",
                  link=case_link(case))


def _appointment_confirmed(event: str, context: dict[str, Any]) -> int:
    booking = Booking.objects.select_related("slot", "case__unit", "case__applicant").filter(
        case_id=context.get("case_id")
    ).first()
    if booking is None:  # cancelled meanwhile
        return 0
    case = booking.case
    start = timezone.localtime(booking.slot.start)
    words = {**case_context(case), "day": start.date().isoformat(), "time": start.strftime("%H:%M")}
    return notify(event=event, recipients=people([case.applicant], unit_handlers(case.unit)), context=words,
                  key=f"{event}:{case.pk}:{booking.pk}", link=case_link(case))


# --- associations -----------------------------------------------------------------------------------------------------


def _association_event(event: str, context: dict[str, Any]) -> int:
    association = Association.objects.select_related("unit", "applicant").filter(
        pk=context.get("association_id")
    ).first()
    if association is None:
        return 0
    words = {
        "name": masked_name(association.applicant.real_name or ""),
        "unit_name": association.unit.name,
        "left_on": association.left_on.isoformat() if association.left_on else "",
    }
    key = f"{event}:{association.pk}"
    made = 0
    if event in ("association.confirmed", "association.released"):
        made += notify(event=event, recipients=people([association.applicant]), context=words, key=key,
                       link=reverse("portal:applicant_association"))
    if event in ("association.requested", "association.released"):
        made += notify(event=event, recipients=people(unit_handlers(association.unit)), context=words, key=key,
                       link=reverse("portal:unit_employees"))
    return made


# --- permits ----------------------------------------------------------------------------------------------------------

PERMIT_ACTIONS = {
    "permit.issued": "issued", "permit.suspended": "suspended", "permit.renewed": "extended",
    "permit.expired": "expired",
}


def _permit_event(event: str, context: dict[str, Any]) -> int:
    if context.get("batch"):
        return 0  # announced in its batch too (`permits.expired`), and told with the batch (`_permits_batch`)
    permit = Permit.objects.select_related("holder", "unit").filter(pk=context.get("permit_id")).first()
    if permit is None:
        return 0
    occurrence = (
        PermitEvent.objects.filter(permit=permit, action=PERMIT_ACTIONS[event]).order_by("-at", "-pk")
        .values_list("pk", flat=True).first()
    )
    return notify_permit(event, permit, key=f"{event}:{permit.pk}:{occurrence}")


def _permits_batch(event: str, context: dict[str, Any]) -> int:
    """`permits.expired` (the sweep's batch, `permit_ids`): `permit.expired` told for every permit of the batch as
    `_permit_event` tells one — same words, recipients, links and keys — in a handful of queries for the batch."""
    single = BATCH_EVENTS[event]
    ids = list(context.get("permit_ids") or [])
    permits = list(Permit.objects.select_related("holder", "unit").filter(pk__in=ids).order_by("pk"))
    if not permits:
        return 0
    occurrences: dict[int, int] = {}
    for permit_id, pk in (PermitEvent.objects.filter(permit_id__in=ids, action=PERMIT_ACTIONS[single])
                          .order_by("permit_id", "-at", "-pk").values_list("permit_id", "pk")):
        occurrences.setdefault(permit_id, pk)
    handlers: dict[int, list[Any]] = {}
    for link in (UnitHandler.objects.filter(unit_id__in={permit.unit_id for permit in permits}, user__is_active=True)
                 .select_related("user").order_by("user_id")):
        handlers.setdefault(link.unit_id, []).append(link.user)
    own_page, employees_page = reverse("portal:applicant_permit"), reverse("portal:unit_employees")
    notices: list[Notice] = []
    for permit in permits:
        words = permit_context(permit)
        key = f"{single}:{permit.pk}:{occurrences.get(permit.pk)}"
        notices.append(Notice(people([permit.holder]), words, key, own_page))
        notices.append(Notice([user for user in people(handlers.get(permit.unit_id, [])) if user.pk != permit.holder_id],
                              words, key, employees_page))
    return notify_many(event=single, notices=notices)


# A batch event (`permit_ids`) and the event it stands for, one per permit (emitted as well, with `batch`).
BATCH_EVENTS = {"permits.expired": "permit.expired"}

HANDLERS: dict[str, Callable[[str, dict[str, Any]], int]] = {
    **dict.fromkeys(CASE_ACTIONS, _case_event),
    "appointment.confirmed": _appointment_confirmed,
    **dict.fromkeys(("association.requested", "association.confirmed", "association.released"), _association_event),
    **dict.fromkeys(PERMIT_ACTIONS, _permit_event),
}
EVENTS = frozenset(HANDLERS)


def on_event(event: str, context: dict[str, Any]) -> None:
    """The subscriber registered in NotificationsConfig.ready: tell the people concerned, if the event is one we tell."""
    handler = HANDLERS.get(event) or (_permits_batch if event in BATCH_EVENTS else None)
    if handler is not None:
        handler(event, context)
