"""Case API tests: the personas of tests/api/conftest.py with bearer tokens (their own `Caller`), complete applicant
profiles, quota for the unit, and a private directory for stored files; the frozen day is tests/conftest.py's."""

from __future__ import annotations

import pytest

from tests.api.cases.support import PERSONAS, TODAY, Api, Caller
from tests.cases.conftest import PROFILE
from tests.factories import Personas, make_association, make_ledger
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import token_create


@pytest.fixture(autouse=True)
def _every_test_has_private_media(private_media):
    """Every test stores its files in a private directory of its own (tests/conftest.py)."""
    return private_media


@pytest.fixture
def people(people) -> Personas:
    """The personas of tests/api/conftest.py (`applicant` with a complete profile), `other_applicant` with one too;
    `applicant` is actively associated with `unit`, which has 3 quota units for 2026."""
    ApplicantProfile.objects.create(user=people.other_applicant, facts=dict(PROFILE))
    make_association(people.applicant, people.unit)
    make_ledger(people.unit, TODAY.year, granted=3)
    return people


@pytest.fixture
def api(people) -> Api:
    callers = {
        persona: Caller(token_create(user=getattr(people, persona)) if persona != "anonymous" else None)
        for persona in PERSONAS
    }
    return Api(**callers)


