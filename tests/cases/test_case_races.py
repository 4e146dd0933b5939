"""Races through the case service itself (PostgreSQL only: SQLite serialises every writer and proves nothing).

Quota 5 and 20 submissions at the same moment → exactly 5 reserved, the other 15 refused as ineligible with U-QUOTA
failing — never another error; the same case submitted twice at once → one submission. Each repeated 20 times.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from tests.cases.conftest import free_slot, ready_cases
from tests.factories import make_ledger, make_open_unit, make_user
from tests.race import run_concurrently
from wrp.accounts.models import Role
from wrp.appointments.models import SlotSettings
from wrp.cases.models import Case
from wrp.cases.services import case_submit
from wrp.core.errors import Ineligible, InvalidState
from wrp.quotas.models import QuotaLedger

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
THREADS = 20
GRANTED = 5


@pytest.fixture(autouse=True)
def _needs_postgresql(frozen_clock):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    SlotSettings.objects.update_or_create(id=1, defaults={"slot_minutes": 60, "capacity": 1000})


def _run_at_once(calls) -> list[str]:
    return [_outcome(result) for result in run_concurrently(calls)]


def _outcome(result) -> str:
    if isinstance(result, Ineligible):
        failing = sorted(c["rule"] for c in result.assessment["zh"]["checks"] if c["outcome"] == "fail")
        return f"ineligible:{','.join(failing)}"
    if isinstance(result, InvalidState):
        return f"invalid_state:{result.state}"
    if isinstance(result, BaseException):  # anything else is a failure of the subject
        return f"{type(result).__name__}: {result}"
    return "submitted"


def test_twenty_simultaneous_submissions_against_a_quota_of_five_reserve_exactly_five():
    figures = []
    for _ in range(ROUNDS):
        handler = make_user(Role.UNIT_HANDLER)
        unit = make_open_unit(handler)
        make_ledger(unit, 2026, granted=GRANTED)
        cases = ready_cases(handler, unit, THREADS)
        slot = free_slot()
        outcomes = Counter(
            _run_at_once([lambda case=case, h=handler, s=slot: case_submit(case=case, actor=h, slot=s) for case in cases])
        )
        assert outcomes == Counter({"submitted": GRANTED, "ineligible:U-QUOTA": THREADS - GRANTED})
        ledger = QuotaLedger.objects.get(unit=unit, year=2026)
        assert (ledger.granted, ledger.reserved, ledger.used) == (GRANTED, GRANTED, 0)
        assert Case.objects.filter(unit=unit, state="submitted").count() == GRANTED
        figures.append(ledger.reserved)
    assert figures == [GRANTED] * ROUNDS


def test_the_same_case_submitted_twice_at_once_is_submitted_once():
    for _ in range(ROUNDS):
        handler = make_user(Role.UNIT_HANDLER)
        unit = make_open_unit(handler)
        make_ledger(unit, 2026, granted=GRANTED)
        (case,) = ready_cases(handler, unit, 1)
        second_handler = make_user(Role.UNIT_HANDLER)
        unit.handlers.add(second_handler)
        slot = free_slot()
        outcomes = Counter(
            _run_at_once([lambda actor=actor, c=case, s=slot: case_submit(case=c, actor=actor, slot=s)
                          for actor in (handler, second_handler)])
        )
        assert outcomes == Counter({"submitted": 1, "invalid_state:submitted": 1})
        assert QuotaLedger.objects.get(unit=unit, year=2026).reserved == 1
        assert case.events.filter(action="submit").count() == 1
