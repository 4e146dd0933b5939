"""Reserve, consume and release as one conditional `UPDATE … RETURNING` each (issue 14 §4): no SELECT of the ledger,
no SELECT … FOR UPDATE; the condition refuses what the constraint would, and nothing is written when it does."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import make_ledger, make_unit
from tests.race import run_concurrently
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record, audited_atomic
from wrp.core.errors import InvalidState
from wrp.quotas.models import QuotaLedger
from wrp.quotas.services import quota_consume, quota_release, quota_reserve_if_left

LEDGER = QuotaLedger._meta.db_table


def ledger_statements(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries if LEDGER in query["sql"]]


def counts(unit, year=2025) -> tuple[int, int, int]:
    ledger = QuotaLedger.objects.get(unit=unit, year=year)
    return ledger.granted, ledger.reserved, ledger.used


def test_a_reservation_is_one_update_of_the_ledger(people):
    make_ledger(people.unit, 2025, granted=3, reserved=1)
    with CaptureQueriesContext(connection) as context:
        ledger = quota_reserve_if_left(unit=people.unit, year=2025, actor=people.handler)
    (statement,) = ledger_statements(context)
    assert re.match(r"(WITH CHANGED AS \()?UPDATE", statement.lstrip().upper())
    assert "RETURNING" in statement.upper()
    assert "FOR UPDATE" not in " ".join(query["sql"] for query in context.captured_queries).upper()
    assert ledger is not None
    assert (ledger.granted, ledger.reserved, ledger.used, ledger.remaining) == (3, 2, 0, 1)
    assert counts(people.unit) == (3, 2, 0)
    event = AuditEvent.objects.get(action="quota.reserve")
    assert (event.actor_id, event.object_id, event.changes) == (people.handler.pk, str(ledger.pk), {"reserved": [1, 2]})


def test_nothing_left_is_none_and_writes_nothing(people):
    make_ledger(people.unit, 2025, granted=2, reserved=1, used=1)
    assert quota_reserve_if_left(unit=people.unit, year=2025) is None
    assert counts(people.unit) == (2, 1, 1)
    assert not AuditEvent.objects.filter(action="quota.reserve").exists()


def test_a_unit_without_a_ledger_gets_none_and_no_ledger(people):
    assert quota_reserve_if_left(unit=people.unit, year=2025) is None
    assert not QuotaLedger.objects.filter(unit=people.unit).exists()


def test_a_refusal_later_in_the_callers_transaction_rolls_the_reservation_back(people):
    make_ledger(people.unit, 2025, granted=1)
    def reserve_then_refuse() -> None:
        with transaction.atomic():
            assert quota_reserve_if_left(unit=people.unit, year=2025) is not None
            raise RuntimeError("the assessment refused")

    with pytest.raises(RuntimeError):
        reserve_then_refuse()
    assert counts(people.unit) == (1, 0, 0)
    assert not AuditEvent.objects.filter(action="quota.reserve").exists()


def test_consume_and_release_are_one_update_each(people):
    make_ledger(people.unit, 2025, granted=3, reserved=2)
    with CaptureQueriesContext(connection) as consumed:
        quota_consume(unit=people.unit, year=2025)
    with CaptureQueriesContext(connection) as released:
        quota_release(unit=people.unit, year=2025)
    assert len(ledger_statements(consumed)) == len(ledger_statements(released)) == 1
    assert counts(people.unit) == (3, 0, 1)
    events = AuditEvent.objects.filter(action__in=["quota.consume", "quota.release"])
    changes = dict(events.values_list("action", "changes"))
    assert changes == {"quota.consume": {"reserved": [2, 1], "used": [0, 1]}, "quota.release": {"reserved": [1, 0]}}


def test_a_refused_consumption_leaves_the_callers_transaction_usable(people):
    make_ledger(people.unit, 2025, granted=3)
    with transaction.atomic():
        with pytest.raises(InvalidState) as refused:
            quota_consume(unit=people.unit, year=2025)
        assert refused.value.state == "not_reserved"
        assert counts(people.unit) == (3, 0, 0)  # still usable: nothing failed in the database
    assert counts(people.unit) == (3, 0, 0)


def test_releasing_without_a_ledger_creates_none(people):
    quota_release(unit=people.unit, year=2025)
    assert not QuotaLedger.objects.filter(unit=people.unit).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_single_statement_reservations_take_exactly_the_five_granted():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serialises every writer)")
    for _ in range(10):
        unit = make_unit()
        make_ledger(unit, 2025, granted=5)
        results = run_concurrently(lambda unit=unit: quota_reserve_if_left(unit=unit, year=2025), 20, timeout=60)
        outcome = Counter("none" if result is None else type(result).__name__ for result in results)
        assert outcome == Counter({"QuotaLedger": 5, "none": 15})
        assert counts(unit) == (5, 5, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the data-modifying CTE is PostgreSQL's")
def test_on_postgresql_a_reservation_and_its_audit_event_are_one_statement(people):
    """Outside a transaction the statement is its own: one round trip to the database for the change and its record."""
    make_ledger(people.unit, 2025, granted=3)
    with CaptureQueriesContext(connection) as context:
        quota_reserve_if_left(unit=people.unit, year=2025, actor=people.handler)
    statements = [query["sql"] for query in context.captured_queries]
    assert len([sql for sql in statements if "audit_auditevent" in sql or LEDGER in sql]) == 1
    assert "INSERT INTO" in statements[0]
    assert LEDGER in statements[0]
    event = AuditEvent.objects.get(action="quota.reserve")
    assert (event.actor_role, event.object_type, event.changes) == (people.handler.role, "quotas.quotaledger",
                                                                     {"reserved": [0, 1]})


def test_in_an_audited_block_the_reservation_joins_its_events_in_order(people):
    """The block's events go in together at its end: the reservation's is recorded with them, in the order they
    happened (ids and times agree)."""
    make_ledger(people.unit, 2025, granted=3)
    with audited_atomic():
        audit_record(actor=people.handler, action="test.before", object_type="test.thing", object_id="1")
        quota_reserve_if_left(unit=people.unit, year=2025, actor=people.handler)
        audit_record(actor=people.handler, action="test.after", object_type="test.thing", object_id="2")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "at"))
    assert [action for action, _at in events] == ["test.before", "quota.reserve", "test.after"]
    assert [at for _action, at in events] == sorted(at for _action, at in events)
