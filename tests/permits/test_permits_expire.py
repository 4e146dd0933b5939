"""The daily sweep: a permit not renewed by valid_until lapses (POLICY §9)."""

from datetime import date

import pytest
from django.db import connection

from tests.factories import make_permit, make_unit, make_user
from tests.permits.conftest import TODAY
from tests.race import run_concurrently
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.permits.models import PermitEvent, PermitStatus
from wrp.permits.services import permits_expire


def test_valid_and_suspended_permits_past_valid_until_expire(people):
    lapsed = make_permit(people.applicant, people.unit, valid_until=date(2025, 6, 9), issued_on=date(2022, 6, 9))
    suspended = make_permit(people.other_applicant, people.unit, valid_until=date(2025, 1, 1),
                            issued_on=date(2022, 1, 1), status=PermitStatus.SUSPENDED)
    last_day = make_permit(make_user(Role.APPLICANT), people.unit, valid_until=TODAY, issued_on=date(2022, 6, 10))
    revoked = make_permit(make_user(Role.APPLICANT), people.unit, valid_until=date(2024, 1, 1),
                          issued_on=date(2021, 1, 1), status=PermitStatus.REVOKED)
    assert permits_expire(today=TODAY) == 2
    for permit, status in [(lapsed, "expired"), (suspended, "expired"), (last_day, "valid"), (revoked, "revoked")]:
        permit.refresh_from_db()
        assert permit.status == status
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in suspended.events.all()] == [
        ("expired", "suspended", "expired", None)]
    assert AuditEvent.objects.filter(action="permit.expired").count() == 2


def test_the_sweep_is_idempotent(people):
    make_permit(people.applicant, people.unit, valid_until=date(2025, 6, 1), issued_on=date(2022, 6, 1))
    assert permits_expire(today=TODAY) == 1
    assert permits_expire(today=TODAY) == 0
    assert PermitEvent.objects.filter(action="expired").count() == 1


def test_the_sweep_works_through_more_than_one_batch(people):
    unit = make_unit()
    for _ in range(450):
        make_permit(make_user(Role.APPLICANT), unit, valid_until=date(2025, 1, 1), issued_on=date(2022, 1, 1))
    assert permits_expire(today=TODAY) == 450
    assert permits_expire(today=TODAY) == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_expire_each_permit_exactly_once(people):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for _ in range(300):
        make_permit(make_user(Role.APPLICANT), people.unit, valid_until=date(2025, 1, 1), issued_on=date(2022, 1, 1))
    results = run_concurrently(lambda: permits_expire(today=TODAY), 4)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 300
    assert PermitEvent.objects.filter(action="expired").count() == 300
