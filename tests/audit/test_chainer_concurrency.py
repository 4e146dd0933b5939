"""On PostgreSQL, with real concurrent transactions: audited writers do not queue on one row, an event whose transaction
commits late is chained after the ones that committed before it, a note does not wait for a busy chainer, and chainers
running at once make one chain. Threads meet at barriers (their timeout only turns a hang into a failure)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from wrp.audit.models import AuditEvent, AuditHead
from wrp.audit.services import audit_chain, audit_note, audit_record, audit_verify, audited_atomic

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks between concurrent transactions need PostgreSQL (DATABASE_URL=postgres://…)"),
]
GUARD = 60  # seconds a barrier waits before the test fails instead of hanging


def record(name: str) -> AuditEvent:
    return audit_record(actor=None, action="test.concurrent", object_type="test.thing", object_id=name)


class Worker(threading.Thread):
    """A thread with its own database connection; what it raised is raised again by `result()`."""

    def __init__(self, target: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._target_fn, self.value, self.error = target, None, None

    def run(self) -> None:
        try:
            self.value = self._target_fn()
        except BaseException as error:  # handed back to the test
            self.error = error
        finally:
            connections.close_all()

    def result(self) -> Any:
        self.join(GUARD)
        assert not self.is_alive(), "the thread hangs"
        if self.error is not None:
            raise self.error
        return self.value


@pytest.fixture
def lock_timeout() -> Iterator[None]:
    """The test's own connection fails instead of waiting on a row lock for long."""
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '20s'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def test_two_audited_transactions_both_insert_while_the_other_is_still_open():
    """Under the old head-row lock the second writer waited for the first to commit: neither reached the barrier."""
    both_inserted = threading.Barrier(2, timeout=GUARD)
    assert not connection.in_atomic_block

    def writer(name: str) -> int:
        with transaction.atomic():
            with audited_atomic():
                event = record(name)
            both_inserted.wait()  # each holds its transaction open with its event inserted
        return event.pk

    workers = [Worker(lambda name=name: writer(name)) for name in ("a", "b")]
    for worker in workers:
        worker.start()
    ids = [worker.result() for worker in workers]
    assert AuditEvent.objects.filter(pk__in=ids).count() == 2
    # Both chained after their commits, whichever chainer skipped: the other looked again once it let the lock go.
    result = audit_verify()
    assert (result.ok, result.checked, result.unchained) == (True, 2, 0)


def test_an_event_whose_transaction_commits_late_is_chained_after_the_ones_before_it():
    inserted, go_on = threading.Event(), threading.Event()

    def slow() -> int:
        with transaction.atomic():
            event = record("late")  # inserted now (outside an audited block): the lower id
            inserted.set()
            assert go_on.wait(GUARD)
        return event.pk

    late = Worker(slow)
    late.start()
    assert inserted.wait(GUARD)
    early = record("early")  # committed at once, and chained after its commit
    assert AuditEvent.objects.get(pk=early.pk).seq == 1
    go_on.set()
    late_id = late.result()
    assert late_id < early.pk
    late_event = AuditEvent.objects.get(pk=late_id)
    assert (late_event.seq, late_event.prev_hash) == (2, AuditEvent.objects.get(pk=early.pk).hash)
    record("after")  # the chain goes on from the late event
    result = audit_verify()
    assert (result.ok, result.checked, result.unchained) == (True, 3, 0)


def test_a_note_does_not_wait_for_a_chainer_that_holds_the_lock(lock_timeout, caplog):
    record("first")  # the head row exists, the chain has one event
    locked, release = threading.Event(), threading.Event()

    def busy_chainer() -> None:
        with transaction.atomic():
            AuditHead.objects.select_for_update().get(id=1)
            locked.set()
            assert release.wait(GUARD)

    chainer = Worker(busy_chainer)
    chainer.start()
    assert locked.wait(GUARD)
    note = audit_note(actor=None, actor_role="anonymous", action="auth.login_failed", object_type="accounts.user",
                      object_id="someone", outcome="refused")
    assert AuditEvent.objects.get(pk=note.pk).hash is None  # the chainer was busy: skipped, not waited for
    assert "audit chainer failed" not in caplog.text
    release.set()
    chainer.result()
    assert audit_chain() == 1
    assert audit_verify().checked == 2


def test_chainers_running_at_once_make_one_chain():
    now = timezone.now()
    AuditEvent.objects.bulk_create(  # rows no after-commit chainer was asked to chain
        AuditEvent(at=now, action="test.bulk", object_type="test.thing", object_id=str(n)) for n in range(41))
    start = threading.Barrier(4, timeout=GUARD)

    def chainer(wait: bool) -> int:
        start.wait()
        return audit_chain(wait=wait, batch=3)

    workers = [Worker(lambda wait=wait: chainer(wait)) for wait in (True, True, False, False)]
    for worker in workers:
        worker.start()
    chained = sum(worker.result() for worker in workers)
    assert chained == AuditEvent.objects.count() == 41
    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 42))
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 41)
