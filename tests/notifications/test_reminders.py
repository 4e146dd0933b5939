"""The periodic finders of wrp.notifications.reminders: exact counts on a small data set, and a second run on the same
day adds nothing. The day is Thursday 2026-11-26; the personas are those of test_events (`unit` has two handlers;
the applicant reads English)."""

# ruff: noqa: F811  (the `people` fixture of test_events is imported, then asked for by name)
from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import case_in_state, make_association, make_permit, make_unit, make_user
from tests.notifications.test_events import CASE_PEOPLE, TAXES, people, told  # noqa: F401  (people: the fixture)
from wrp.accounts.models import Role
from wrp.employment.services import association_record_departure
from wrp.notifications.models import Notification
from wrp.notifications.reminders import (
    appointment_reminders,
    clerk_digest,
    overdue_escalations,
    release_deadline_reminders,
    renewal_reminders,
    renewal_threshold,
)
from wrp.permits.models import PermitStatus
from wrp.policy_runtime import policy_calendar
from wrp.units.models import AssociationState

HANDLERS = {"handler": 1, "second_handler": 1}


@pytest.mark.parametrize(("days_left", "threshold"), [
    (61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None),
])
def test_the_tightest_threshold_reached_is_told(days_left, threshold):
    assert renewal_threshold(days_left) == threshold


def _holder(name: str):
    return make_user(Role.APPLICANT, name, real_name="王小明")


def test_renewal_reminders_at_60_30_and_7_days(people, today):
    unit = people.unit
    for name, days in [("h60", 60), ("h45", 45), ("h30", 30), ("h7", 7), ("h0", 0), ("h61", 61)]:
        make_permit(_holder(name), unit, valid_until=today + timedelta(days=days))
    make_permit(_holder("suspended"), unit, valid_until=today + timedelta(days=20), status=PermitStatus.SUSPENDED)
    make_permit(_holder("other_unit"), people.other_unit, valid_until=today + timedelta(days=30))

    assert renewal_reminders(today=today) == 5 * 3 + 2  # five holders and their two handlers; the other unit's pair
    assert renewal_reminders(today=today) == 0
    assert told("permit.renewal_window") == {
        "h60": 1, "h45": 1, "h30": 1, "h7": 1, "h0": 1, "handler": 5, "second_handler": 5, "other_unit": 1,
        "other_handler": 1,
    }
    assert renewal_reminders(today=today + timedelta(days=1)) == 3  # h61 enters the window; the others stay in band
    assert renewal_reminders(today=today + timedelta(days=15)) == 3  # h45 reaches 30 days
    notice = Notification.objects.get(event="permit.renewal_window", recipient__username="h45",
                                      key__endswith=":30")
    assert notice.subject == "工作居住证将于 30 天后到期：王*明"
    assert notice.link == "/me/permit/"


def test_no_renewal_reminder_while_a_renewal_is_filed(people, today):
    make_permit(people.applicant, people.unit, issued_on=date(2023, 12, 20))  # 24 days left
    case_in_state(people, "submitted", kind="renewal")
    assert renewal_reminders(today=today) == 0


def test_renewal_reminder_in_the_holders_language(people, today):
    make_permit(people.applicant, people.unit, issued_on=date(2023, 12, 20))  # valid until 2026-12-20: 24 days
    assert renewal_reminders(today=today) == 3
    english = Notification.objects.get(event="permit.renewal_window", recipient=people.applicant)
    assert english.subject == "Work residence permit expires in 24 days: 张*丰"
    chinese = Notification.objects.get(event="permit.renewal_window", recipient=people.handler)
    assert chinese.subject == "工作居住证将于 24 天后到期：张*丰"


def test_release_deadline_approaching_and_missed(people, today):
    unit, now = people.unit, timezone.now()
    make_association(_holder("due_soon"), unit, left_on=today - timedelta(days=55))  # deadline in 5 days
    make_association(_holder("due_later"), unit, left_on=today - timedelta(days=40))  # in 20 days: not yet
    make_association(_holder("missed"), unit, left_on=today - timedelta(days=61))  # deadline yesterday
    make_association(_holder("in_post"), unit)  # no leaving date known
    make_association(_holder("late_yesterday"), unit, state=AssociationState.RELEASED, late=True,
                     left_on=today - timedelta(days=80), released_at=now - timedelta(days=1))
    make_association(_holder("late_long_ago"), unit, state=AssociationState.RELEASED, late=True,
                     left_on=today - timedelta(days=200), released_at=now - timedelta(days=30))

    assert release_deadline_reminders(today=today) == 2 + 3 + 1
    assert release_deadline_reminders(today=today) == 0
    assert told("association.release_due") == HANDLERS
    assert told("association.release_missed") == {**HANDLERS, "approver": 2}
    missed = Notification.objects.filter(event="association.release_missed", recipient=people.approver)
    assert {notice.link for notice in missed} == {"/bureau/late-releases/"}
    assert release_deadline_reminders(today=today + timedelta(days=6)) == 3  # due_soon's deadline has now passed


def test_a_recorded_departure_is_told_approaching_then_missed(people, today):
    """登记离职日期 (association_record_departure) is what the finder reads: the association stays active, the unit
    hears in the last 7 days before the 60th day, and the unit and the bureau once that day has passed."""
    association = make_association(_holder("leaver"), people.unit)
    association_record_departure(association=association, actor=people.handler, left_on=today - timedelta(days=52))
    assert release_deadline_reminders(today=today) == 0  # the deadline is 8 days away: not yet
    assert release_deadline_reminders(today=today + timedelta(days=1)) == 2  # 7 days left: both handlers
    assert release_deadline_reminders(today=today + timedelta(days=8)) == 0  # the deadline itself: told already
    assert told("association.release_due") == HANDLERS
    assert not told("association.release_missed")
    assert release_deadline_reminders(today=today + timedelta(days=9)) == 3  # passed: the handlers and the approver
    assert told("association.release_missed") == {**HANDLERS, "approver": 1}


def test_appointment_reminder_on_the_working_day_before(people, today, django_capture_on_commit_callbacks):
    case = case_in_state(people, "submitted")  # booked on Monday 2026-11-30
    assert timezone.localtime(case.booking.slot.start).date() == date(2026, 11, 30)
    assert appointment_reminders(today=today) == 0  # Thursday: Friday is the next working day
    friday = today + timedelta(days=1)
    assert appointment_reminders(today=friday) == 3
    assert appointment_reminders(today=friday) == 0
    assert appointment_reminders(today=friday + timedelta(days=2)) == 0  # Sunday: already told
    assert told("appointment.reminder") == CASE_PEOPLE


def test_clerk_digest_when_decisions_are_due_within_two_working_days(people, today):
    make_user(Role.WINDOW_CLERK, "second_clerk")
    case = case_in_state(people, "submitted")
    new_unit = make_unit(people.handler, annual_tax=TAXES)  # the applicant's one open initial case is `case`
    case_in_state(people, "returned", kind="unit_opening", unit=new_unit)  # paused: not in the digest
    calendar = policy_calendar()
    assert clerk_digest(today=calendar.add_workdays(case.due_on, -3)) == 0
    two_before = calendar.add_workdays(case.due_on, -2)
    assert clerk_digest(today=two_before) == 2
    assert clerk_digest(today=two_before) == 0
    assert clerk_digest(today=calendar.add_workdays(two_before, 1)) == 2  # one digest a day
    assert told("clerk.digest") == {"clerk": 2, "second_clerk": 2}
    digest = Notification.objects.filter(event="clerk.digest").first()
    assert digest.subject == "今日待办：1 件案件将在2个工作日内到期"
    assert case.public_id in digest.body


def test_no_clerk_digest_on_a_rest_day(people, today):
    case = case_in_state(people, "submitted")
    calendar = policy_calendar()
    rest_day = next(day for day in (case.due_on + timedelta(days=n) for n in range(1, 15))
                    if not calendar.is_workday(day))  # overdue by then: it would be in the digest on a working day
    assert clerk_digest(today=rest_day) == 0
    assert told("clerk.digest") == {}
    next_workday = calendar.add_workdays(rest_day, 1)
    assert clerk_digest(today=next_workday) == 1
    assert told("clerk.digest") == {"clerk": 1}


def test_overdue_cases_are_escalated_to_the_bureau_once(people, today):
    make_user(Role.BUREAU_APPROVER, "second_approver")
    case = case_in_state(people, "in_review")
    calendar = policy_calendar()
    assert overdue_escalations(today=case.due_on) == 0  # due today: not overdue yet
    day_after = calendar.add_workdays(case.due_on, 1)
    assert overdue_escalations(today=day_after) == 2
    assert overdue_escalations(today=day_after) == 0
    assert overdue_escalations(today=calendar.add_workdays(day_after, 2)) == 0
    assert told("case.overdue") == {"approver": 1, "second_approver": 1}
    notice = Notification.objects.get(event="case.overdue", recipient=people.approver)
    assert notice.subject.startswith(f"已超期：案件 {case.public_id}")
    assert "当前状态：审核中" in notice.body
