"""A unit handler who just registered registers the unit and says whether it already holds an account in another
district (issue 13 §1): such a unit is offered the cross-district transfer (unit_transfer), and can never get a second
account — the assessment's `account` fact is open there, so U-NOT-OPEN refuses an opening."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import case_in_state, make_credit_code
from wrp.cases.facts import case_evaluate
from wrp.cases.models import Case
from wrp.cases.services import case_submit
from wrp.core.errors import Ineligible
from wrp.units.models import AccountStatus, Unit
from wrp.units.selectors import unit_facts

TAXES = {"annual_tax_2023": "300,000", "annual_tax_2024": "300,000", "annual_tax_2025": "300,000"}


@pytest.fixture
def handler(people, private_media) -> Client:
    client = Client()
    client.force_login(people.handler)
    return client


def register_form(**changes: Any) -> dict[str, Any]:
    return {"credit_code": make_credit_code(), "name": "北京迁入科技有限公司", "kind": "enterprise", "legal_person": "yes",
            "registered_district": "haidian", "tax_district": "chaoyang", "tax_paid_since": "2019-05-01",
            "registered_capital": "5,000,000", **TAXES, **changes}


def outcome(unit: Unit, kind: str, rule: str, today) -> str:
    _facts, evaluation = case_evaluate(Case(kind=kind, unit=unit), as_of=today)
    return next(check["outcome"] for check in evaluation.assessment("zh").as_json_dict()["checks"]
                if check["rule"] == rule)


def test_the_register_page_asks_for_an_account_held_in_another_district(handler):
    html = handler.get(reverse("portal:unit_register")).content.decode()
    assert 'name="account_elsewhere"' in html
    assert "在其他区已开立的工作居住证账户" in html
    assert 'value="haidian"' in html
    assert 'value="chaoyang"' not in html.split('name="account_elsewhere"')[1].split(
        "</select>")[0]


def test_a_unit_open_in_haidian_is_offered_the_transfer_and_refused_a_second_account(handler, people, today):
    form = register_form(account_elsewhere="haidian")
    answer = handler.post(reverse("portal:unit_register"), form, follow=True)
    assert "单位已在其他区开户，下一步：办理跨区信息变更" in answer.content.decode()
    unit = Unit.objects.get(credit_code=form["credit_code"])
    assert (unit.account_status, unit.account_district) == (AccountStatus.OPEN, "haidian")
    assert unit_facts(unit, as_of=today)["account"] == {"status": "open", "district": "haidian"}

    home = answer.content.decode()
    assert reverse("portal:unit_account", args=[unit.credit_code, "unit_transfer"]) in home
    assert reverse("portal:unit_account", args=[unit.credit_code, "unit_opening"]) not in home
    assert outcome(unit, "unit_opening", "U-NOT-OPEN", today) == "fail"
    assert outcome(unit, "unit_transfer", "U-OPEN-ELSEWHERE", today) == "pass"

    opening = case_in_state(people, "draft", kind="unit_opening", unit=unit, handler=people.handler)
    with pytest.raises(Ineligible) as refused:
        case_submit(case=opening, actor=people.handler)
    failing = [c["rule"] for c in refused.value.assessment["zh"]["checks"] if c["outcome"] == "fail"]
    assert failing == ["U-NOT-OPEN"]


def test_a_unit_without_an_account_is_offered_the_opening(handler, today):
    form = register_form(registered_district="chaoyang")
    answer = handler.post(reverse("portal:unit_register"), form, follow=True)
    assert "下一步：办理开户" in answer.content.decode()
    unit = Unit.objects.get(credit_code=form["credit_code"])
    assert unit.account_status == AccountStatus.NONE
    assert reverse("portal:unit_account", args=[unit.credit_code, "unit_opening"]) in answer.content.decode()
    assert outcome(unit, "unit_opening", "U-NOT-OPEN", today) == "pass"


def test_chaoyang_is_no_account_elsewhere_and_the_refusal_stands_next_to_the_field(handler):
    form = register_form(account_elsewhere="chaoyang")
    refused = handler.post(reverse("portal:unit_register"), form)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'id="field-account_elsewhere"' in html
    assert 'id="id_account_elsewhere-error"' in html
    assert not Unit.objects.filter(credit_code=form["credit_code"]).exists()
