"""Who may call which case endpoint: every endpoint × every persona → the status, from one table.

The case is the handler's `initial` case for `applicant` in `unit`, brought to the state the endpoint needs. A refusal
carries the contract's body and changes nothing; a success moves the case where the contract says. For `create` the
earlier case is withdrawn: an applicant holds one open `initial` case at a time (see test_one_open_case_api.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.cases.support import PERSONAS, STATES, pdf_bytes, refusal_body, upload_all
from tests.cases.conftest import free_slot
from tests.factories import case_in_state
from wrp.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db

# endpoint: (state of the case, the request: (method, path, body) from the case and the personas)
Request = Callable[[Case, Any], tuple[str, str, Any]]
ENDPOINTS: dict[str, tuple[str, Request]] = {
    "list": ("draft", lambda case, people: ("get", "/cases", None)),
    "detail": ("draft", lambda case, people: ("get", f"/cases/{case.public_id}", None)),
    "create": ("withdrawn", lambda case, people: (
        "post", "/cases", {"kind": "initial", "unit": people.unit.credit_code, "applicant": "applicant"},
    )),
    "upload": ("draft", lambda case, people: ("upload", f"/cases/{case.public_id}/materials/labour_contract", None)),
    "file": ("draft", lambda case, people: ("get", f"/cases/{case.public_id}/materials/labour_contract/file", None)),
    "verdict": ("in_review", lambda case, people: (
        "post", f"/cases/{case.public_id}/materials/labour_contract/verdict", {"accepted": True},
    )),
    "submit": ("draft", lambda case, people: ("post", f"/cases/{case.public_id}/submit", {"slot": free_slot()})),
    "start_review": ("submitted", lambda case, people: ("post", f"/cases/{case.public_id}/start_review", None)),
    "return": ("in_review", lambda case, people: (
        "post", f"/cases/{case.public_id}/return", {"problems": [{"material": None, "text": "请补充说明"}]},
    )),
    "resubmit": ("returned", lambda case, people: ("post", f"/cases/{case.public_id}/resubmit", None)),
    "forward": ("in_review", lambda case, people: ("post", f"/cases/{case.public_id}/forward", {})),
    "approve": ("pending", lambda case, people: ("post", f"/cases/{case.public_id}/approve", None)),
    "reject in_review": ("in_review", lambda case, people: (
        "post", f"/cases/{case.public_id}/reject", {"reason": "材料不实"},
    )),
    "reject pending": ("pending", lambda case, people: (
        "post", f"/cases/{case.public_id}/reject", {"reason": "材料不实"},
    )),
    "withdraw": ("draft", lambda case, people: ("post", f"/cases/{case.public_id}/withdraw", None)),
    "send_back": ("awaiting_unit", lambda case, people: (
        "post", f"/cases/{case.public_id}/send_back", {"message": "请补充劳动合同签字页"},
    )),
    "unknown action": ("draft", lambda case, people: ("post", f"/cases/{case.public_id}/archive", None)),
}

# The rights, one row per endpoint, one column per persona (in the order of PERSONAS):
#                     applicant other_app handler other_h clerk approver admin anonymous
RIGHTS: dict[str, tuple[int, ...]] = {
    "list":             (200,     200,      200,    200,    200,  200,     403,  401),
    "detail":           (200,     404,      200,    404,    200,  200,     403,  401),
    "create":           (201,     422,      201,    422,    403,  403,     403,  401),
    "upload":           (201,     404,      201,    404,    403,  403,     403,  401),
    "file":             (200,     404,      200,    404,    200,  200,     403,  401),
    "verdict":          (403,     404,      403,    404,    200,  403,     403,  401),
    "submit":           (200,     404,      200,    404,    403,  403,     403,  401),
    "start_review":     (403,     404,      403,    404,    200,  403,     403,  401),
    "return":           (403,     404,      403,    404,    200,  403,     403,  401),
    "resubmit":         (403,     404,      200,    404,    403,  403,     403,  401),
    "forward":          (403,     404,      403,    404,    200,  403,     403,  401),
    "approve":          (403,     404,      403,    404,    403,  200,     403,  401),
    "reject in_review": (403,     404,      403,    404,    200,  409,     403,  401),
    "reject pending":   (403,     404,      403,    404,    409,  200,     403,  401),
    "withdraw":         (200,     404,      200,    404,    403,  403,     403,  401),
    "send_back":        (403,     404,      200,    404,    403,  403,     403,  401),
    "unknown action":   (404,     404,      404,    404,    404,  404,     404,  401),
}

# Where a successful action leaves the case (by persona where it differs).
LEADS_TO: dict[str, dict[str, str]] = {
    "submit": {"applicant": "awaiting_unit", "handler": "submitted"},
    "start_review": {"clerk": "in_review"},
    "return": {"clerk": "returned"},
    "resubmit": {"handler": "in_review"},
    "forward": {"clerk": "pending_approval"},
    "approve": {"approver": "approved"},
    "reject in_review": {"clerk": "rejected"},
    "reject pending": {"approver": "rejected"},
    "withdraw": {"applicant": "withdrawn", "handler": "withdrawn"},
    "send_back": {"handler": "draft"},
}

# The states of support.STATES, a withdrawn case (the one `create` may open again) and one the applicant passed
# to the unit (the one `send_back` returns).
CASES = {
    **STATES, "withdrawn": lambda people: case_in_state(people, "withdrawn", materials=upload_all),
    "awaiting_unit": lambda people: case_in_state(people, "awaiting_unit", by_applicant=True),
}

MATRIX = [
    pytest.param(endpoint, persona, status, id=f"{endpoint}-{persona}-{status}")
    for endpoint, statuses in RIGHTS.items()
    for persona, status in zip(PERSONAS, statuses, strict=True)
]
RIGHTS_MATRIX_SIZE = 136  # 17 endpoints × 8 personas


def test_the_matrix_covers_every_endpoint_and_persona():
    assert set(RIGHTS) == set(ENDPOINTS)
    assert len(MATRIX) == RIGHTS_MATRIX_SIZE == len(ENDPOINTS) * len(PERSONAS)


def _call(caller, method: str, path: str, body: Any):
    if method == "get":
        return caller.get(path)
    if method == "upload":
        return caller.upload(path, pdf_bytes(2))
    return caller.post(path, body)


@pytest.mark.parametrize(("endpoint", "persona", "expected"), MATRIX)
def test_rights(api, people, endpoint, persona, expected):
    state, request = ENDPOINTS[endpoint]
    case = CASES[state](people)
    before_state, before_events = case.state, CaseEvent.objects.filter(case=case).count()

    response = _call(api[persona], *request(case, people))

    assert response.status_code == expected, response.content
    case.refresh_from_db()
    if expected >= 400:
        body = response.json()
        code = body.pop("code", None)  # a service's refusal names its code (checked by the endpoints' own tests)
        assert code is not None or expected == 401
        if expected == 409:
            assert body == {"error": "invalid_state", "state": before_state}
        elif expected == 422:
            assert body["error"] == "invalid_request"
            # someone else's unit and someone else's applicant: both named, as for ones that do not exist
            assert set(body["fields"]) == {"unit", "applicant"}
        else:
            assert body == refusal_body(expected)
        assert (case.state, CaseEvent.objects.filter(case=case).count()) == (before_state, before_events)
    elif endpoint in LEADS_TO:
        assert case.state == LEADS_TO[endpoint][persona]
        assert response.json()["state"] == case.state
