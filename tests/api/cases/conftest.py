"""Case API tests: the personas of tests/factories.py with bearer tokens, a frozen today (2026-11-26 10:00 in
Beijing), complete applicant profiles, quota for the unit, and a private directory for stored files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.cache import cache

from tests.api.cases.support import NOW, PERSONAS, TODAY, Api, Caller
from tests.cases.conftest import PROFILE
from tests.factories import Personas, make_association, make_ledger, make_personas
from wrp.accounts.models import ApplicantProfile
from wrp.accounts.services import token_create


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every test stores its files in a private directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The failed-token counter lives in the cache: no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today() -> Iterator[date]:
    with time_machine.travel(NOW, tick=False):
        yield TODAY


@pytest.fixture
def people(db, today) -> Personas:
    """The personas; `applicant` and `other_applicant` have complete profiles, `applicant` is actively associated
    with `unit`, which has 3 quota units for 2026."""
    personas = make_personas()
    ApplicantProfile.objects.create(user=personas.applicant, facts=dict(PROFILE))
    ApplicantProfile.objects.create(user=personas.other_applicant, facts=dict(PROFILE))
    make_association(personas.applicant, personas.unit)
    make_ledger(personas.unit, TODAY.year, granted=3)
    return personas


@pytest.fixture
def api(people) -> Api:
    callers = {
        persona: Caller(token_create(user=getattr(people, persona)) if persona != "anonymous" else None)
        for persona in PERSONAS
    }
    return Api(**callers)


