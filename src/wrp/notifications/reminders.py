"""The periodic finders: what nobody clicked but someone must hear — a permit entering its renewal window, a release
deadline approaching or missed, tomorrow's appointment, the clerks' cases due soon, a case past its time limit.

Each is `fn(*, today: date) -> int` (how many notices it created), run once a day by the scheduler (wrp.tasks). Each
notice's key names the thing, and the threshold or day it is about, so running a finder again the same day — or on
two workers at once — tells nobody twice, and a day the scheduler missed is caught up by the next run (the tightest
threshold reached is the one told). Days are calendar days where the law counts them so (the renewal window, the 60
days to release, POLICY §9) and working days where it counts working days (the case clock, POLICY §3, through
`wrp.policy.workdays` and the platform's holiday calendar).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation

from wrp.accounts.models import Role
from wrp.appointments.models import Booking
from wrp.cases import clock
from wrp.cases.models import Case, CaseState
from wrp.cases.workflow import OPEN_STATES, RUNNING
from wrp.core.days import days_range
from wrp.employment.selectors import release_deadline
from wrp.notifications.events import case_context, case_link, notify_permit, people, staff, unit_handlers
from wrp.notifications.services import notify
from wrp.permits.models import Permit, PermitStatus
from wrp.permits.verification import masked_name
from wrp.policy.workdays import CalendarYearNotLoaded
from wrp.policy_runtime import policy_calendar
from wrp.units.models import Association, AssociationState

RENEWAL_THRESHOLDS = (60, 30, 7)  # calendar days before valid_until (the window opens at 60, POLICY §9)
RELEASE_WARNING_DAYS = 7  # the unit hears this many days before its 60-day release deadline
LATE_RELEASE_LOOKBACK = 7  # a late release made within these days is reported to the bureau (catch-up margin)
DIGEST_WORKING_DAYS = 2  # the clerks' digest: cases due within this many working days
CLERK_STATES = (CaseState.SUBMITTED, CaseState.IN_REVIEW)  # the window's work (pending approval is the bureau's)
DIGEST_ROWS = 50


def _next_workday(today: date) -> date:
    calendar = policy_calendar()
    try:
        return calendar.add_workdays(today, 1)
    except CalendarYearNotLoaded:
        return calendar.add_workdays(today, 1, provisional=True)


def _both_languages(label: Any) -> list[str]:
    """A lazy label as [zh, en], for the message rendered later in the recipient's language."""
    words = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words.append(str(label))
    return words


# --- permits ----------------------------------------------------------------------------------------------------------


def renewal_threshold(days_left: int) -> int | None:
    """The tightest threshold reached: 60 for 31–60 days left, 30 for 8–30, 7 for 0–7; None outside the window."""
    if days_left < 0:
        return None
    reached = [threshold for threshold in RENEWAL_THRESHOLDS if days_left <= threshold]
    return min(reached) if reached else None


def renewal_reminders(*, today: date) -> int:
    """permit.renewal_window: a valid permit 60, 30 and 7 days before its valid_until, to the holder and the unit's
    handlers — unless a renewal of the holder is already filed (submitted and not yet decided)."""
    horizon = today + timedelta(days=max(RENEWAL_THRESHOLDS))
    renewing = Case.objects.filter(kind="renewal", state__in=OPEN_STATES).values("applicant_id")
    permits = (
        Permit.objects.filter(status=PermitStatus.VALID, valid_until__gte=today, valid_until__lte=horizon)
        .exclude(holder_id__in=renewing).select_related("holder", "unit").order_by("pk")
    )
    made = 0
    for permit in permits:
        days_left = (permit.valid_until - today).days
        threshold = renewal_threshold(days_left)
        if threshold is None:
            continue
        key = f"permit.renewal_window:{permit.pk}:{permit.valid_until.isoformat()}:{threshold}"
        made += notify_permit("permit.renewal_window", permit, key=key,
                              context={"days": days_left, "threshold": threshold})
    return made


# --- associations -----------------------------------------------------------------------------------------------------


def _association_words(association: Association, deadline: date) -> dict[str, Any]:
    released = timezone.localdate(association.released_at) if association.released_at else None
    return {
        "name": masked_name(association.applicant.real_name or ""),
        "unit_name": association.unit.name,
        "left_on": association.left_on.isoformat() if association.left_on else "",
        "deadline": deadline.isoformat(),
        "released_on": released.isoformat() if released else "",
    }


def release_deadline_reminders(*, today: date) -> int:
    """The 60-day release deadline (POLICY §9) of an employee known to have left (an active association with its
    leaving date): association.release_due to the unit's handlers in the last 7 days before it, and
    association.release_missed to the handlers and the bureau's approvers once it has passed. A release made late
    (within the last week) is reported to the bureau as missed too — once per association either way."""
    made = 0
    link_unit, link_bureau = reverse("portal:unit_employees"), reverse("portal:bureau_late_releases")
    pending = Association.objects.filter(state=AssociationState.ACTIVE, left_on__isnull=False).select_related(
        "unit", "applicant").order_by("pk")
    for association in pending:
        deadline = release_deadline(association.left_on)
        words = _association_words(association, deadline)
        handlers = people(unit_handlers(association.unit))
        if deadline < today:
            key = f"association.release_missed:{association.pk}"
            made += notify(event="association.release_missed", recipients=handlers, context=words, key=key,
                           link=link_unit)
            made += notify(event="association.release_missed", recipients=people(staff(Role.BUREAU_APPROVER)),
                           context=words, key=key, link=link_bureau)
        elif (deadline - today).days <= RELEASE_WARNING_DAYS:
            made += notify(event="association.release_due", recipients=handlers, context=words,
                           key=f"association.release_due:{association.pk}:{deadline.isoformat()}", link=link_unit)
    since, _end = days_range(today - timedelta(days=LATE_RELEASE_LOOKBACK), today)
    late = Association.objects.filter(
        state=AssociationState.RELEASED, late=True, left_on__isnull=False, released_at__gte=since,
    ).select_related("unit", "applicant").order_by("pk")
    for association in late:
        words = _association_words(association, release_deadline(association.left_on))
        made += notify(event="association.release_missed", recipients=people(staff(Role.BUREAU_APPROVER)),
                       context=words, key=f"association.release_missed:{association.pk}", link=link_bureau)
    return made


# --- appointments -----------------------------------------------------------------------------------------------------


def appointment_reminders(*, today: date) -> int:
    """appointment.reminder: on the working day before the appointment (so on Friday for Monday's), to the applicant
    and the unit's handlers, for cases still open."""
    start, end = days_range(today + timedelta(days=1), _next_workday(today))
    bookings = (
        Booking.objects.filter(slot__start__gte=start, slot__start__lt=end, case__state__in=OPEN_STATES)
        .select_related("slot", "case__unit", "case__applicant").order_by("slot__start", "pk")
    )
    made = 0
    for booking in bookings:
        case = booking.case
        moment = timezone.localtime(booking.slot.start)
        words = {**case_context(case), "day": moment.date().isoformat(), "time": moment.strftime("%H:%M")}
        made += notify(event="appointment.reminder", recipients=people([case.applicant], unit_handlers(case.unit)),
                       context=words, key=f"appointment.reminder:{case.pk}:{moment.date().isoformat()}",
                       link=case_link(case))
    return made


# --- the clerks and the bureau ----------------------------------------------------------------------------------------


def _working_days_left(case: Case, today: date) -> int | None:
    return clock.view(case, today=today).working_days_left


def clerk_digest(*, today: date) -> int:
    """clerk.digest: once each working day (the hall is closed on rest days and holidays: nobody would read it), to
    every window clerk, the cases at the window (submitted or in review) whose time limit ends within 2 working days,
    or has already passed; nothing when there are none."""
    if not policy_calendar().is_workday(today, provisional=True):
        return 0
    rows = []
    cases = Case.objects.filter(state__in=CLERK_STATES, due_on__isnull=False).select_related(
        "unit", "applicant").order_by("due_on", "pk")
    for case in cases:
        left = _working_days_left(case, today)
        if left is not None and left <= DIGEST_WORKING_DAYS:
            rows.append(case_context(case))
    if not rows:
        return 0
    words = {"count": len(rows), "cases": rows[:DIGEST_ROWS]}
    return notify(event="clerk.digest", recipients=people(staff(Role.WINDOW_CLERK)), context=words,
                  key=f"clerk.digest:{today.isoformat()}", link=reverse("portal:clerk_queue"))


def overdue_escalations(*, today: date) -> int:
    """case.overdue: a running case past its due date (working days, POLICY §3) is escalated to the bureau's
    approvers, once per case and due date."""
    made = 0
    approvers = people(staff(Role.BUREAU_APPROVER))
    cases = Case.objects.filter(state__in=RUNNING, due_on__lt=today).select_related("unit", "applicant").order_by("pk")
    for case in cases:
        left = _working_days_left(case, today)
        if left is None or left >= 0:
            continue
        words = {**case_context(case), "state": _both_languages(CaseState(case.state).label)}
        made += notify(event="case.overdue", recipients=approvers, context=words,
                       key=f"case.overdue:{case.pk}:{case.due_on.isoformat()}", link=case_link(case))
    return made
