"""The services' events, heard by wrp.notifications.events: each fires once, to the right people, in their language.

The data set: `unit` with two handlers (`handler`, `second_handler`), `applicant` (张三丰, associated with `unit`,
notices in English), the other unit's handler, a clerk and an approver. Events are delivered after commit, so each
step runs inside `django_capture_on_commit_callbacks(execute=True)`.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import transaction

from tests.cases.conftest import PROFILE
from tests.factories import CORRECTION, case_in_state, make_association, make_ledger, make_permit, make_unit, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.cases import services
from wrp.employment.services import association_accept, association_release, association_request
from wrp.notifications.models import Delivery, Notification
from wrp.notifications.services import contact_preference_set
from wrp.permits.services import permits_expire
from wrp.units.models import AssociationState, UnitHandler


@pytest.fixture
def people(people, today):
    """Applicant 张三丰 with a complete profile, associated with `unit` (3 quota units), English notices by e-mail;
    a second handler of `unit`."""
    people.applicant.real_name = "张三丰"
    people.applicant.save(update_fields=["real_name"])
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, today.year, granted=3)
    contact_preference_set(user=people.applicant, email="zhang@example.cn", verified=True, language="en")
    UnitHandler.objects.create(unit=people.unit, user=make_user(Role.UNIT_HANDLER, "second_handler"))
    return people


def told(event: str) -> Counter[str]:
    """Who was told about `event`: username → number of notices."""
    return Counter(Notification.objects.filter(event=event).values_list("recipient__username", flat=True))


TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}  # a unit's tax enough to open an account
CASE_PEOPLE = {"applicant": 1, "handler": 1, "second_handler": 1}


def test_a_case_from_submission_to_approval_tells_each_person_once(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state(people, "returned")
    assert told("appointment.confirmed") == CASE_PEOPLE
    assert told("case.submitted") == CASE_PEOPLE
    assert told("case.returned") == CASE_PEOPLE
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_resubmit(case=case, actor=people.handler)
    assert told("case.resubmitted") == {**CASE_PEOPLE, "clerk": 1}
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_forward(case=case, actor=people.clerk)
    assert told("case.forwarded") == {**CASE_PEOPLE, "approver": 1}
    assert told("case.accepted") == CASE_PEOPLE  # forwarding a case not yet accepted accepts it (L-ACCEPT)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_approve(case=case, actor=people.approver)
    assert told("case.approved") == CASE_PEOPLE
    assert told("permit.issued") == CASE_PEOPLE
    assert Notification.objects.filter(recipient=people.other_handler).count() == 0
    assert Notification.objects.count() == 3 * 6 + 4 + 4
    link = f"/cases/{case.public_id}/"
    assert set(Notification.objects.filter(event__startswith="case.").values_list("link", flat=True)) == {link}
    for notice in Notification.objects.all():
        assert "\n\n" not in notice.body, notice.event  # no empty line (e.g. after the list of problems)


def test_the_applicant_reads_english_and_the_handler_chinese(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state(people, "returned")
    english = Notification.objects.get(event="case.returned", recipient=people.applicant)
    chinese = Notification.objects.get(event="case.returned", recipient=people.handler)
    assert english.subject == f"Corrections needed: case {case.public_id} (First application)"
    assert "请补充说明" in english.body  # the clerk's own words, as written
    assert chinese.subject.startswith(f"请补正材料：案件 {case.public_id}")
    assert "一次性告知" in chinese.body
    # The applicant chose e-mail and verified it; the handlers have no contact details: no delivery for them.
    assert Delivery.objects.filter(notification__recipient=people.applicant).count() == 3
    assert Delivery.objects.exclude(notification__recipient=people.applicant).count() == 0


def test_no_message_carries_the_full_name_or_an_id_number(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state(people, "in_review")
        services.case_reject(case=case, actor=people.clerk, reason="身份证号110105194912310021与材料不符")
    rejected = Notification.objects.get(event="case.rejected", recipient=people.handler)
    assert "110105194912310021" not in rejected.body
    assert "****" in rejected.body
    for notice in Notification.objects.all():
        assert "张三丰" not in notice.subject + notice.body
    assert "张*丰" in rejected.body


@pytest.mark.parametrize(("state", "event"), [("withdrawn", "case.withdrawn"), ("rejected", "case.rejected")])
def test_withdrawal_and_rejection_tell_the_applicant_and_the_handlers(people, django_capture_on_commit_callbacks,
                                                                      state, event):
    with django_capture_on_commit_callbacks(execute=True):
        case_in_state(people, state)
    assert told(event) == CASE_PEOPLE
    assert told("case.approved") == {}


def test_the_applicant_passing_a_case_to_the_unit_is_not_a_submission(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_in_state(people, "awaiting_unit", by_applicant=True)
    assert Notification.objects.count() == 0


def test_a_unit_item_tells_the_handlers_only(people, django_capture_on_commit_callbacks):
    opener = make_user(Role.UNIT_HANDLER, "opener")
    unit = make_unit(opener, annual_tax=TAXES)
    with django_capture_on_commit_callbacks(execute=True):
        case_in_state(people, "approved", kind="unit_opening", unit=unit, handler=opener)
    assert told("case.submitted") == {"opener": 1}
    assert told("case.approved") == {"opener": 1}
    assert told("appointment.confirmed") == {}


def _reject_then_fail(case, clerk):
    with transaction.atomic():
        services.case_reject(case=case, actor=clerk, reason="不符合条件")
        raise RuntimeError("the surrounding transaction fails after the service")


def test_a_rolled_back_change_tells_nobody(people, django_capture_on_commit_callbacks):
    case = case_in_state(people, "in_review")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _reject_then_fail(case, people.clerk)
    assert callbacks == []
    assert Notification.objects.filter(event="case.rejected").count() == 0


def test_delivering_an_event_twice_tells_nobody_twice(people, django_capture_on_commit_callbacks):
    from wrp.notifications.events import on_event

    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state(people, "submitted")
    on_event("case.submitted", {"case_id": case.pk})
    assert told("case.submitted") == CASE_PEOPLE


def test_a_case_returned_twice_is_told_twice(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state(people, "returned")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_resubmit(case=case, actor=people.handler)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_return_for_correction(case=case, actor=people.clerk, problems=CORRECTION)
    assert told("case.returned") == {name: 2 for name in CASE_PEOPLE}


# --- associations and permits -----------------------------------------------------------------------------------------


def test_an_association_requested_confirmed_and_released(people, today, django_capture_on_commit_callbacks):
    newcomer = make_user(Role.APPLICANT, "newcomer", real_name="李四")
    with django_capture_on_commit_callbacks(execute=True):
        association = association_request(actor=newcomer, association_code=people.unit.association_code)
    assert told("association.requested") == {"handler": 1, "second_handler": 1}
    with django_capture_on_commit_callbacks(execute=True):
        association = association_accept(association=association, actor=people.handler)
    assert association.state == AssociationState.ACTIVE
    assert told("association.confirmed") == {"newcomer": 1}
    make_permit(newcomer, people.unit)
    with django_capture_on_commit_callbacks(execute=True):
        association_release(association=association, actor=people.handler, left_on=today - timedelta(days=3))
    assert told("association.released") == {"newcomer": 1, "handler": 1, "second_handler": 1}
    assert told("permit.suspended") == {"newcomer": 1, "handler": 1, "second_handler": 1}
    requested = Notification.objects.get(event="association.requested", recipient=people.handler)
    assert "李*" in requested.subject
    assert "李四" not in requested.subject + requested.body


def test_a_renewal_tells_the_holder_and_the_handlers(people, today, django_capture_on_commit_callbacks):
    make_permit(people.applicant, people.unit, issued_on=date(2023, 12, 20))  # valid until 2026-12-20: in the window
    with django_capture_on_commit_callbacks(execute=True):
        case_in_state(people, "approved", kind="renewal")
    assert told("case.approved") == CASE_PEOPLE
    assert told("permit.renewed") == CASE_PEOPLE
    assert Notification.objects.get(event="permit.renewed", recipient=people.applicant).link == "/me/permit/"
    assert Notification.objects.get(event="permit.renewed", recipient=people.handler).link == "/unit/employees/"


def test_the_expiry_sweep_tells_once_per_permit(people, today, django_capture_on_commit_callbacks):
    other = make_user(Role.APPLICANT, "other_holder")
    make_permit(people.applicant, people.unit, issued_on=today - timedelta(days=3 * 366), valid_until=today - timedelta(days=1))
    make_permit(other, people.other_unit, issued_on=today - timedelta(days=3 * 366), valid_until=today - timedelta(days=2))
    make_permit(people.other_applicant, people.unit)  # still valid
    with django_capture_on_commit_callbacks(execute=True):
        assert permits_expire(today=today) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert permits_expire(today=today) == 0
    assert told("permit.expired") == {**CASE_PEOPLE, "other_holder": 1, "other_handler": 1}
