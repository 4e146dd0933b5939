"""API tests: the shared personas of tests/conftest.py, each with a bearer token, on the frozen day (Thursday 2026-11-26,
10:00 in Beijing). Objects are made with the factories or the services; the endpoint under test is the only HTTP.

Only the cache-clearing fixture is autouse: the failed-token counter and the public rate limit live in the cache, and
no test may inherit another's. (tests/api/cases/ has its own conftest on top of this one.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.cases.conftest import PROFILE
from tests.clock import NOW, SHANGHAI, TODAY  # noqa: F401  (read from here by the test modules)
from tests.factories import Personas
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import token_create

API = "/api/v1"
PERSONAS = ("applicant", "other_applicant", "handler", "other_handler", "clerk", "approver", "admin", "anonymous")
REFUSALS = {
    401: {"error": "unauthenticated"},
    403: {"error": "forbidden"},
    404: {"error": "not_found"},
    429: {"error": "rate_limited"},
}

UNIT_BODY: dict[str, Any] = {
    "name": "北京丙科技有限公司",
    "kind": "enterprise",
    "legal_person": True,
    "registered_district": "chaoyang",
    "tax_district": "chaoyang",
    "tax_paid_since": "2019-05-01",
    "registered_capital": 5000000,
    "annual_tax": {"2023": 250000, "2024": 280000, "2025": "300000.50"},
    "qualifications": ["high_tech_enterprise"],
}


class Caller:
    """A test client signed in with a bearer token (or anonymous): JSON bodies, paths relative to /api/v1."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, query: dict[str, Any] | None = None) -> Any:
        return self.client.get(API + path, query or {}, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(API + path, {} if body is None else body, content_type="application/json",
                                headers=self.headers)

    def put(self, path: str, body: Any = None) -> Any:
        return self.client.put(API + path, {} if body is None else body, content_type="application/json",
                               headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        if method == "GET":
            return self.get(path)
        return getattr(self, method.lower())(path, body)


@dataclass
class Api:
    """One caller per persona: `api.handler.post(...)`; `api.anonymous` sends no credentials."""

    applicant: Caller
    other_applicant: Caller
    handler: Caller
    other_handler: Caller
    clerk: Caller
    approver: Caller
    admin: Caller
    anonymous: Caller

    def __getitem__(self, persona: str) -> Caller:
        return getattr(self, persona)


@pytest.fixture(autouse=True)
def _empty_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """The rate limits' counts live in the database cache: emptied around each test that uses the database."""
    uses_database = bool({"db", "transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        request.node.get_closest_marker("django_db"))
    if uses_database:
        cache.clear()
    yield
    if uses_database:
        cache.clear()


@pytest.fixture
def people(people) -> Personas:
    """The shared personas (tests/conftest.py); `applicant` has a complete profile, `other_applicant` none yet."""
    personas = people
    ApplicantProfile.objects.create(user=personas.applicant, facts=dict(PROFILE))
    return personas


@pytest.fixture
def api(people) -> Api:
    callers = {
        persona: Caller(token_create(user=getattr(people, persona)) if persona != "anonymous" else None)
        for persona in PERSONAS
    }
    return Api(**callers)
