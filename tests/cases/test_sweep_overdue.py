"""The sweep's overdue marks, set-wise (issue 14 §5): candidates pre-filtered by due date in keyset batches, each
decided by the case clock (working days, pauses) exactly as `clock.view` decides, one audit event per case marked."""

import secrets
from collections import Counter
from datetime import date

import pytest
from django.db import connection

from tests.race import run_concurrently
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record, audit_verify, audited_atomic
from wrp.cases import clock
from wrp.cases.models import Case
from wrp.cases.sweep import _mark_overdue

SUNDAY = date(2026, 11, 29)  # the sweep's day: no working day since Friday
# (state, due_on, days_left_at_pause): what each case's clock says on SUNDAY decides, not its due date alone.
SHAPES = [
    ("in_review", date(2026, 11, 20), None),  # overdue
    ("submitted", date(2026, 11, 27), None),  # due on Friday: no working day has passed since
    ("in_review", date(2026, 11, 28), None),  # due on Saturday: likewise
    ("pending_approval", date(2026, 11, 2), None),  # overdue
    ("in_review", date(2026, 11, 10), 3),  # the clock stands at 3 days left: not overdue
    ("returned", date(2026, 11, 2), 2),  # returned: the clock stops, not a candidate
    ("approved", date(2026, 11, 2), None),  # decided: not a candidate
    ("in_review", date(2026, 12, 10), None),  # due later
    ("submitted", date(2026, 10, 30), None),  # overdue
]


def cases(people, shapes):
    made = []
    for state, due_on, days_left in shapes:
        made.append(Case.objects.create(
            public_id=f"T{secrets.token_hex(6)}", kind="renewal", unit=people.unit, applicant=people.applicant,
            created_by=people.handler, state=state, time_limit=20, accepted_on=date(2026, 10, 1), due_on=due_on,
            days_left_at_pause=days_left, paused_on=date(2026, 11, 5) if days_left is not None else None,
        ))
    return made


def overdue_by_the_clock(made):
    return {case.pk for case in made
            if case.state in ("submitted", "in_review", "pending_approval") and clock.view(case, today=SUNDAY).overdue}


@pytest.mark.parametrize("batch", [1, 2, 4, 5000], ids=["one", "two", "four", "default"])
def test_batches_mark_exactly_the_cases_the_clock_calls_overdue(people, settings, batch):
    settings.SWEEP_BATCH_SIZE = batch
    made = cases(people, SHAPES * 2)
    expected = overdue_by_the_clock(made)
    assert len(expected) == 6  # 3 of each copy; the weekend and the paused ones are candidates the clock lets go
    assert _mark_overdue(SUNDAY) == 6
    assert set(Case.objects.filter(overdue=True).values_list("pk", flat=True)) == expected
    assert Counter(AuditEvent.objects.filter(action="case.overdue").values_list("object_id", flat=True)) == {
        str(pk): 1 for pk in expected}


def test_the_audit_event_is_what_audit_record_wrote(people):
    (case,) = cases(people, SHAPES[:1])
    assert _mark_overdue(SUNDAY) == 1
    written = AuditEvent.objects.get(action="case.overdue")
    with audited_atomic():
        expected = audit_record(actor=None, action="case.overdue", obj=case, changes={"overdue": [False, True]})
    fields = ("actor_id", "actor_role", "action", "object_type", "object_id", "outcome", "request_id", "changes",
              "scheme")
    assert {field: getattr(written, field) for field in fields} == {field: getattr(expected, field) for field in fields}
    assert (written.object_type, written.actor_role) == ("cases.case", "system")


def test_a_second_run_marks_nothing_and_the_chain_verifies(people, settings):
    settings.SWEEP_BATCH_SIZE = 3
    cases(people, SHAPES)
    assert _mark_overdue(SUNDAY) == 3
    before = AuditEvent.objects.count()
    assert _mark_overdue(SUNDAY) == 0
    assert AuditEvent.objects.count() == before
    verification = audit_verify(chain=True)
    assert verification.ok, verification.reason


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_four_runs_at_once_mark_each_case_once(people, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serialises writers and proves nothing)")
    settings.SWEEP_BATCH_SIZE = 3
    made = cases(people, SHAPES * 5)
    expected = overdue_by_the_clock(made)
    results = run_concurrently(lambda: _mark_overdue(SUNDAY), 4)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == len(expected) == 15
    assert Counter(AuditEvent.objects.filter(action="case.overdue").values_list("object_id", flat=True)) == {
        str(pk): 1 for pk in expected}
    verification = audit_verify(chain=True)
    assert verification.ok, verification.reason
