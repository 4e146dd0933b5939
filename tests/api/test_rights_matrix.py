"""Who may call which endpoint of people.py and units.py: every endpoint × every persona → the status, from one table.

The world: `unit` (handled by `handler`) with a pending quota request, an active `quota_frozen` penalty and quota for
the year; `applicant` with a profile, an active association with `unit` and a permit held with it; `other_applicant`
with a requested association with `unit` and no profile. Someone else's object is 404, a role that sees the object but
may not act is 403, an administrator is 403 everywhere but /me, no credentials is 401; a refusal carries the
contract's body. (Cases are the other table, tests/api/cases/test_case_rights.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import PERSONAS, REFUSALS, TODAY, UNIT_BODY
from tests.factories import make_association, make_credit_code, make_ledger, make_permit
from wrp.audit.models import AuditEvent
from wrp.quotas.models import QuotaRequest
from wrp.units.models import AssociationState, Penalty

pytestmark = pytest.mark.django_db

# Placeholders in paths and bodies ({unit}, {permit}, …) are filled from the world below.
#                                                         applicant other_app handler other_h clerk approver admin anon
RIGHTS: dict[str, tuple[int, ...]] = {
    "GET /me":                                            (200,     200,      200,    200,    200,  200,     200,  401),
    "GET /me/profile":                                    (200,     404,      403,    403,    403,  403,     403,  401),
    "PUT /me/profile":                                    (200,     200,      403,    403,    403,  403,     403,  401),
    "POST /associations":                                 (409,     201,      403,    403,    403,  403,     403,  401),
    "GET /associations":                                  (200,     200,      200,    200,    200,  200,     403,  401),
    "POST /associations/{requested_association}/accept":  (404,     403,      200,    404,    403,  403,     403,  401),
    "POST /associations/{requested_association}/refuse":  (404,     403,      200,    404,    403,  403,     403,  401),
    "POST /associations/{active_association}/release":    (403,     404,      200,    404,    403,  403,     403,  401),
    "GET /permits":                                       (200,     200,      200,    200,    200,  200,     403,  401),
    "GET /permits/{permit}":                              (200,     404,      200,    404,    200,  200,     403,  401),
    "GET /slots?from={today}&to={next_week}":             (200,     200,      200,    200,    200,  200,     403,  401),
    "POST /units":                                        (403,     403,      201,    201,    403,  403,     403,  401),
    "GET /units/{unit}":                                  (404,     404,      200,    404,    200,  200,     403,  401),
    "PUT /units/{unit}":                                  (404,     404,      200,    404,    403,  403,     403,  401),
    "POST /units/{unit}/quota-requests":                  (404,     404,      201,    404,    403,  403,     403,  401),
    "POST /quota-requests/{quota_request}/grant":         (404,     404,      403,    404,    403,  200,     403,  401),
    "GET /units/{unit}/quota/{year}":                     (404,     404,      200,    404,    200,  200,     403,  401),
    "POST /units/{unit}/penalties":                       (404,     404,      403,    404,    403,  201,     403,  401),
    "POST /units/{unit}/penalties/quota_frozen/lift":     (404,     404,      403,    404,    403,  200,     403,  401),
    "GET /units/{unit}/radar":                            (404,     404,      200,    404,    403,  403,     403,  401),
    "POST /units/{unit}/renewals":                        (404,     404,      422,    404,    403,  403,     403,  401),
}  # fmt: skip

BODIES: dict[str, Any] = {
    "PUT /me/profile": {"hukou": "non_beijing", "degree": "master", "contract_end": None},
    "POST /associations": {"association_code": "{other_unit_association_code}"},
    "POST /associations/{active_association}/release": {"left_on": "{today}"},
    "POST /units": {"credit_code": "{new_credit_code}", **UNIT_BODY},
    "PUT /units/{unit}": {"credit_code": "{unit}", **UNIT_BODY},
    "POST /units/{unit}/quota-requests": {"year": "{year:int}", "requested": 2, "reason": "新招聘研发人员"},
    "POST /quota-requests/{quota_request}/grant": {"granted": 2},
    "POST /units/{unit}/penalties": {"kind": "blacklisted", "reason": "虚假材料"},
    "POST /units/{unit}/penalties/quota_frozen/lift": {"reason": "整改完成"},
    "POST /units/{unit}/renewals": {"permits": ["{permit}"]},  # issued today: years before its renewal window
}

CASES = [(endpoint, persona, status) for endpoint, row in RIGHTS.items() for persona, status in zip(PERSONAS, row,
                                                                                                  strict=True)]
MATRIX_SIZE = len(RIGHTS) * len(PERSONAS)  # 21 endpoints × 8 personas


@pytest.fixture
def world(people) -> dict[str, Any]:
    make_association(people.applicant, people.unit)
    make_association(people.other_applicant, people.unit, AssociationState.REQUESTED)
    permit = make_permit(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    quota_request = QuotaRequest.objects.create(
        unit=people.unit, year=TODAY.year, requested=3, reason="扩大招聘", requested_by=people.handler,
        requested_at=people.unit.created_at,
    )
    Penalty.objects.create(unit=people.unit, kind="quota_frozen", reason="逾期解除关联", decided_by=people.approver,
                           decided_at=people.unit.created_at)
    return {
        "unit": people.unit.credit_code,
        "other_unit_association_code": people.other_unit.association_code,
        "active_association": people.applicant.associations.get().pk,
        "requested_association": people.other_applicant.associations.get().pk,
        "permit": permit.number,
        "quota_request": quota_request.pk,
        "today": TODAY.isoformat(),
        "next_week": "2026-12-04",
        "year": TODAY.year,
        "new_credit_code": make_credit_code(),
    }


def fill(template: Any, world: dict[str, Any]) -> Any:
    """The template with its placeholders replaced: "{name}" by the world's value, "{name:int}" by it as a number."""
    if isinstance(template, dict):
        return {key: fill(value, world) for key, value in template.items()}
    if isinstance(template, str) and template.startswith("{") and template.endswith(":int}"):
        return int(world[template[1:-5]])
    if isinstance(template, str):
        return template.format(**world)
    return template


def test_the_matrix_covers_every_endpoint_of_people_and_units_for_every_persona():
    from wrp.api import people, units

    routes = {
        f"{method} {re.sub(r'{[^}]+}', '[^/]+', path)}"
        for router in (people.router, units.router)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    rows = {re.sub(r"{[^}]+}", "x", endpoint.split("?")[0]) for endpoint in RIGHTS}
    matched = {route for route in routes for row in rows if re.fullmatch(route, row)}
    assert matched == routes
    assert all(sum(bool(re.fullmatch(route, row)) for route in routes) == 1 for row in rows)
    assert len(CASES) == MATRIX_SIZE == 168


@pytest.mark.parametrize(("endpoint", "persona", "status"), CASES, ids=[f"{e} as {p}" for e, p, _ in CASES])
def test_rights(api, world, endpoint, persona, status):
    method, path = endpoint.split(" ", 1)
    changes = AuditEvent.objects.exclude(action="access.denied")  # a denial is noted, and changes nothing
    events = changes.count()
    response = api[persona].send(method, fill(path, world), fill(BODIES.get(endpoint), world))
    assert response.status_code == status, response.content
    if status >= 400:
        assert changes.count() == events, "a refused request changes nothing"
    if status in REFUSALS:
        body = response.json()
        body.pop("code", None)  # a service's refusal also names its code (checked by the endpoints' own tests)
        assert body == REFUSALS[status]
