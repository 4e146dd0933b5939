"""The quota ledger (POLICY §9): reserve on submission, consume on approval, release on rejection or withdrawal;
granted ≥ reserved + used always, by a database constraint."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from tests.factories import make_ledger, make_unit
from wrp.audit.models import AuditEvent
from wrp.core.errors import InvalidState
from wrp.quotas.models import QuotaLedger
from wrp.quotas.selectors import quota_status
from wrp.quotas.services import quota_consume, quota_lock, quota_release, quota_reserve
from wrp.units.models import Penalty


def reserve(unit, year=2025):
    with transaction.atomic():
        ledger = quota_lock(unit=unit, year=year)
        quota_reserve(ledger=ledger)
    return ledger


def counts(unit, year=2025):
    status = quota_status(unit, year)
    return status["granted"], status["reserved"], status["used"], status["remaining"]


def test_quota_lock_creates_a_missing_ledger(people):
    with transaction.atomic():
        ledger = quota_lock(unit=people.unit, year=2025)
    assert (ledger.granted, ledger.reserved, ledger.used) == (0, 0, 0)
    assert QuotaLedger.objects.filter(unit=people.unit, year=2025).count() == 1


@pytest.mark.django_db(transaction=True)
def test_quota_lock_outside_a_transaction_is_a_programming_error():
    unit = make_unit()
    with pytest.raises(AssertionError):
        quota_lock(unit=unit, year=2025)
    with pytest.raises(AssertionError):
        quota_reserve(ledger=make_ledger(unit, 2025, granted=1))


def test_reserve_consume_and_release_keep_the_arithmetic(people):
    make_ledger(people.unit, 2025, granted=3)
    reserve(people.unit)
    reserve(people.unit)
    assert counts(people.unit) == (3, 2, 0, 1)
    quota_consume(unit=people.unit, year=2025)
    assert counts(people.unit) == (3, 1, 1, 1)
    quota_release(unit=people.unit, year=2025)
    assert counts(people.unit) == (3, 0, 1, 2)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["quota.reserve", "quota.reserve", "quota.consume", "quota.release"]


def test_reserve_returns_the_ledger_up_to_date(people):
    make_ledger(people.unit, 2025, granted=2)
    ledger = reserve(people.unit)
    assert (ledger.reserved, ledger.remaining) == (1, 1)


def test_reserving_beyond_the_grant_is_refused_as_exhausted(people):
    make_ledger(people.unit, 2025, granted=1)
    reserve(people.unit)
    with pytest.raises(InvalidState) as refused:
        reserve(people.unit)
    assert refused.value.state == "exhausted"
    assert counts(people.unit) == (1, 1, 0, 0)


def test_a_unit_without_a_ledger_has_nothing_to_reserve(people):
    with pytest.raises(InvalidState) as refused:
        reserve(people.unit)
    assert refused.value.state == "exhausted"


def test_used_units_count_against_the_grant(people):
    make_ledger(people.unit, 2025, granted=2, used=2)
    with pytest.raises(InvalidState):
        reserve(people.unit)


def test_a_stale_ledger_cannot_over_reserve(people):
    """A caller holding an out-of-date ledger object meets the constraint, turned into InvalidState."""
    make_ledger(people.unit, 2025, granted=1)
    with transaction.atomic():
        stale = quota_lock(unit=people.unit, year=2025)
        QuotaLedger.objects.filter(pk=stale.pk).update(reserved=1)  # someone else took the last one
        with pytest.raises(InvalidState) as refused:
            quota_reserve(ledger=stale)
        assert refused.value.state == "exhausted"
        assert QuotaLedger.objects.get(pk=stale.pk).reserved == 1  # the transaction is still usable


def test_the_database_refuses_a_direct_over_reservation(people):
    ledger = make_ledger(people.unit, 2025, granted=2, reserved=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedger.objects.filter(pk=ledger.pk).update(reserved=F("reserved") + 1)
    ledger.refresh_from_db()
    assert ledger.reserved == 2


def test_the_database_refuses_a_grant_below_what_is_taken(people):
    ledger = make_ledger(people.unit, 2025, granted=2, reserved=1, used=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        QuotaLedger.objects.filter(pk=ledger.pk).update(granted=1)


def test_consuming_without_a_reservation_is_refused(people):
    make_ledger(people.unit, 2025, granted=3)
    with pytest.raises(InvalidState) as refused:
        quota_consume(unit=people.unit, year=2025)
    assert refused.value.state == "not_reserved"
    assert counts(people.unit) == (3, 0, 0, 3)


def test_release_never_goes_below_zero(people):
    make_ledger(people.unit, 2025, granted=3)
    quota_release(unit=people.unit, year=2025)
    assert counts(people.unit) == (3, 0, 0, 3)


def test_consume_and_release_use_the_year_of_the_reservation(people):
    make_ledger(people.unit, 2025, granted=1)
    make_ledger(people.unit, 2026, granted=1)
    reserve(people.unit, 2025)
    quota_consume(unit=people.unit, year=2025)
    assert counts(people.unit, 2025) == (1, 0, 1, 0)
    assert counts(people.unit, 2026) == (1, 0, 0, 1)


def test_quota_status_of_a_year_without_a_ledger_is_zeros(people):
    assert quota_status(people.unit, 2030) == {
        "year": 2030, "granted": 0, "reserved": 0, "used": 0, "remaining": 0, "frozen": False}


def test_quota_status_shows_an_active_freeze(people):
    make_ledger(people.unit, 2025, granted=2)
    Penalty.objects.create(unit=people.unit, kind="quota_frozen", reason="r", decided_by=people.approver,
                           decided_at="2025-06-01T00:00Z")
    assert quota_status(people.unit, 2025)["frozen"] is True
    assert quota_status(people.other_unit, 2025)["frozen"] is False
