"""Property-based tests of the case endpoints' OpenAPI description: requests generated from the document never get a
5xx, and every response matches the document's own schema for its status.

The document is the one the server serves, called in-process through the WSGI application inside the test's
transaction. Each operation is called by the persona that may take it; every other example names a real case in the
state the action needs (and `labour_contract`, a material on its checklist), the rest keep the generated values. An
applicant holds one open `initial` case at a time: each state's case is for an applicant of its own.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.cases.support import STATES
from tests.cases.conftest import PROFILE
from tests.factories import Personas, make_association, make_user
from wrp.accounts.models import ApplicantProfile, Role
from wrp.accounts.services import token_create
from wrp.config.wsgi import application
from wrp.quotas.models import QuotaLedger

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 10  # per operation: 21 operations
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(path_regex=r"^/api/v1/cases")

# operation: (who calls it, the state of the real case it is tried on)
OPERATIONS: dict[str, tuple[str, str]] = {
    "POST /api/v1/cases": ("handler", "draft"),
    "GET /api/v1/cases": ("clerk", "draft"),
    "GET /api/v1/cases/{case_id}": ("applicant", "draft"),
    "POST /api/v1/cases/{case_id}/materials/{code}": ("handler", "draft"),
    "GET /api/v1/cases/{case_id}/materials/{code}/checks/{check_id}": ("handler", "draft"),
    "GET /api/v1/cases/{case_id}/materials/{code}/file": ("clerk", "draft"),
    "POST /api/v1/cases/{case_id}/materials/{code}/verdict": ("clerk", "in_review"),
    "POST /api/v1/cases/{case_id}/submit": ("handler", "draft"),
    "POST /api/v1/cases/{case_id}/start_review": ("clerk", "submitted"),
    "POST /api/v1/cases/{case_id}/return": ("clerk", "in_review"),
    "POST /api/v1/cases/{case_id}/resubmit": ("handler", "returned"),
    "POST /api/v1/cases/{case_id}/forward": ("clerk", "in_review"),
    "POST /api/v1/cases/{case_id}/approve": ("approver", "pending"),
    "POST /api/v1/cases/{case_id}/reject": ("clerk", "in_review"),
    "POST /api/v1/cases/{case_id}/withdraw": ("handler", "draft"),
    "POST /api/v1/cases/{case_id}/send_back": ("handler", "draft"),  # 409 from a draft: the body's shape is checked
    "POST /api/v1/cases/{case_id}/accept": ("clerk", "submitted"),
    "POST /api/v1/cases/{case_id}/refuse_acceptance": ("clerk", "in_review"),
    "POST /api/v1/cases/{case_id}/extend": ("approver", "pending"),
    "GET /api/v1/cases/{case_id}/documents": ("clerk", "submitted"),
    "GET /api/v1/cases/{case_id}/documents/drafts/{kind}/file": ("handler", "draft"),
}


@pytest.fixture
def _in_process_wsgi() -> Iterator[None]:
    """Calls through the WSGI handler must not close the test's connection after each request (as Django's test
    client does not)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _with_own_applicant(people: Personas, state: str) -> Personas:
    """The personas with an applicant of the state's own (complete profile, associated with `unit`); the draft's is
    `applicant`, who reads it."""
    if state == "draft":
        return people
    applicant = make_user(Role.APPLICANT, f"applicant_{state}")
    ApplicantProfile.objects.create(user=applicant, facts=dict(PROFILE))
    make_association(applicant, people.unit)
    return dataclasses.replace(people, applicant=applicant)


@pytest.fixture
def world(people, _in_process_wsgi) -> dict[str, Any]:
    QuotaLedger.objects.filter(unit=people.unit).update(granted=10)  # a case in each state holds up to four
    return {
        "tokens": {
            persona: token_create(user=getattr(people, persona)) for persona in ("applicant", "handler", "clerk", "approver")
        },
        "cases": {state: reach(_with_own_applicant(people, state)).public_id for state, reach in STATES.items()},
        "examples": itertools.count(),
    }


def test_every_case_operation_is_covered():
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in schema.get_all_operations())}
    assert operations == set(OPERATIONS)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_document(case, world):
    cache.clear()
    persona, state = OPERATIONS[f"{case.operation.method.upper()} {case.operation.path}"]
    if next(world["examples"]) % 2 == 0:
        parameters = case.path_parameters or {}
        if "case_id" in parameters:
            parameters["case_id"] = world["cases"][state]
        if "code" in parameters:
            parameters["code"] = "labour_contract"
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world['tokens'][persona]}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
