"""The set-wise expiry sweep (issue 14 §5): keyset batches, one PermitEvent, one audit event and one `permit.expired`
per permit it changes, nothing on a second run, and the audit chain still verifying afterwards."""

from collections import Counter
from datetime import date

import pytest
from django.db import connection

from tests.factories import make_permit, make_unit, make_user
from tests.permits.conftest import TODAY
from tests.race import run_concurrently
from wrp.accounts.models import Role
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record, audit_verify, audited_atomic
from wrp.core import events
from wrp.permits.models import Permit, PermitEvent, PermitStatus
from wrp.permits.services import permits_expire

LAPSED = date(2025, 1, 1)
CONTENT = ("actor_id", "actor_role", "action", "object_type", "outcome", "request_id", "scheme")


def permits(unit, statuses):
    """A permit per status, lapsed when the status is upper case ("VALID"), current otherwise; in id order."""
    made = []
    for status in statuses:
        lapsed = status.isupper()
        made.append(make_permit(make_user(Role.APPLICANT), unit, status=status.lower(), issued_on=date(2022, 1, 1),
                                valid_until=LAPSED if lapsed else date(2027, 1, 1)))
    return made


@pytest.fixture
def heard():
    """The domain events announced (after commit) while the test runs."""
    said: list[tuple[str, dict]] = []

    def hear(event, context):
        said.append((event, context))

    events.subscribe(hear)
    yield said
    events._subscribers.remove(hear)


# Lapsed ones (upper case) at the start, in the middle and at the end, with current and revoked ones between them.
MIX = ["VALID", "valid", "SUSPENDED", "VALID", "revoked", "VALID", "suspended", "REVOKED", "SUSPENDED", "VALID",
       "valid", "VALID"]


@pytest.mark.parametrize("batch", [1, 2, 3, 7, 5000], ids=["one", "two", "three", "seven", "default"])
def test_batches_crossing_their_boundaries_expire_each_due_permit_once(people, settings, batch, heard,
                                                                       django_capture_on_commit_callbacks):
    settings.SWEEP_BATCH_SIZE = batch
    made = permits(make_unit(), MIX)
    due = [permit for permit, status in zip(made, MIX, strict=True) if status in ("VALID", "SUSPENDED")]
    with django_capture_on_commit_callbacks(execute=True):
        assert permits_expire(today=TODAY) == len(due) == 7
    statuses = dict(Permit.objects.values_list("pk", "status"))
    for permit, status in zip(made, MIX, strict=True):
        lapses = status in ("VALID", "SUSPENDED")
        assert statuses[permit.pk] == ("expired" if lapses else status.lower()), status
    assert Counter(PermitEvent.objects.values_list("permit_id", flat=True)) == {permit.pk: 1 for permit in due}
    assert Counter(AuditEvent.objects.filter(action="permit.expired").values_list("object_id", flat=True)) == {
        str(permit.pk): 1 for permit in due}
    assert Counter(context["permit_id"] for event, context in heard if event == "permit.expired") == {
        permit.pk: 1 for permit in due}


def test_the_events_say_what_the_one_permit_services_said(people):
    suspended, valid = permits(people.unit, ["SUSPENDED", "VALID"])
    assert permits_expire(today=TODAY) == 2
    event = PermitEvent.objects.get(permit=suspended)
    assert (event.action, event.from_status, event.to_status, event.actor_id, event.note) == (
        "expired", "suspended", "expired", None, "valid_until 2025-01-01 < 2025-06-10")
    assert PermitEvent.objects.get(permit=valid).from_status == "valid"
    with audited_atomic():  # what audit_record writes for the same change, to hold the sweep's rows against
        expected = audit_record(actor=None, action="permit.expired", obj=suspended,
                                changes={"status": ["suspended", "expired"]})
    for permit, previous in [(suspended, "suspended"), (valid, "valid")]:
        written = AuditEvent.objects.exclude(pk=expected.pk).get(object_id=str(permit.pk))
        assert {field: getattr(written, field) for field in CONTENT} == {
            field: getattr(expected, field) for field in CONTENT}
        assert (written.object_type, written.actor_role, written.changes) == (
            "permits.permit", "system", {"status": [previous, "expired"]})


def test_a_second_run_changes_nothing(people, settings, heard, django_capture_on_commit_callbacks):
    settings.SWEEP_BATCH_SIZE = 2
    permits(make_unit(), ["VALID", "SUSPENDED", "VALID", "valid"])
    assert permits_expire(today=TODAY) == 3
    before = (PermitEvent.objects.count(), AuditEvent.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        assert permits_expire(today=TODAY) == 0
    assert (PermitEvent.objects.count(), AuditEvent.objects.count()) == before
    assert heard == []


def test_a_permit_whose_last_day_is_today_is_not_expired(people):
    last_day = make_permit(people.applicant, people.unit, issued_on=date(2022, 6, 10), valid_until=TODAY)
    assert permits_expire(today=TODAY) == 0
    last_day.refresh_from_db()
    assert last_day.status == PermitStatus.VALID


def test_the_audit_chain_verifies_after_the_sweep(people, settings):
    settings.SWEEP_BATCH_SIZE = 4
    permits(make_unit(), ["VALID"] * 9 + ["SUSPENDED"] * 3)
    assert permits_expire(today=TODAY) == 12
    verification = audit_verify(chain=True)
    assert verification.ok, verification.reason
    assert AuditEvent.objects.filter(action="permit.expired", hash__isnull=False).count() == 12


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_four_sweeps_at_once_in_small_batches_change_each_permit_once(people, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serialises writers and proves nothing)")
    settings.SWEEP_BATCH_SIZE = 7
    unit = make_unit()
    made = permits(unit, ["VALID", "SUSPENDED", "valid"] * 40)
    results = run_concurrently(lambda: permits_expire(today=TODAY), 4)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 80
    lapsed = [permit.pk for permit in made if permit.valid_until == LAPSED]
    assert Counter(PermitEvent.objects.values_list("permit_id", flat=True)) == dict.fromkeys(lapsed, 1)
    assert Counter(AuditEvent.objects.filter(action="permit.expired").values_list("object_id", flat=True)) == {
        str(pk): 1 for pk in lapsed}
    verification = audit_verify(chain=True)
    assert verification.ok, verification.reason
