"""Words that say what really happens (issue 13 §7): a unit item holds no appointment, so withdrawing or refusing it
releases none; what a personal case held is named when it goes; the applicant's submission goes to the window (the
unit submits it there), not to the bureau."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.cases.conftest import PROFILE, attach_all, free_slot
from tests.clock import TODAY
from tests.factories import case_in_state, make_association, make_ledger, make_unit
from wrp.accounts.models import ApplicantProfile
from wrp.cases.services import case_open, case_submit
from wrp.units.models import Unit

pytestmark = pytest.mark.django_db
TAXES = {"2023": "300000", "2024": "300000", "2025": "300000"}


@pytest.fixture
def people(people, private_media):
    ApplicantProfile.objects.create(user=people.applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    Unit.objects.filter(pk=people.unit.pk).update(annual_tax=TAXES)
    return people


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def block(page: str, css_class: str) -> str:
    """The <details> block of the page with this class (a confirmation)."""
    found = re.search(rf'<details class="[^"]*\b{css_class}\b.*?</details>', page, flags=re.S)
    assert found, css_class
    return found.group(0)


def case_page(client: Client, case: Any) -> str:
    return client.get(reverse("portal:case", args=[case.public_id])).content.decode()


def withdraw(client: Client, case: Any) -> str:
    response = client.post(reverse("portal:unit_case_withdraw", args=[case.public_id]), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_withdrawing_a_unit_item_releases_no_appointment(people):
    unit = make_unit(people.handler, annual_tax=TAXES, name="北京丁科技有限公司")
    case = case_open(actor=people.handler, kind="unit_opening", unit=unit)
    handler = signed_in(people.handler)
    confirmation = block(case_page(handler, case), "unit-withdraw")
    assert "撤回后案件即告终止，不能恢复。" in confirmation
    assert "预约" not in confirmation
    assert "指标" not in confirmation
    said = withdraw(handler, case)
    assert "已撤回案件。" in said
    assert "预约已释放" not in said


def test_withdrawing_a_submitted_initial_application_names_the_quota_unit_and_the_appointment(people):
    case = case_open(actor=people.handler, kind="initial", unit=people.unit, applicant=people.applicant)
    attach_all(case, by=people.handler)
    case = case_submit(case=case, actor=people.handler, slot=free_slot())
    handler = signed_in(people.handler)
    assert "占用的指标和预约将释放" in block(case_page(handler, case), "unit-withdraw")
    assert "已撤回案件。占用的指标和预约已释放。" in withdraw(handler, case)


def test_refusing_a_unit_item_at_the_window_releases_no_appointment(people):
    unit = make_unit(people.handler, annual_tax=TAXES, name="北京戊科技有限公司")
    case = case_in_state(people, "in_review", kind="unit_opening", unit=unit)
    page = signed_in(people.clerk).get(reverse("portal:clerk_case", args=[case.public_id])).content.decode()
    assert "我确认不予通过：案件就此办结，不能撤销。" in page
    assert "占用的预约随即释放" not in page


def test_the_applicants_submission_names_the_window_not_the_bureau(people):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    confirmation = block(case_page(signed_in(people.applicant), case), "applicant-confirm")
    assert "提交到窗口" in confirmation
    assert "区人力社保局" not in confirmation
    assert "区局" not in confirmation


def test_the_applicants_withdrawal_of_a_draft_promises_no_release(people):
    case = case_open(actor=people.applicant, kind="initial", unit=people.unit)
    confirmation = block(case_page(signed_in(people.applicant), case), "applicant-withdraw")
    assert "撤回后本案终止，不能恢复。" in confirmation
    assert "释放" not in confirmation


def test_the_self_check_without_javascript_asks_for_the_check_button():
    page = Client().get(reverse("public:check"), {"service": "initial"}).content.decode()
    assert "然后按「检查」查看结果" in page
    assert "检查结果会随回答更新" not in page
