"""The acceptance duty's and the extension's events (issue 10 §3, POLICY §11): accepted, deemed accepted, not
accepted, extended — each fires once, to the applicant and the unit's handlers, each in their language (the data set
of test_events: the applicant reads English, the handlers Chinese)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import case_in_state
from tests.notifications.test_events import CASE_PEOPLE, people, told  # noqa: F401  (people: the fixture)
from wrp.cases import acceptance
from wrp.cases.kinds import kind_of
from wrp.notifications.models import Notification
from wrp.public.templatetags.wrp_format import cn_date

pytestmark = pytest.mark.django_db


def notices(event: str) -> dict[str, Notification]:
    return {n.recipient.username: n for n in Notification.objects.filter(event=event).select_related("recipient")}


def in_their_language(event: str, case) -> None:
    zh, en = kind_of(case).title
    by_person = notices(event)
    assert en in by_person["applicant"].subject  # English notices
    assert zh in by_person["handler"].subject
    assert zh in by_person["second_handler"].subject
    assert all(case.public_id in notice.subject for notice in by_person.values())


def test_an_explicit_acceptance_tells_the_applicant_and_the_handlers_once(people, django_capture_on_commit_callbacks):  # noqa: F811
    case = case_in_state(people, "in_review")
    with django_capture_on_commit_callbacks(execute=True):
        acceptance.case_accept(case=case, actor=people.clerk)
    assert told("case.accepted") == CASE_PEOPLE
    in_their_language("case.accepted", case)
    assert cn_date(case.due_on) in notices("case.accepted")["handler"].body  # 2026年12月24日, as pages write it


def test_deemed_acceptance_is_told_once_however_often_the_job_runs(people, django_capture_on_commit_callbacks,  # noqa: F811
                                                                   frozen_clock, today):
    case = case_in_state(people, "submitted")
    later = today + timedelta(days=14)
    frozen_clock.move_to(later.isoformat() + "T09:00:00+08:00")
    with django_capture_on_commit_callbacks(execute=True):
        assert acceptance.cases_deem_accepted(today=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert acceptance.cases_deem_accepted(today=later) == 0
    assert told("case.deemed_accepted") == CASE_PEOPLE
    assert told("case.accepted") == {}
    in_their_language("case.deemed_accepted", case)
    assert cn_date(today) in notices("case.deemed_accepted")["handler"].body  # accepted as of the arrival


def test_non_acceptance_is_told_with_its_reason(people, django_capture_on_commit_callbacks):  # noqa: F811
    case = case_in_state(people, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        acceptance.case_refuse_acceptance(case=case, actor=people.clerk, reason="单位注册地不在朝阳区")
    assert told("case.not_accepted") == CASE_PEOPLE
    in_their_language("case.not_accepted", case)
    assert "单位注册地不在朝阳区" in notices("case.not_accepted")["handler"].body


def test_an_extension_is_told_with_the_new_due_date(people, django_capture_on_commit_callbacks):  # noqa: F811
    case = case_in_state(people, "pending_approval")
    with django_capture_on_commit_callbacks(execute=True):
        case = acceptance.case_extend(case=case, actor=people.approver, reason="需要核实")
    assert told("case.extended") == CASE_PEOPLE
    in_their_language("case.extended", case)
    body = notices("case.extended")["handler"].body
    assert cn_date(case.due_on) in body
    assert cn_date(case.due_before_extension) in body


def test_a_decision_that_accepts_at_the_same_time_tells_only_the_decision(people, django_capture_on_commit_callbacks):  # noqa: F811
    from tests.factories import make_unit
    from tests.notifications.test_events import TAXES
    from wrp.cases import services

    case = case_in_state(people, "in_review", kind="unit_opening", unit=make_unit(people.handler, annual_tax=TAXES))
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_approve(case=case, actor=people.clerk)
    assert case.acceptance == "with_decision"
    assert told("case.accepted") == {}
    assert told("case.approved") == {"handler": 1}
