"""Many submissions at the same moment for the last quota units: the row lock lets exactly `granted` through.

Needs PostgreSQL: SQLite serialises every writer anyway, so it proves nothing about row locks.
"""

from collections import Counter

import pytest
from django.db import connection, transaction

from tests.factories import make_ledger, make_unit
from tests.race import run_concurrently
from wrp.core.errors import InvalidState
from wrp.quotas.models import QuotaLedger
from wrp.quotas.services import quota_lock, quota_reserve

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 20
ROUNDS = 20
GRANTED = 5


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def _race(unit, year: int) -> Counter:
    def reserve() -> str:
        with transaction.atomic():
            ledger = quota_lock(unit=unit, year=year)
            quota_reserve(ledger=ledger)
        return "reserved"

    return Counter(_outcome(result) for result in run_concurrently(reserve, THREADS, timeout=60))


def _outcome(result) -> str:
    if isinstance(result, InvalidState):
        return f"InvalidState({result.state})"
    if isinstance(result, BaseException):  # anything else is a failure of the test's subject
        return f"{type(result).__name__}: {result}"
    return result


def test_twenty_simultaneous_reservations_take_exactly_the_five_granted():
    rounds = []
    for number in range(ROUNDS):
        unit = make_unit()
        make_ledger(unit, 2025, granted=GRANTED)
        outcome = _race(unit, 2025)
        ledger = QuotaLedger.objects.get(unit=unit, year=2025)
        rounds.append((number, dict(outcome), ledger.reserved))
        assert outcome == Counter({"reserved": GRANTED, "InvalidState(exhausted)": THREADS - GRANTED}), rounds
        assert (ledger.granted, ledger.reserved, ledger.used) == (GRANTED, GRANTED, 0)
    print(f"\n{ROUNDS} rounds × {THREADS} threads, granted {GRANTED}: {rounds[-1][1]} every round")


def test_simultaneous_first_reservations_without_a_ledger_are_all_refused_cleanly():
    """No ledger yet: the get_or_create race inside quota_lock never escapes as an IntegrityError; every caller is
    refused as exhausted (and each refusal rolls its transaction back, the new ledger row with it)."""
    unit = make_unit()
    outcome = _race(unit, 2026)
    assert outcome == Counter({"InvalidState(exhausted)": THREADS})
    assert QuotaLedger.objects.filter(unit=unit, year=2026).count() == 0
