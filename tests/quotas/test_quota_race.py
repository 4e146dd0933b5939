"""Many submissions at the same moment for the last quota units: the row lock lets exactly `granted` through.

Needs PostgreSQL: SQLite serialises every writer anyway, so it proves nothing about row locks.
"""

import threading
from collections import Counter

import pytest
from django.db import connection, connections, transaction

from tests.factories import make_ledger, make_unit
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
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                ledger = quota_lock(unit=unit, year=year)
                quota_reserve(ledger=ledger)
            outcomes.append("reserved")
        except InvalidState as refused:
            outcomes.append(f"InvalidState({refused.state})")
        except Exception as error:  # anything else is a failure of the test's subject
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return Counter(outcomes)


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
