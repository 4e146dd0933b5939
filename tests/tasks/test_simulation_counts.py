"""400 days of the real daily jobs over the demo data set, with two schedulers ticking and two workers taking turns
each day, from Monday 2025-09-01 to Monday 2026-10-05 — across National Day 2025, Spring Festival 2026 and National
Day 2026 (both years' holiday notices are loaded; no date reaches 2027, so nothing here is provisional).

The data: the demo (`create_demo`, made on the first day) plus a small cohort of holders made through the demo's own
helpers, whose permits end on chosen days (on the first days, on Spring Festival, on National Day 2026, on the last
day, after it) so that every renewal threshold, the catch-up rule and the expiry are reached — the demo alone has its
renewal permits 30 days from expiry only. Nobody acts during the 400 days: the open cases all go overdue.

The expected notices are computed here from the data as it stands before the first day — date arithmetic on the
permits, cases and bookings and the holiday calendar's working days, never the finders — and compared with the
notices written, (recipient, key) by (recipient, key), with the day each was written where the rule fixes it.
On SQLite the schedulers and workers interleave in one thread; the postgres_only race tests of test_simulation.py and
test_scheduler_race.py cover true concurrency.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from unittest import mock

import pytest
from django.test import TestCase
from django.utils import timezone

from tests.clock import beijing
from tests.tasks.simulation import simulate
from wrp.accounts.models import Role, User
from wrp.appointments.models import Booking
from wrp.cases.models import Case, CaseState
from wrp.notifications.events import people as case_people
from wrp.notifications.events import unit_handlers
from wrp.notifications.models import ContactPreference, Notification
from wrp.permits.models import Permit, PermitStatus
from wrp.policy.periods import add_years
from wrp.policy_runtime import policy_calendar
from wrp.tasks import registry
from wrp.tasks.models import RunStatus, ScheduledRun
from wrp.units.models import Association, AssociationState, Unit

START = date(2025, 9, 1)
DAYS = 400
END = START + timedelta(days=DAYS - 1)  # 2026-10-05
HOLIDAYS = (date(2025, 10, 1), date(2026, 2, 17), date(2026, 10, 1))
THRESHOLDS = {60: range(31, 61), 30: range(8, 31), 7: range(0, 8)}  # days left → the tightest threshold reached

# The cohort: (unit, valid_until). Days left on the first day in brackets.
COHORT = (
    ("star", date(2025, 9, 5)),  # [4]: only 7 (catch-up: 60 and 30 were never told), expires on 09-06
    ("star", date(2025, 10, 31)),  # [60]: 60 on the first day, 30, 7, expires on 11-01
    ("hospital", date(2025, 11, 10)),  # [70]: the whole window, to the other unit's handler, expires 11-11
    ("star", date(2026, 2, 17)),  # Spring Festival: 60, 30, 7 (7 told on 02-10), expires on 02-18
    ("star", date(2026, 10, 1)),  # National Day 2026: 60, 30, 7, expires on 10-02 within the run
    ("star", date(2026, 10, 5)),  # the last day: 60, 30, 7, still valid at the end (expires 10-06)
    ("star", date(2026, 11, 20)),  # 60 on 09-21 only (30 would be 10-21, after the run)
    ("star", date(2026, 12, 10)),  # the window opens on 10-11, after the run: nothing
)


@pytest.fixture
def frozen_moment():
    return beijing(2025, 9, 1, 8)  # the demo is made at 08:00 on the first day; the schedulers tick at 10:00


def _make_data() -> None:
    from wrp.demo.dataset import Demo, create_demo
    from wrp.permits.services import permit_issue

    create_demo(today=START, log=lambda _line: None)
    demo = Demo(today=START)
    demo.serial = 1000  # past the demo's people: fresh names and resident ID numbers
    approver = User.objects.get(username="approver")
    units = {"star": Unit.objects.get(name="北京星辰科技有限公司"), "hospital": Unit.objects.get(name="北京朝阳康复医院")}
    for number, (unit, valid_until) in enumerate(COHORT, start=1):
        holder = demo.applicant(f"cohort{number}", units[unit])
        issued = add_years(valid_until, -3)
        assert add_years(issued, 3) == valid_until
        permit_issue(holder=holder, unit=units[unit], actor=approver, on=issued)
    # Notices only: the e-mails and SMS of ~1,700 notices would double the tasks the workers run (deliveries are
    # tests/notifications' subject), so every channel is switched off; the in-app notices are what is counted.
    ContactPreference.objects.update(email_on=False, sms_on=False)


# --- the expectations, from the data before the first day ---------------------------------------------------------------


def _handlers(unit: Unit, *, but: int | None = None) -> list[int]:
    return [pk for pk in unit.handlers.filter(is_active=True).values_list("pk", flat=True) if pk != but]


def _permit_recipients(permit: Permit) -> list[int]:
    """The holder and the unit's handlers (the holder once, were they a handler too): notify_permit."""
    return [permit.holder_id, *_handlers(permit.unit, but=permit.holder_id)]


def expected_renewal_notices() -> set[tuple[int, str]]:
    """permit.renewal_window: each threshold whose band of days left (60: 31–60, 30: 8–30, 7: 0–7) meets the days
    left during the run, for a permit valid on the first day — the finder runs every day, so each band is seen on its
    first day unless the run starts inside a tighter one (reminders.py: "a day the scheduler missed is caught up by
    the next run (the tightest threshold reached is the one told)"); after valid_until the permit is not in the window
    (days left < 0) and the sweep expires it. Holders with a renewal filed and not yet decided (submitted, in review,
    returned, pending approval) hear nothing (renewal_reminders: "unless a renewal of the holder is already filed") —
    nobody acts during the run, so that set stays as it is on the first day."""
    renewing = set(Case.objects.filter(kind="renewal", state__in=(
        CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.RETURNED, CaseState.PENDING_APPROVAL,
    )).values_list("applicant_id", flat=True))
    expected: set[tuple[int, str]] = set()
    for permit in Permit.objects.filter(status=PermitStatus.VALID).select_related("unit"):
        if permit.holder_id in renewing:
            continue
        seen = set(range((permit.valid_until - END).days, (permit.valid_until - START).days + 1))
        for threshold, band in THRESHOLDS.items():
            if seen & set(band):
                key = f"permit.renewal_window:{permit.pk}:{permit.valid_until.isoformat()}:{threshold}"
                expected |= {(user, key) for user in _permit_recipients(permit)}
    return expected


def expected_expiries() -> dict[int, date]:
    """Permit → the day the sweep expires it: valid or suspended, valid_until before the last day."""
    return {
        permit.pk: permit.valid_until + timedelta(days=1)
        for permit in Permit.objects.filter(status__in=(PermitStatus.VALID, PermitStatus.SUSPENDED),
                                            valid_until__lt=END)
    }


def _first_workday_after(day: date) -> date:
    calendar = policy_calendar()
    day += timedelta(days=1)
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def _last_workday_before(day: date) -> date:
    calendar = policy_calendar()
    day -= timedelta(days=1)
    while not calendar.is_workday(day):
        day -= timedelta(days=1)
    return day


def expected_escalations() -> dict[str, date]:
    """case.overdue key → the day it is told: a running case (submitted, in review, pending approval; a returned
    case's clock is stopped) is overdue from the first working day after its due date (working days left < 0)."""
    running = Case.objects.filter(
        state__in=(CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.PENDING_APPROVAL), due_on__isnull=False)
    return {f"case.overdue:{case.pk}:{case.due_on.isoformat()}": max(START, _first_workday_after(case.due_on))
            for case in running if _first_workday_after(case.due_on) <= END}


def expected_digest_days() -> list[date]:
    """clerk.digest: the working days on which some case at the window (submitted, in review) has at most 2 working
    days left (or is overdue) — once it has, it stays so, as nobody acts."""
    calendar = policy_calendar()
    dues = list(Case.objects.filter(state__in=(CaseState.SUBMITTED, CaseState.IN_REVIEW), due_on__isnull=False)
                .values_list("due_on", flat=True))
    days = [START + timedelta(days=n) for n in range(DAYS)]
    return [day for day in days if calendar.is_workday(day) and any(calendar.workdays_between(day, due) <= 2 for due in dues)]


def expected_appointment_reminders() -> dict[tuple[int, str], date]:
    """(recipient, key) → the day: the last working day before the appointment (or the first day, if that is before
    it), to the applicant and the unit's handlers, for bookings of open cases."""
    expected: dict[tuple[int, str], date] = {}
    open_states = (CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.RETURNED, CaseState.PENDING_APPROVAL)
    for booking in Booking.objects.filter(case__state__in=open_states).select_related("slot", "case__unit"):
        day = timezone.localtime(booking.slot.start).date()
        if not START < day <= END + timedelta(days=1):
            continue
        key = f"appointment.reminder:{booking.case_id}:{day.isoformat()}"
        for user in dict.fromkeys([booking.case.applicant_id, *_handlers(booking.case.unit)]):
            expected[(user, key)] = max(START, _last_workday_before(day))
    return expected


# --- two workers --------------------------------------------------------------------------------------------------------


def two_workers(ran_by: Counter[str]):
    """The day's work for two database workers taking one task in turn until the queue is empty. Each round runs
    inside captured on-commit callbacks, executed at its end as a commit would (the events of the sweep, then the
    deliveries they enqueue, which the next round runs)."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    def one_task(worker_id: str) -> int:
        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                        max_tasks=1, worker_id=worker_id, excluded_queue_names=[])
        worker.run()
        return worker._run_tasks

    def work() -> int:
        total = 0
        with mock.patch.object(db_worker, "close_old_connections", return_value=None):
            while True:
                with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
                    this_round = 0
                    for worker_id in ("worker-1", "worker-2"):
                        ran = one_task(worker_id)
                        ran_by[worker_id] += ran
                        this_round += ran
                total += this_round
                if not this_round and not callbacks:
                    return total

    return work


# --- the run ------------------------------------------------------------------------------------------------------------


def _notices(event: str) -> list[Notification]:
    return list(Notification.objects.filter(event=event))


def _day(notification: Notification) -> date:
    return timezone.localtime(notification.created_at).date()


def _period(name: str, day: date) -> str:
    """The period of the job's run on a simulated day (the schedulers tick at 10:00): the day, or that hour."""
    return day.isoformat() if registry.JOBS[name].every == "day" else f"{day.isoformat()}T10"


@pytest.mark.django_db
def test_400_days_of_the_demo_tell_each_reminder_expiry_and_escalation_exactly_once(frozen_clock, private_media,
                                                                                   settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # 94 demo accounts: argon2 ~30 s
    _make_data()
    renewals, expiries = expected_renewal_notices(), expected_expiries()
    escalations, digest_days = expected_escalations(), expected_digest_days()
    appointments = expected_appointment_reminders()
    approvers = list(User.objects.filter(role=Role.BUREAU_APPROVER, is_active=True).values_list("pk", flat=True))
    clerks = list(User.objects.filter(role=Role.WINDOW_CLERK, is_active=True).values_list("pk", flat=True))
    expiring = {pk: _permit_recipients(permit)
                for pk, permit in Permit.objects.select_related("unit").in_bulk(expiries).items()}
    assert not Association.objects.filter(state=AssociationState.ACTIVE, left_on__isnull=False).exists()
    assert not Association.objects.filter(late=True).exists()
    before = set(Notification.objects.values_list("pk", flat=True))

    ran_by: Counter[str] = Counter()
    result = simulate(frozen_clock, start=START, days=DAYS, schedulers=2, hour=10, work=two_workers(ran_by))

    # The scheduler: each daily job once a day, 400 days, no duplicate enqueue, every run succeeded, both workers ran.
    assert len(result.days) == DAYS
    assert set(HOLIDAYS) <= set(result.days)
    assert result.days[-1] == END
    assert result.runs_per_job == {name: DAYS for name in registry.JOBS}
    assert result.duplicates() == {}
    runs = Counter(ScheduledRun.objects.values_list("job", "period"))
    assert runs == {(name, _period(name, START + timedelta(days=n))): 1 for name in registry.JOBS for n in range(DAYS)}
    assert list(ScheduledRun.objects.exclude(status=RunStatus.SUCCEEDED).values_list("job", "period", "error")) == []
    assert ScheduledRun.objects.filter(attempts=1).count() == DAYS * len(registry.JOBS)
    assert ran_by["worker-1"] > 0
    assert ran_by["worker-2"] > 0
    assert sum(ran_by.values()) == result.tasks_run == DAYS * len(registry.JOBS)  # the channels are off: no deliveries

    assert not Case.objects.filter(clock_provisional=True).exists()  # no due date reached an unloaded year
    made = Notification.objects.exclude(pk__in=before)
    pairs = Counter(made.values_list("recipient_id", "key"))
    assert [pair for pair, times in pairs.items() if times > 1] == []  # no (recipient, key) twice

    # Renewal window: per permit, threshold and recipient (holder and the unit's handlers).
    told = {(n.recipient_id, n.key) for n in _notices("permit.renewal_window")}
    assert told == renewals
    by_threshold = Counter(key.rsplit(":", 1)[1] for _user, key in told)
    assert by_threshold == Counter(key.rsplit(":", 1)[1] for _user, key in renewals)
    assert set(by_threshold) == {"60", "30", "7"}

    # Expiries: the sweep expires each permit the day after valid_until; permit.expired to the holder and handlers.
    assert set(Permit.objects.filter(status=PermitStatus.EXPIRED).values_list("pk", flat=True)) == set(expiries)
    expired = _notices("permit.expired")
    assert Counter(int(n.key.split(":")[1]) for n in expired) == {pk: len(expiring[pk]) for pk in expiries}
    assert {(n.recipient_id, int(n.key.split(":")[1])) for n in expired} == {
        (user, pk) for pk, users in expiring.items() for user in users}
    assert all(_day(n) == expiries[int(n.key.split(":")[1])] for n in expired)

    # Overdue escalations: every running case, to every bureau approver, on the first working day after its due date
    # (16 cases due on Sunday 2025-09-28, a declared working day before National Day, are told on Monday 09-29).
    overdue = _notices("case.overdue")
    assert {(n.recipient_id, n.key) for n in overdue} == {(user, key) for key in escalations for user in approvers}
    assert all(_day(n) == escalations[n.key] for n in overdue)

    # The clerks' digest: one a day to each clerk from the first day a case at the window is due within 2 working days.
    digests = _notices("clerk.digest")
    assert Counter(n.key for n in digests) == {f"clerk.digest:{day.isoformat()}": len(clerks) for day in digest_days}

    # Appointments: the working day before, to the applicant and the handlers, for the open cases' bookings.
    reminded = _notices("appointment.reminder")
    assert {(n.recipient_id, n.key): _day(n) for n in reminded} == appointments

    # No release is pending or late in the demo: no release notices.
    assert not made.filter(event__startswith="association.").exists()
    # The demo's cases left unaccepted at the window are deemed accepted after 5 working days (L-ACCEPT): each told
    # once to its applicant and its unit's handlers.
    deemed = Case.objects.filter(acceptance="deemed").select_related("applicant", "unit")
    deemed_told = sum(len(case_people([case.applicant], unit_handlers(case.unit))) for case in deemed)
    assert deemed.exists()
    assert Counter(made.filter(event="case.deemed_accepted").values_list("recipient_id", "key")).most_common(1)[0][1] == 1
    # Nothing else was told: no one acted, so no case or permit event but the expiries and the deemed acceptances.
    assert Counter(made.values_list("event", flat=True)) == {
        event: count for event, count in {
            "permit.renewal_window": len(renewals),
            "permit.expired": sum(len(users) for users in expiring.values()),
            "case.overdue": len(escalations) * len(approvers),
            "clerk.digest": len(digest_days) * len(clerks),
            "appointment.reminder": len(appointments),
            "case.deemed_accepted": deemed_told,
        }.items() if count
    }
    # The figures of today's demo and cohort, worked by hand (update them with the demo): renewal notices 60-day 6
    # permits, 30-day 9 (the demo's 4 renewal holders without a renewal filed + 5 of the cohort), 7-day 10, each to the
    # holder and one handler; 13 permits expired (the demo's 8 undecided or refused renewals + 5 of the cohort); 24
    # cases escalated (20 made on the first day + the 4 running cases of the demo's past weeks, wrp.demo.aged), and a
    # digest every working day from the first, when those are overdue or due within 2 working days.
    figures = {"60": by_threshold["60"], "30": by_threshold["30"], "7": by_threshold["7"], "expired": len(expiries),
               "escalated": len(escalations), "digest_days": len(digest_days)}
    assert figures == {"60": 12, "30": 18, "7": 20, "expired": 13, "escalated": 24, "digest_days": 270}
