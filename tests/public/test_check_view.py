"""The public self-check page /check/: service picker, questions per service, result panel, errors, languages, htmx."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests.public.answers import INITIAL_ANSWERS
from wrp.policy.codes import Service
from wrp.policy.items import ITEMS
from wrp.policy.labels import LABELS
from wrp.policy.materials import MATERIALS

pytestmark = pytest.mark.django_db  # the platform reads the administrators' reference data (wrp.reference)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ON_2026_11_26 = pytest.mark.usefixtures("frozen_clock")  # the frozen day of tests/conftest.py: 2026-11-26, 10:00
INITIAL_RULES = [rule_id for rule_id, _applies in ITEMS[Service.INITIAL].rules]


def field_block(html: str, name: str) -> str:
    """The markup of one question: from its wrapper to the next question's wrapper."""
    start = html.rindex("<", 0, html.index(f'id="field-{name}"'))
    end = html.find('id="field-', html.index(f'id="field-{name}"') + 1)
    return html[start : html.rindex("<", 0, end) if end != -1 else len(html)]


def post(client: Client, data: dict[str, str], *, button: bool = True, **headers: str) -> str:
    payload = {**data, **({"check": "1"} if button else {})}
    response = client.post("/check/", payload, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_picker_lists_the_seven_services(client: Client) -> None:
    html = client.get("/check/").content.decode()
    for service in Service:
        assert LABELS[service][0] in html
        assert f'href="/check/?service={service}"' in html
    assert re.search(r'<form class="picker" method="get" action="/check/">', html)
    assert 'name="service"' in html
    assert "20 个工作日" in html
    assert "7 个工作日" in html


def test_unknown_service_shows_the_picker_with_a_message(client: Client) -> None:
    html = client.get("/check/?service=passport").content.decode()
    assert "没有这个事项" in html
    assert 'name="unit__kind"' not in html


def test_pressing_start_without_choosing_asks_to_choose(client: Client) -> None:
    html = client.get("/check/?service=").content.decode()
    assert "请先选择要办理的事项" in html


def test_unit_opening_asks_no_applicant_question(client: Client) -> None:
    answers = {"service": "unit_opening", "unit__kind": "enterprise", "unit__legal_person": "yes"}
    html = post(client, answers, button=False)
    assert 'name="unit__kind"' in html
    assert 'name="unit__registered_capital"' in html
    assert 'name="applicant__' not in html
    assert "unit__annual_tax__" in html


@ON_2026_11_26
def test_unit_tax_years_are_the_three_years_before_today(client: Client) -> None:
    answers = {"service": "unit_opening", "unit__kind": "enterprise", "unit__legal_person": "yes"}
    html = post(client, answers, button=False)
    for year in (2023, 2024, 2025):
        assert f'name="unit__annual_tax__{year}"' in html
    assert "unit__annual_tax__2026" not in html


def test_initial_with_condition_1_asks_degree_but_not_award(client: Client) -> None:
    html = post(client, {"service": "initial", "applicant__talent_condition": "1"}, button=False)
    assert 'name="applicant__degree"' in html
    assert 'name="applicant__work_experience_years"' in html
    assert 'name="applicant__award__level"' not in html
    html = post(client, {"service": "initial", "applicant__talent_condition": "3"}, button=False)
    assert 'name="applicant__award__level"' in html
    assert 'name="applicant__degree"' not in html


def test_initial_before_a_condition_is_chosen_asks_no_condition_fact(client: Client) -> None:
    html = client.get("/check/?service=initial").content.decode()
    assert 'name="applicant__talent_condition"' in html
    assert 'name="applicant__degree"' not in html


@pytest.mark.parametrize(
    ("answer", "appears", "disappears"),
    [
        ({"applicant__housing__kind": "rented_rural"}, "applicant__housing__lease_end", None),
        ({"applicant__housing__kind": "owned"}, None, "applicant__housing__lease_end"),
        ({"applicant__permit__status": "suspended"}, "applicant__permit__valid_until", None),
        ({"applicant__permit__status": "none"}, None, "applicant__permit__valid_until"),
        ({"applicant__contract_end__open": "on"}, None, 'name="applicant__contract_end"'),
        ({"unit__account__status": "open"}, "unit__account__district", None),
        ({"applicant__children__0__case": "in_policy"}, "applicant__children__1__case", None),
    ],
    ids=[
        "rented-asks-lease-end",
        "owned-asks-none",
        "permit-asks-until",
        "no-permit",
        "open-ended-contract",
        "open-account-asks-district",
        "second-child",
    ],
)
def test_structural_answers_change_the_questions(
    client: Client, answer: dict[str, str], appears: str | None, disappears: str | None
) -> None:
    html = post(client, {"service": "initial", **answer}, button=False)
    if appears:
        assert appears in html
    if disappears:
        assert disappears not in html


def test_info_change_asks_what_changes(client: Client) -> None:
    html = client.get("/check/?service=info_change").content.decode()
    assert 'name="change__subtype"' in html
    assert "变更内容" in html


@ON_2026_11_26
def test_complete_answers_show_the_decision_rules_income_materials_and_due_date(client: Client) -> None:
    html = post(client, INITIAL_ANSWERS)
    assert '<p class="decision eligible">' in html
    assert "符合条件" in html
    for rule_id in INITIAL_RULES:
        assert f"{rule_id} · " in html
    assert "G3.申请条件.2(一)" in html
    assert "<dd>2025年</dd>" in html
    assert "12,116 元" in html
    assert "218,088 元" in html
    assert "× 1.5" in html
    for code in (
        "personal_integrity_declaration",
        "hukou_book",
        "labour_contract",
        "taxable_income_12m",
        "social_insurance_12m",
        "housing_rented_residential",
        "degree_and_diploma",
        "child_in_policy",
    ):
        assert MATERIALS[code].title_zh in html
        assert MATERIALS[code].contains_zh in html
    assert "如今天提交，预计最迟办结日期：2026年12月24日（20个工作日）" in html
    assert "暂定" not in html
    assert "学位证书经中国学位与研究生教育信息网查验" in html  # manual check of condition 1


@ON_2026_11_26
def test_a_failed_rule_makes_the_case_ineligible_with_its_reason(client: Client) -> None:
    html = post(client, {**INITIAL_ANSWERS, "applicant__taxable_income_12m": "200000"})
    assert '<p class="decision ineligible">' in html
    assert "不符合条件" in html
    assert "近12个月应税收入 200000 &lt; 218088" in html


@ON_2026_11_26
def test_a_review_rule_needs_review(client: Client) -> None:
    html = post(client, {**INITIAL_ANSWERS, "applicant__employment_start": "2026-03-01"})
    assert '<p class="decision needs_review">' in html
    assert "需人工审核" in html


@time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=SHANGHAI), tick=False)
def test_a_due_date_in_a_year_without_holiday_notice_is_provisional(client: Client) -> None:
    html = post(client, {**INITIAL_ANSWERS, "applicant__contract_end": "2028-06-30"})
    assert "如今天提交，预计最迟办结日期：2027年1月15日（20个工作日）（暂定：节假日安排尚未公布）" in html


@ON_2026_11_26
def test_negative_income_is_shown_under_its_field_and_other_answers_are_kept(client: Client) -> None:
    html = post(client, {**INITIAL_ANSWERS, "applicant__taxable_income_12m": "-5"})
    block = field_block(html, "applicant__taxable_income_12m")
    assert 'class="field has-error"' in block
    assert "不能小于 0" in block
    assert 'value="-5"' in block
    assert 'aria-invalid="true"' in block
    assert 'value="2023-01-10"' in field_block(html, "applicant__employment_start")
    assert '<option value="enterprise" selected>' in html
    assert '<div class="error-summary" id="outcome"' in html
    assert 'href="#id_applicant__taxable_income_12m"' in html
    assert '<p class="decision' not in html


@ON_2026_11_26
def test_an_impossible_date_is_shown_under_its_field(client: Client) -> None:
    html = post(client, {**INITIAL_ANSWERS, "applicant__contract_end": "2027-02-30"})
    block = field_block(html, "applicant__contract_end")
    assert "请按 年-月-日 填写一个存在的日期" in block
    assert "此项必填" not in html
    assert 'value="230,000"' in field_block(html, "applicant__taxable_income_12m")


@ON_2026_11_26
def test_a_missing_answer_after_pressing_check_says_required_with_a_summary_link(client: Client) -> None:
    answers = {key: value for key, value in INITIAL_ANSWERS.items() if key != "unit__quota_remaining"}
    html = post(client, answers)
    assert "此项必填" in field_block(html, "unit__quota_remaining")
    assert 'href="#id_unit__quota_remaining"' in html


def test_answers_are_posted_never_put_in_the_url(client: Client) -> None:
    html = client.get("/check/?service=initial").content.decode()
    form = re.search(r"<form method=\"(\w+)\" action=\"([^\"]*)\"[^>]*hx-post", html)
    assert form is not None
    assert form.group(1) == "post"
    assert form.group(2) == "/check/?service=initial#outcome"  # the service only: it is not personal
    # answers in a query string are ignored, not assessed or echoed back
    html = client.get("/check/?service=initial&applicant__taxable_income_12m=987654").content.decode()
    assert 'value="987654"' not in field_block(html, "applicant__taxable_income_12m")
    assert '<p class="decision' not in html


def test_the_form_needs_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/check/", INITIAL_ANSWERS)
    assert response.status_code == 403


@ON_2026_11_26
def test_english_by_accept_language(client: Client) -> None:
    html = post(client, INITIAL_ANSWERS, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in html
    assert "Kind of unit" in html
    assert "Taxable income, last 12 months" in html
    assert "Income tax is withheld by the applying unit" in html
    assert "Eligible" in html
    assert "Met" in html
    assert "24 Dec 2026" in html
    assert "218,088 yuan" in html
    assert MATERIALS["labour_contract"].title_en in html
    assert "If submitted today, a decision is due by 24 Dec 2026 (20 working days)" in html
    assert "单位类型" not in html


@ON_2026_11_26
def test_english_by_language_cookie_including_error_messages(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = post(client, {**INITIAL_ANSWERS, "applicant__taxable_income_12m": "-5", "applicant__contract_end": "x"})
    assert "must be at least 0" in field_block(html, "applicant__taxable_income_12m")
    assert "Enter a date that exists" in field_block(html, "applicant__contract_end")
    assert "Please correct the following" in html


def test_english_picker(client: Client) -> None:
    html = client.get("/check/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for service in Service:
        assert LABELS[service][1] in html
    assert "Time limit: 20 working days" in html


@ON_2026_11_26
def test_an_htmx_request_gets_the_partial(client: Client) -> None:
    html = post(client, INITIAL_ANSWERS, button=False, HTTP_HX_REQUEST="true")
    assert "<html" not in html
    assert "site-footer" not in html
    assert html.lstrip().startswith('<div id="check-area"')
    assert "符合条件" in html


def test_a_full_page_is_returned_without_htmx(client: Client) -> None:
    html = post(client, {"service": "initial"}, button=False)
    assert "<html" in html
    assert 'id="check-area"' in html


def test_live_update_does_not_call_unanswered_questions_required(client: Client) -> None:
    html = post(client, {"service": "initial", "unit__kind": "enterprise"}, button=False, HTTP_HX_REQUEST="true")
    assert "必填" not in html
    assert "error-summary" not in html
    assert re.search(r"还有 \d+ 个问题未回答", html)


def test_live_update_shows_the_error_of_a_field_that_holds_a_value(client: Client) -> None:
    html = post(
        client, {"service": "initial", "applicant__taxable_income_12m": "-1"}, button=False, HTTP_HX_REQUEST="true"
    )
    assert "不能小于 0" in field_block(html, "applicant__taxable_income_12m")
    assert "必填" not in html
    assert "请更正标出的 1 处错误" in html


def test_pressing_check_with_nothing_answered_shows_every_required_error(client: Client) -> None:
    html = post(client, {"service": "unit_opening"})
    assert html.count('class="field has-error"') + html.count('class="field choices has-error"') == 6
    assert "此项必填" in html


def test_a_get_with_a_service_counts_the_questions_left(client: Client) -> None:
    html = client.get("/check/?service=children_change").content.decode()
    assert "还有 6 个问题未回答" in html
