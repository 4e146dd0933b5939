"""Property-based tests of the OpenAPI document: for every operation of people.py and units.py, and POST /assessments,
requests generated from the document never get a 5xx and never get a response that breaks the document's own schema.

The document is the one the server serves (/api/v1/openapi.json), loaded through the Django WSGI application and
called in-process, inside the test's transaction. Each operation is called by the persona that may take it (a
handler for its unit, the approver for a grant…), with a bearer token; every other example names the world's real
objects in the path, so bodies are tried against objects that exist, and the rest keep the generated path values.
"""

from __future__ import annotations

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

from tests.factories import make_association, make_ledger, make_permit, make_personas
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import token_create
from wrp.config.wsgi import application
from wrp.quotas.models import QuotaRequest
from wrp.units.models import AssociationState

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 20  # per operation and phase: 20 operations, 20–60 s in all
OURS = r"^/api/v1/(me|me/profile|associations.*|permits.*|slots|units.*|quota-requests.*|assessments)$"

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(path_regex=OURS)

# Who calls each operation (the one who may take it, so that generated bodies reach the services).
CALLER: dict[str, str] = {
    "PUT /api/v1/me/profile": "applicant",
    "GET /api/v1/me/profile": "applicant",
    "POST /api/v1/associations": "other_applicant",
    "POST /api/v1/associations/{association_id}/accept": "handler",
    "POST /api/v1/associations/{association_id}/refuse": "handler",
    "POST /api/v1/associations/{association_id}/release": "handler",
    "POST /api/v1/units": "handler",
    "GET /api/v1/units/{credit_code}": "handler",
    "PUT /api/v1/units/{credit_code}": "handler",
    "POST /api/v1/units/{credit_code}/quota-requests": "handler",
    "POST /api/v1/quota-requests/{request_id}/grant": "approver",
    "POST /api/v1/units/{credit_code}/penalties": "approver",
    "POST /api/v1/units/{credit_code}/penalties/{kind}/lift": "approver",
}
DEFAULT_CALLER = "clerk"


@pytest.fixture
def _in_process_wsgi() -> Iterator[None]:
    """Calls through the WSGI handler must not close the test's connection at the end of each request (Django's
    test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, _in_process_wsgi) -> dict[str, Any]:
    people = make_personas()
    ApplicantProfile.objects.create(user=people.applicant, facts={"hukou": "non_beijing"})
    active = make_association(people.applicant, people.unit)
    requested = make_association(people.other_applicant, people.unit, AssociationState.REQUESTED)
    permit = make_permit(people.applicant, people.unit)
    make_ledger(people.unit, 2026, granted=3)
    quota_request = QuotaRequest.objects.create(
        unit=people.unit, year=2026, requested=3, reason="扩大招聘", requested_by=people.handler,
        requested_at=people.unit.created_at,
    )
    return {
        "tokens": {
            persona: token_create(user=getattr(people, persona))
            for persona in ("applicant", "other_applicant", "handler", "clerk", "approver")
        },
        "path": {
            "credit_code": people.unit.credit_code,
            "request_id": quota_request.pk,
            "number": permit.number,
            "association_id": requested.pk,
            "release_association_id": active.pk,
        },
        "examples": itertools.count(),
    }


def _real_objects(case: Any, world: dict[str, Any]) -> None:
    for name in list(case.path_parameters or {}):
        if name == "association_id" and case.operation.path.endswith("/release"):
            case.path_parameters[name] = world["path"]["release_association_id"]
        elif name in world["path"]:
            case.path_parameters[name] = world["path"][name]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_document(case, world):
    cache.clear()  # the public rate limit counts every example of POST /assessments
    if next(world["examples"]) % 2 == 0:
        _real_objects(case, world)
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    token = world["tokens"][CALLER.get(operation, DEFAULT_CALLER)]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
