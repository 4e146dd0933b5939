"""The unit sends an employee's case back to them with a message (issue 13 §5): `send_back`, the unit's handler,
`awaiting_unit` → `draft` — through the service (state, event, audit, the employee's notice) and through the API
(`POST /api/v1/cases/{id}/send_back`: 403 for other roles, 404 for another unit, 409 in another state, 422 without
a message)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.cases.support import API, Caller
from tests.factories import case_in_state
from wrp.accounts.services import token_create
from wrp.audit.models import AuditEvent
from wrp.cases.models import CaseEvent, CaseState
from wrp.cases.services import SEND_BACK_MAX, case_send_back, case_submit
from wrp.cases.workflow import allowed_actions
from wrp.core.errors import Forbidden, Invalid, InvalidState
from wrp.notifications.models import Notification

pytestmark = pytest.mark.django_db

MESSAGE = "劳动合同缺少签字页，请补充后重新上传。"


def awaiting_unit(people: Any) -> Any:
    """The applicant's own initial case, passed to the unit."""
    return case_in_state(people, "awaiting_unit", by_applicant=True)


# --- the service ------------------------------------------------------------------------------------------------------


def test_the_units_handler_sends_the_case_back_to_the_employee_with_the_message(
    people, django_capture_on_commit_callbacks
):
    case = awaiting_unit(people)
    assert "send_back" in allowed_actions(case, people.handler)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_send_back(case=case, actor=people.handler, message=f"  {MESSAGE}\n")
    case.refresh_from_db()
    assert case.state == CaseState.DRAFT
    event = CaseEvent.objects.filter(case=case).latest("at", "id")
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "send_back", "awaiting_unit", "draft", people.handler)
    assert event.detail == {"message": MESSAGE}
    assert AuditEvent.objects.filter(action="case.send_back").count() == 1
    notices = Notification.objects.filter(event="case.sent_back")
    assert [notice.recipient for notice in notices] == [people.applicant]  # the unit wrote it: only the employee
    assert MESSAGE in notices[0].body
    assert case.public_id in notices[0].subject
    assert notices[0].link == f"/cases/{case.public_id}/"


def test_the_employee_changes_it_and_submits_it_to_the_unit_again(people):
    case = case_send_back(case=awaiting_unit(people), actor=people.handler, message=MESSAGE)
    assert {"edit", "submit", "withdraw"} <= allowed_actions(case, people.applicant)
    assert "send_back" not in allowed_actions(case, people.handler)
    case = case_submit(case=case, actor=people.applicant)
    assert case.state == CaseState.AWAITING_UNIT
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "open", "submit_to_unit", "send_back", "submit_to_unit"]


@pytest.mark.parametrize("message", ["", "   \n ", None], ids=["empty", "blank", "none"])
def test_a_message_is_required(people, message):
    case = awaiting_unit(people)
    with pytest.raises(Invalid) as refused:
        case_send_back(case=case, actor=people.handler, message=message)
    assert refused.value.codes == {"message": "message_required"}
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_UNIT


def test_a_message_of_1000_characters_is_taken_and_one_more_is_refused(people):
    case = awaiting_unit(people)
    with pytest.raises(Invalid) as refused:
        case_send_back(case=case, actor=people.handler, message="补" * (SEND_BACK_MAX + 1))
    assert refused.value.codes == {"message": "message_too_long"}
    assert case_send_back(case=case, actor=people.handler, message="补" * SEND_BACK_MAX).state == CaseState.DRAFT


@pytest.mark.parametrize("persona", ["applicant", "other_applicant", "other_handler", "clerk", "approver", "admin"])
def test_nobody_but_the_units_handler_sends_it_back(people, persona):
    case = awaiting_unit(people)
    with pytest.raises(Forbidden) as refused:
        case_send_back(case=case, actor=getattr(people, persona), message=MESSAGE)
    assert refused.value.code == "unit_handlers_only"
    assert not CaseEvent.objects.filter(case=case, action="send_back").exists()


@pytest.mark.parametrize("state", ["draft", "submitted", "withdrawn"])
def test_only_a_case_waiting_for_the_unit_is_sent_back(people, state):
    case = case_in_state(people, state)
    with pytest.raises(InvalidState):
        case_send_back(case=case, actor=people.handler, message="")  # the state is refused before the message
    assert "send_back" not in allowed_actions(case, people.handler)


def test_an_id_number_in_the_message_does_not_reach_the_notice(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case_send_back(case=awaiting_unit(people), actor=people.handler, message="身份证 11010519491231002X 页面不清晰")
    body = Notification.objects.get(event="case.sent_back").body
    assert "11010519491231002X" not in body
    assert "页面不清晰" in body


# --- the API ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def caller(people):
    def make(persona: str) -> Caller:
        return Caller(token_create(user=getattr(people, persona)))

    return make


def send_back(caller: Caller, case: Any, body: Any = None) -> Any:
    return caller.post(f"/cases/{case.public_id}/send_back", body)


def test_the_api_sends_the_case_back(people, caller):
    case = awaiting_unit(people)
    response = send_back(caller("handler"), case, {"message": MESSAGE})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["events"][-1]["action"] == "send_back"
    assert "message" not in body["events"][-1]  # the message is the employee's: on their page and in their notice
    assert "send_back" not in body["allowed_actions"]
    applicant = caller("applicant").get(f"/cases/{case.public_id}").json()
    assert "submit" in applicant["allowed_actions"]


@pytest.mark.parametrize(("persona", "status"), [
    ("applicant", 403), ("other_applicant", 404), ("other_handler", 404), ("clerk", 403), ("approver", 403),
    ("admin", 403),
])
def test_the_api_refuses_everyone_else(people, caller, persona, status):
    case = awaiting_unit(people)
    response = send_back(caller(persona), case, {"message": MESSAGE})
    assert response.status_code == status, response.content
    assert response.json()["error"] == {403: "forbidden", 404: "not_found"}[status]
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_UNIT


def test_the_api_refuses_an_anonymous_caller(people):
    response = Caller(None).post(f"/cases/{awaiting_unit(people).public_id}/send_back", {"message": MESSAGE})
    assert response.status_code == 401


def test_the_api_answers_409_in_another_state(people, caller):
    case = case_in_state(people, "draft")
    response = send_back(caller("handler"), case, {"message": MESSAGE})
    assert response.status_code == 409
    assert response.json() | {"code": None} == {"error": "invalid_state", "state": "draft", "code": None}


@pytest.mark.parametrize(("body", "words"), [
    (None, "请写明需要员工修改的内容。"),
    ({"message": "  "}, "请写明需要员工修改的内容。"),
    ({"message": "补" * (SEND_BACK_MAX + 1)}, "说明不能超过 1000 个字。"),
], ids=["no body", "blank", "too long"])
def test_the_api_answers_422_without_a_message(people, caller, body, words):
    case = awaiting_unit(people)
    response = send_back(caller("handler"), case, body)
    assert response.status_code == 422, response.content
    answer = response.json()
    assert answer["error"] == "invalid_request"
    assert answer["fields"] == {"message": words}
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_UNIT


def test_the_api_refuses_an_unknown_field(people, caller):
    response = send_back(caller("handler"), awaiting_unit(people), {"message": MESSAGE, "notify": False})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


def test_the_openapi_document_describes_send_back(client):
    operation = client.get(f"{API}/openapi.json").json()["paths"][f"{API}/cases/{{case_id}}/send_back"]["post"]
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
