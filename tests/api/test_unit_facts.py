"""GET /units/{credit_code} shows the two facts the assessment derives from the active penalties — `penalty` and
`quota_frozen` (contracts/cases-api.md §Units and quotas) — next to the penalties themselves, equal to what the policy
is given (`wrp.units.selectors.unit_facts`)."""

from __future__ import annotations

import pytest

from tests.api.conftest import TODAY, UNIT_BODY
from tests.factories import make_credit_code
from wrp.units.selectors import unit_facts

pytestmark = pytest.mark.django_db


def impose(api, code: str, kind: str) -> None:
    response = api.approver.post(f"/units/{code}/penalties", {"kind": kind, "reason": "逾期解除员工关联"})
    assert response.status_code == 201


def derived(api, persona: str, code: str) -> tuple[list[str], str | None, bool]:
    body = api[persona].get(f"/units/{code}").json()
    return body["penalties"], body["penalty"], body["quota_frozen"]


def test_a_unit_without_penalties_shows_no_penalty_and_no_freeze(api, people):
    for persona in ("handler", "clerk", "approver"):
        assert derived(api, persona, people.unit.credit_code) == ([], None, False)


@pytest.mark.parametrize(
    ("kinds", "penalty", "frozen"),
    [
        (["quota_frozen"], None, True),
        (["service_terminated"], "service_terminated", False),
        (["blacklisted"], "blacklisted", False),
        (["service_terminated", "blacklisted"], "blacklisted", False),
        (["quota_frozen", "service_terminated", "blacklisted"], "blacklisted", True),
    ],
    ids=["frozen", "terminated", "blacklisted", "blacklisted-over-terminated", "all-three"],
)
def test_the_derived_facts_are_those_the_assessment_reads(api, people, kinds, penalty, frozen):
    code = people.unit.credit_code
    for kind in kinds:
        impose(api, code, kind)
    penalties, shown_penalty, shown_frozen = derived(api, "handler", code)
    assert (shown_penalty, shown_frozen) == (penalty, frozen)
    assert set(penalties) == set(kinds)
    facts = unit_facts(people.unit, as_of=TODAY)
    assert (facts["penalty"], facts["quota_frozen"]) == (shown_penalty, shown_frozen)


def test_lifting_a_penalty_changes_the_derived_facts(api, people):
    code = people.unit.credit_code
    impose(api, code, "service_terminated")
    impose(api, code, "blacklisted")
    impose(api, code, "quota_frozen")
    assert derived(api, "clerk", code)[1:] == ("blacklisted", True)
    api.approver.post(f"/units/{code}/penalties/blacklisted/lift", {"reason": "整改完成"})
    api.approver.post(f"/units/{code}/penalties/quota_frozen/lift", {"reason": "整改完成"})
    assert derived(api, "clerk", code) == (["service_terminated"], "service_terminated", False)


def test_a_registered_and_a_replaced_unit_show_the_derived_facts_too(api):
    body = {"credit_code": make_credit_code(), **UNIT_BODY}
    created = api.handler.post("/units", body)
    assert created.status_code == 201
    assert (created.json()["penalty"], created.json()["quota_frozen"]) == (None, False)
    replaced = api.handler.put(f"/units/{body['credit_code']}", {**body, "name": "北京丙科技股份有限公司"})
    assert replaced.status_code == 200
    assert (replaced.json()["penalty"], replaced.json()["quota_frozen"]) == (None, False)


def test_the_derived_facts_still_cannot_be_sent(api, people):
    body = {"credit_code": people.unit.credit_code, **UNIT_BODY, "penalty": "blacklisted"}
    response = api.handler.put(f"/units/{people.unit.credit_code}", body)
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["penalty"]


def test_the_api_description_documents_both_facts(api):
    schema = api.anonymous.get("/openapi.json").json()["components"]["schemas"]["UnitOut"]
    assert {"penalty", "quota_frozen"} <= set(schema["required"])
    assert "blacklisted" in schema["properties"]["penalty"]["description"]
    assert schema["properties"]["quota_frozen"]["type"] == "boolean"
