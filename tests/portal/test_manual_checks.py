"""The clerk records the finding of each manual check (issue 13 §5): 学信网 for the education of a first application
under talent condition 1 or 2 and of an education change, 首都城市功能定位 for a unit's account — 符合 / 不符合 / 不适用
with a note, a `manual_check` CaseEvent through `wrp.cases.manual_checks.manual_check_record`, shown in words on the
clerk's page, the bureau's page and the timeline. Forwarding does not require them: the page reminds the clerk."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases import conftest as case_fixtures
from tests.cases.conftest import attach_all
from tests.factories import case_in_state, make_unit, make_user
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.cases import services
from wrp.cases.manual_checks import (
    ManualCheck,
    manual_check_findings,
    manual_check_record,
    manual_checks_for,
)
from wrp.cases.models import Case, CaseEvent, CaseState
from wrp.core.errors import Forbidden, Invalid, InvalidState

people = case_fixtures.people  # the personas of tests/cases (profiles, association, quota), on the frozen day
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbench(case: Case) -> str:
    return reverse("portal:clerk_case", args=[case.public_id])


def record_url(case: Case, check: str) -> str:
    return reverse("portal:clerk_manual_check", args=[case.public_id, check])


def unit_opening_in_review(clerk: Any) -> Case:
    handler = make_user(Role.UNIT_HANDLER)
    unit = make_unit(handler, annual_tax=TAXES)
    case = services.case_open(actor=handler, kind="unit_opening", unit=unit)
    attach_all(case, by=handler)
    case = services.case_submit(case=case, actor=handler)
    return services.case_start_review(case=case, actor=clerk)


# --- which checks a case needs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "subtype", "condition", "expected"),
    [
        ("initial", None, 1, ("xuexin",)),
        ("initial", None, 2, ("xuexin",)),
        ("initial", None, 3, ()),
        ("initial", None, 8, ()),
        ("info_change", "education", None, ("xuexin",)),
        ("info_change", "address", None, ()),
        ("unit_opening", None, None, ("capital_function",)),
        ("unit_transfer", None, None, ("capital_function",)),
        ("renewal", None, None, ()),
        ("employer_change", None, None, ()),
        ("children_change", None, None, ()),
    ],
    ids=lambda value: str(value),
)
def test_the_checks_a_case_needs_follow_its_kind_and_frozen_facts(kind, subtype, condition, expected):
    facts = {"applicant": {"talent_condition": condition}} if condition else {}
    case = Case(kind=kind, subtype=subtype or "", frozen_facts=facts)
    assert tuple(check.value for check in manual_checks_for(case)) == expected


# --- the service --------------------------------------------------------------------------------------------------


def test_a_finding_is_a_case_event_with_an_audit_event_that_keeps_the_note_out(people, today):
    case = case_in_state(people, "in_review")
    event = manual_check_record(case=case, actor=people.clerk, check="xuexin", finding="pass",
                                note="  学信网在线验证报告已核对  ")
    stored = CaseEvent.objects.get(pk=event.pk)
    assert stored.action == "manual_check"
    assert stored.detail == {"check": "xuexin", "finding": "pass", "note": "学信网在线验证报告已核对"}
    assert (stored.actor, stored.actor_role, stored.to_state) == (people.clerk, Role.WINDOW_CLERK, CaseState.IN_REVIEW)
    audit = AuditEvent.objects.filter(action="case.manual_check").get()
    assert audit.changes == {"check": "xuexin", "finding": "pass"}
    assert "学信网在线验证报告" not in json.dumps(audit.changes, ensure_ascii=False)
    assert Case.objects.get(pk=case.pk).state == CaseState.IN_REVIEW


@pytest.mark.parametrize("finding", ["fail", "n_a"])
def test_a_finding_other_than_pass_needs_a_note(people, today, finding):
    case = case_in_state(people, "in_review")
    with pytest.raises(Invalid) as refused:
        manual_check_record(case=case, actor=people.clerk, check="xuexin", finding=finding, note="   ")
    assert refused.value.codes == {"note": "note_required"}
    assert not CaseEvent.objects.filter(case=case, action="manual_check").exists()


def test_an_unknown_check_or_finding_is_refused(people, today):
    case = case_in_state(people, "in_review")
    with pytest.raises(Invalid) as refused:
        manual_check_record(case=case, actor=people.clerk, check="xuewei", finding="maybe")
    assert refused.value.codes == {"check": "unknown_check", "finding": "finding_required"}


def test_a_check_the_case_does_not_need_is_refused(people, today):
    case = case_in_state(people, "in_review")  # an initial case: no capital-function check
    with pytest.raises(Invalid) as refused:
        manual_check_record(case=case, actor=people.clerk, check="capital_function", finding="pass")
    assert refused.value.codes == {"check": "check_not_applicable"}


@pytest.mark.parametrize("state", ["submitted", "returned", "pending_approval", "approved"])
def test_findings_are_recorded_only_while_the_case_is_in_review(people, today, state):
    case = case_in_state(people, state)
    with pytest.raises(InvalidState):
        manual_check_record(case=case, actor=people.clerk, check="xuexin", finding="pass")


@pytest.mark.parametrize("persona", ["approver", "handler", "applicant", "admin"])
def test_only_the_window_records_findings(people, today, persona):
    case = case_in_state(people, "in_review")
    with pytest.raises(Forbidden):
        manual_check_record(case=case, actor=getattr(people, persona), check="xuexin", finding="pass")


def test_a_later_finding_supersedes_the_earlier_and_both_stay_in_the_history(people, today):
    case = case_in_state(people, "in_review")
    manual_check_record(case=case, actor=people.clerk, check="xuexin", finding="fail", note="学信网查无此证书")
    manual_check_record(case=case, actor=people.clerk, check="xuexin", finding="pass", note="证书编号录入有误，已重查")
    events = list(case.events.order_by("at", "id"))
    latest = manual_check_findings(events)
    assert latest["xuexin"].detail["finding"] == "pass"
    assert [event.detail["finding"] for event in events if event.action == "manual_check"] == ["fail", "pass"]


# --- the clerk's page ---------------------------------------------------------------------------------------------


def test_the_clerk_records_a_finding_from_the_case_page(people, today):
    case = case_in_state(people, "in_review")
    client = signed_in(people.clerk)
    html = client.get(workbench(case)).content.decode()
    assert "人工核查结果" in html
    assert "学信网学历查验" in html
    assert f'action="{record_url(case, "xuexin")}"' in html
    assert 'href="#clerk-manual-checks"' in html  # a step of the review
    assert "尚未记录人工核查结果：" in html  # the reminder next to the forward button

    response = client.post(record_url(case, "xuexin"), {"finding": "pass", "note": "学信网报告已核对"})
    assert response.status_code == 302
    assert response["Location"] == workbench(case) + "#clerk-manual-check-xuexin"
    html = client.get(workbench(case)).content.decode()
    assert "已记录“学信网学历查验”的核查结果：符合。" in html
    assert '<span class="badge finding-pass">符合</span>' in html
    assert "核查情况：学信网报告已核对" in html
    assert "更新核查结果" in html
    assert "尚未记录人工核查结果：" not in html
    assert "人工核查（学信网学历查验：符合）" in html  # the timeline


def test_a_failed_finding_without_a_note_comes_back_with_the_error_under_the_field(people, today):
    case = case_in_state(people, "in_review")
    response = signed_in(people.clerk).post(record_url(case, "xuexin"), {"finding": "fail", "note": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="clerk-note_xuexin-error"' in html
    assert "核查结果为“不符合”或“不适用”的，请写明情况。" in html
    assert 'href="#clerk-note_xuexin"' in html  # the error summary links to the field
    assert 'value="fail" checked' in html  # the choice is kept
    assert not CaseEvent.objects.filter(case=case, action="manual_check").exists()


def test_no_finding_chosen_is_an_error_on_the_choice(people, today):
    case = case_in_state(people, "in_review")
    response = signed_in(people.clerk).post(record_url(case, "xuexin"), {"note": "已查"})
    assert response.status_code == 422
    assert "请选择核查结果：符合、不符合或不适用。" in response.content.decode()


def test_a_unit_opening_asks_for_the_capital_function_finding(people, today):
    case = unit_opening_in_review(people.clerk)
    client = signed_in(people.clerk)
    html = client.get(workbench(case)).content.decode()
    assert "首都城市功能定位" in html
    assert "学信网学历查验" not in html
    response = client.post(record_url(case, "capital_function"), {"finding": "n_a", "note": "驻京办事机构，按规定不适用"})
    assert response.status_code == 302
    assert manual_check_findings(case.events.all())["capital_function"].detail["finding"] == "n_a"


def test_a_case_needing_no_check_shows_no_section(people, today):
    case = case_in_state(people, "in_review")
    frozen = {**case.frozen_facts, "applicant": {**case.frozen_facts["applicant"], "talent_condition": 8}}
    Case.objects.filter(pk=case.pk).update(frozen_facts=frozen)  # as if filed under condition 8 (tax paid)
    html = signed_in(people.clerk).get(workbench(case)).content.decode()
    assert "人工核查结果" not in html
    assert "尚未记录人工核查结果" not in html


def test_the_clerk_may_forward_without_findings(people, today):
    case = case_in_state(people, "in_review")
    response = signed_in(people.clerk).post(reverse("portal:clerk_decide", args=[case.public_id]), {"confirm": "yes"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.PENDING_APPROVAL


def test_a_finding_after_the_case_left_review_is_refused_in_words(people, today):
    case = case_in_state(people, "pending_approval")
    client = signed_in(people.clerk)
    response = client.post(record_url(case, "xuexin"), {"finding": "pass"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "不能进行此操作" in html
    assert not CaseEvent.objects.filter(case=case, action="manual_check").exists()


@pytest.mark.parametrize("persona", ["approver", "handler", "applicant", "admin"])
def test_other_roles_are_refused_the_finding_form(people, today, persona):
    case = case_in_state(people, "in_review")
    response = signed_in(getattr(people, persona)).post(record_url(case, "xuexin"), {"finding": "pass"})
    assert response.status_code == 403
    assert not CaseEvent.objects.filter(case=case, action="manual_check").exists()


def test_an_unknown_check_or_case_is_not_found(people, today):
    case = case_in_state(people, "in_review")
    client = signed_in(people.clerk)
    assert client.post(record_url(case, "xuewei"), {"finding": "pass"}).status_code == 404
    assert client.post(reverse("portal:clerk_manual_check", args=["C0000000000", "xuexin"]),
                       {"finding": "pass"}).status_code == 404
    assert Client().post(record_url(case, "xuexin"), {"finding": "pass"}).status_code == 302  # sign in first


def test_the_timeline_shows_the_check_in_words_to_the_filers_without_the_note(people, today):
    case = case_in_state(people, "in_review")
    manual_check_record(case=case, actor=people.clerk, check="xuexin", finding="fail", note="内部备注：证书存疑")
    html = signed_in(people.handler).get(reverse("portal:case", args=[case.public_id])).content.decode()
    assert "人工核查（学信网学历查验：不符合）" in html
    assert "证书存疑" not in html
    assert "manual_check" not in html


def test_the_check_names_are_the_agreed_codes():
    assert set(ManualCheck.values) == {"xuexin", "capital_function"}
