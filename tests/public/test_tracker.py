"""The public case tracker (/track/): the case number and the last four characters of the applicant's ID number (or
the unit's credit code) show where the case stands — and nothing personal beyond a masked name; a wrong pair looks
exactly like an unknown number; misses are rate-limited per address; every lookup is in the audit trail."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PROFILE
from tests.factories import case_in_state, make_association, make_ledger, make_unit
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import user_set_id_number
from wrp.audit.models import AuditEvent
from wrp.cases.selectors import case_tracked

pytestmark = pytest.mark.usefixtures("private_media")

WHOLE_ID = "11010519491231002X"
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(people, today):
    people.applicant.real_name = "张三丰"
    people.applicant.phone = "13800138000"
    people.applicant.save(update_fields=["real_name", "phone"])
    user_set_id_number(user=people.applicant, id_number=WHOLE_ID, actor=None)
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, today.year, granted=3)
    return people


def look(client: Client, number: str, last4: str, **extra):
    response = client.post(reverse("public:track"), {"case_number": number, "last4": last4}, **extra)
    return response.status_code, response.content.decode(), response


def without_tokens(body: str, number: str) -> str:
    return CSRF.sub("", body).replace(number, "NUMBER")


def test_the_form_is_linked_from_the_landing_page_and_takes_the_number_from_the_address(client):
    assert reverse("public:track") in client.get(reverse("public:home")).content.decode()
    body = client.get(reverse("public:track") + "?case=c2611abcd2345").content.decode()
    assert 'value="C2611ABCD2345"' in body
    assert 'name="last4"' in body


def test_the_right_pair_shows_the_stage_clock_and_last_step(client, people):
    case = case_in_state(people, "in_review")
    status, body, response = look(client, case.public_id, "002x")
    assert status == 200
    assert case.public_id in body
    assert "审核中" in body  # the state badge
    assert "剩余" in body
    assert "个工作日" in body
    assert "截止" in body
    assert "开始审核" in body  # the last step
    assert "张*丰" in body
    assert response["Cache-Control"] == "no-store"


def test_nothing_personal_is_in_the_page(client, people):
    case = case_in_state(people, "in_review")
    _status, body, _response = look(client, case.public_id, "002X")
    for personal in ("张三丰", WHOLE_ID, "110105", "002X", "13800138000", "applicant", people.unit.name,
                     people.unit.credit_code):
        assert personal not in body, personal


def test_a_wrong_pair_and_an_unknown_case_answer_the_same(client, people):
    case = case_in_state(people, "in_review")
    wrong_status, wrong, _r = look(client, case.public_id, "0021")
    unknown_status, unknown, _r = look(client, "C2611ZZZZZZZZ", "002X")
    assert wrong_status == unknown_status == 404
    assert without_tokens(wrong, case.public_id) == without_tokens(unknown, "C2611ZZZZZZZZ")
    assert "未找到该案件" in wrong
    assert "审核中" not in wrong


def test_a_draft_is_not_found(client, people):
    case = case_in_state(people, "draft")
    assert look(client, case.public_id, "002X")[0] == 404


def test_a_returned_case_names_the_materials_of_the_notice_only(client, people):
    from wrp.cases.materials import case_checklist
    from wrp.cases.services import case_return_for_correction
    from wrp.portal.templatetags.portal import material_title

    case = case_in_state(people, "in_review")
    code = case_checklist(case)[0]
    problems = [{"material": code, "text": "合同页缺少张三丰签字"}, {"material": None, "text": "私人说明"}]
    case_return_for_correction(case=case, actor=people.clerk, problems=problems)
    status, body, _response = look(client, case.public_id, "002X")
    assert status == 200
    assert "退回补正" in body
    assert "需要补正" in body
    assert material_title(code) in body
    assert "另有 1 项其他补正事项" in body
    assert "合同页缺少" not in body
    assert "私人说明" not in body
    assert "补正中，计时暂停" in body
    case.refresh_from_db()
    assert f"（剩余 {case.days_left_at_pause} 个工作日）" in body  # the days left at the pause, not a running count
    assert "截止" not in body  # no due date shown as if counting


@pytest.mark.parametrize("state", ["approved", "rejected", "withdrawn"])
def test_a_decided_case_shows_its_decision_date_not_a_running_clock(client, people, state):
    from django.utils import timezone

    from wrp.public.templatetags.wrp_format import cn_date

    case = case_in_state(people, state)
    status, body, _response = look(client, case.public_id, "002X")
    assert status == 200
    decided = cn_date(timezone.localtime(case.decided_at).date())
    assert f"{decided} 办结" in body  # the chip
    assert "办理时限截止" not in body
    assert "截止" not in body
    assert "剩余" not in body
    assert "已超期" not in body


def test_a_unit_item_is_tracked_by_the_credit_code(client, people):
    unit = make_unit(people.handler, annual_tax=TAXES, name="北京丙信息技术有限公司")
    case = case_in_state(people, "submitted", kind="unit_opening", unit=unit)
    status, body, _response = look(client, case.public_id, unit.credit_code[-4:].lower())
    assert status == 200
    assert "已提交" in body
    assert unit.name not in body
    assert unit.credit_code not in body
    assert "北京" in body
    assert "有限公司" in body
    assert case_tracked(case.public_id, "002X") is None  # not by an ID number


def test_the_selector_needs_the_whole_pair():
    assert case_tracked("", "002X") is None
    assert case_tracked(None, None) is None


@pytest.mark.django_db
def test_a_bad_shape_is_a_form_error_not_a_miss(client):
    status, body, _response = look(client, "C2611ZZZZZZZZ", "12")
    assert status == 200
    assert "请填写四位字符" in body
    assert not AuditEvent.objects.filter(action="case.tracked").exists()


def test_misses_are_limited_per_address_and_then_every_pair_is_refused(client, people, settings):
    settings.RATE_LIMIT_TRACK_MISSES = "3/m"
    case = case_in_state(people, "in_review")
    for _ in range(3):
        assert look(client, case.public_id, "9999")[0] == 404
    status, body, response = look(client, case.public_id, "002X")
    assert status == 429
    assert "查询过于频繁" in body
    assert "审核中" not in body
    assert int(response["Retry-After"]) > 0
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert look(other, case.public_id, "002X")[0] == 200  # another address is not held up


def test_each_lookup_is_audited_without_personal_data(client, people):
    case = case_in_state(people, "in_review")
    look(client, case.public_id, "002X")
    look(client, case.public_id, "1234")
    events = list(AuditEvent.objects.filter(action="case.tracked").order_by("id"))
    assert [event.outcome for event in events] == ["ok", "not_found"]
    assert events[0].object_id == str(case.pk)
    for event in events:
        assert event.changes == {"case_number": case.public_id}
        assert "002X" not in str(event.changes)
        assert "1234" not in str(event.changes)


def test_the_tracker_answers_in_english_too(client, people):
    case = case_in_state(people, "in_review")
    client.cookies["django_language"] = "en"
    status, body, _response = look(client, case.public_id, "002X")
    assert status == 200
    assert 'class="state state-in_review"' in body
    assert '<html lang="en">' in body
