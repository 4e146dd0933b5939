"""The acceptance duty and the extension through the API (POLICY §11): `accept`, `refuse_acceptance`, `extend`, the
case's `acceptance` and `extension` fields, and the contract's refusals (403 for the wrong role, 404 for someone
else's case, 409 with the state once accepted or extended, 422 for a missing reason)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.api.cases.support import in_review, pending, submitted
from tests.clock import beijing

pytestmark = pytest.mark.django_db


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def test_a_submitted_case_shows_the_acceptance_deadline(api, people):
    case = submitted(people)
    body = ok(api.handler.get(f"/cases/{case.public_id}"))
    assert body["acceptance"] == {"due": "2026-12-03", "accepted_on": None, "how": None}
    assert body["extension"] is None
    assert body["clock"]["accepted_on"] == "2026-11-26"  # the clock's day: the materials arrived
    assert "accept" in ok(api.clerk.get(f"/cases/{case.public_id}"))["allowed_actions"]


def test_the_clerk_accepts_and_then_return_is_409(api, people):
    case = in_review(people)
    body = ok(api.clerk.post(f"/cases/{case.public_id}/accept"))
    assert body["state"] == "in_review"
    assert body["acceptance"] == {"due": "2026-12-03", "accepted_on": "2026-11-26", "how": "explicit"}
    assert "accept" not in body["allowed_actions"]
    assert "return" not in body["allowed_actions"]
    assert body["events"][-1]["action"] == "accept"
    again = api.clerk.post(f"/cases/{case.public_id}/accept")
    assert again.status_code == 409
    assert again.json() == {"error": "invalid_state", "state": "in_review", "code": "already_accepted"}
    refused = api.clerk.post(f"/cases/{case.public_id}/return", {"problems": [{"text": "补充"}]})
    assert refused.status_code == 409
    assert refused.json()["code"] == "accepted_no_return"


def test_who_may_not_accept(api, people):
    case = submitted(people)
    assert api.handler.post(f"/cases/{case.public_id}/accept").status_code == 403
    assert api.approver.post(f"/cases/{case.public_id}/accept").status_code == 403
    assert api.other_handler.post(f"/cases/{case.public_id}/accept").status_code == 404
    assert api.anonymous.post(f"/cases/{case.public_id}/accept").status_code == 401


def test_after_five_working_days_the_api_shows_the_case_deemed_accepted(api, people, frozen_clock):
    case = in_review(people)
    frozen_clock.move_to(beijing(2026, 12, 4, 9))
    body = ok(api.clerk.get(f"/cases/{case.public_id}"))
    assert body["acceptance"] == {"due": "2026-12-03", "accepted_on": "2026-11-26", "how": "deemed"}
    assert "return" not in body["allowed_actions"]
    assert api.clerk.post(f"/cases/{case.public_id}/return", {"problems": [{"text": "补充"}]}).status_code == 409


def test_refusing_acceptance_needs_a_reason_and_ends_the_case(api, people):
    case = submitted(people)
    missing = api.clerk.post(f"/cases/{case.public_id}/refuse_acceptance", {})
    assert missing.status_code == 422
    assert set(missing.json()["fields"]) == {"reason"}
    body = ok(api.clerk.post(f"/cases/{case.public_id}/refuse_acceptance", {"reason": "单位注册地不在朝阳区"}))
    assert body["state"] == "rejected"
    assert body["acceptance"]["how"] == "not_accepted"
    quota = ok(api.handler.get(f"/units/{people.unit.credit_code}/quota/2026"))
    assert quota["reserved"] == 0


def test_the_bureau_extends_once(api, people):
    case = pending(people)
    before = ok(api.approver.get(f"/cases/{case.public_id}"))["clock"]["due"]
    assert before == "2026-12-24"
    assert api.clerk.post(f"/cases/{case.public_id}/extend", {"reason": "核查"}).status_code == 403
    body = ok(api.approver.post(f"/cases/{case.public_id}/extend", {"reason": "需向外区核实社保缴纳记录"}))
    assert body["clock"]["due"] == "2027-01-07"
    assert body["clock"]["provisional"] is True  # 2027's holiday notice is not loaded: weekends only, and said so
    assert body["extension"] == {"days": 10, "reason": "需向外区核实社保缴纳记录", "extended_on": "2026-11-26",
                                 "previous_due": "2026-12-24", "due": "2027-01-07"}
    twice = api.approver.post(f"/cases/{case.public_id}/extend", {"reason": "再次"})
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_extended"
    assert ok(api.handler.get(f"/cases/{case.public_id}"))["extension"]["due"] == "2027-01-07"


def test_no_extension_after_the_due_date(api, people, frozen_clock):
    case = pending(people)
    frozen_clock.move_to(beijing(2026, 12, 25, 9))
    late = api.approver.post(f"/cases/{case.public_id}/extend", {"reason": "核查"})
    assert late.status_code == 409
    assert late.json()["code"] == "past_due"
    assert date.fromisoformat(ok(api.approver.get(f"/cases/{case.public_id}"))["clock"]["due"]) == date(2026, 12, 24)
