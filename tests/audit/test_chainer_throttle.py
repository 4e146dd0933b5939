"""The after-commit chainer, throttled (issue 14 §4): a process chains at most once per AUDIT_CHAIN_INTERVAL_MS — the
first commit after a quiet moment at once, the commits within the interval together in one deferred run at its end,
or at once when AUDIT_CHAIN_PENDING events wait — and the batch hashing gives the same hashes as event by event."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest

from wrp.audit import chainer
from wrp.audit.hashing import GENESIS, _content, _digest, chain_digests
from wrp.audit.keys import CHAIN, subkey
from wrp.audit.models import AuditEvent
from wrp.audit.services import audit_record, audit_verify, audited_atomic


@pytest.fixture
def throttle(settings, monkeypatch):
    """A long interval, a fresh throttle, and the deferred runs asked for counted instead of started."""
    settings.AUDIT_CHAIN_INTERVAL_MS = 60_000
    settings.AUDIT_CHAIN_PENDING = 1000
    monkeypatch.setitem(chainer._throttle, "started", float("-inf"))
    monkeypatch.setitem(chainer._throttle, "waiting", 0)
    deferred: list[int] = []
    monkeypatch.setattr(chainer, "_defer", lambda: deferred.append(1))
    return deferred


def write(django_capture_on_commit_callbacks, *names: str) -> list[AuditEvent]:
    """One committed audited transaction with an event per name."""
    with django_capture_on_commit_callbacks(execute=True), audited_atomic():
        return [
            audit_record(actor=None, action=f"test.{name}", object_type="test.thing", object_id=name) for name in names
        ]


def unchained() -> set[str]:
    return set(AuditEvent.objects.filter(hash__isnull=True).values_list("object_id", flat=True))


@pytest.mark.django_db
def test_commits_within_the_interval_are_chained_together_by_the_deferred_run(
    throttle, django_capture_on_commit_callbacks
):
    write(django_capture_on_commit_callbacks, "first")
    assert unchained() == set()  # the first commit after a quiet moment: at once
    assert throttle == []
    write(django_capture_on_commit_callbacks, "second")
    write(django_capture_on_commit_callbacks, "third", "fourth")
    assert unchained() == {"second", "third", "fourth"}  # within the interval: left to the deferred run
    assert len(throttle) == 2
    assert audit_verify().ok  # what is chained verifies; the rest waits
    chainer._chain_rounds()  # the deferred run (its thread's body, at the end of the interval)
    assert unchained() == set()
    result = audit_verify()
    assert (result.ok, result.checked, result.unchained) == (True, 4, 0)


@pytest.mark.django_db
def test_enough_waiting_events_are_chained_at_once(throttle, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_CHAIN_PENDING = 3
    write(django_capture_on_commit_callbacks, "first")
    write(django_capture_on_commit_callbacks, "second")
    assert unchained() == {"second"}
    write(django_capture_on_commit_callbacks, "third", "fourth")  # 3 events of this process wait: chained now
    assert unchained() == set()
    assert len(throttle) == 1


@pytest.mark.django_db
def test_without_an_interval_every_commit_chains(throttle, settings, django_capture_on_commit_callbacks):
    settings.AUDIT_CHAIN_INTERVAL_MS = 0
    for name in ("first", "second", "third"):
        write(django_capture_on_commit_callbacks, name)
        assert unchained() == set()
    assert throttle == []


@pytest.mark.django_db(transaction=True)
def test_the_deferred_thread_chains_what_the_throttled_commits_left(settings, monkeypatch):
    """The real deferred run: its own thread and connection, after the interval, once for several commits."""
    settings.AUDIT_CHAIN_INTERVAL_MS = 1000
    monkeypatch.setitem(chainer._throttle, "started", float("-inf"))
    monkeypatch.setitem(chainer._throttle, "waiting", 0)
    runs: list[str] = []
    done = threading.Event()
    rounds = chainer._chain_rounds

    def counted() -> None:
        rounds()
        runs.append(threading.current_thread().name)
        if threading.current_thread().name == "wrp-audit-chainer":
            done.set()

    monkeypatch.setattr(chainer, "_chain_rounds", counted)
    started = time.monotonic()
    for name in ("first", "second", "third"):
        with audited_atomic():
            audit_record(actor=None, action=f"test.{name}", object_type="test.thing", object_id=name)
    if time.monotonic() - started >= 1:
        pytest.skip("the machine took longer than the interval for three commits: nothing was deferred")
    assert runs == ["MainThread"]  # only the first commit chained in its own thread
    assert done.wait(timeout=30)
    assert runs == ["MainThread", "wrp-audit-chainer"]
    result = audit_verify()
    assert (result.ok, result.checked, result.unchained) == (True, 3, 0)


def test_the_batch_hashes_are_the_event_by_event_hashes():
    key = subkey(CHAIN)
    at = datetime(2026, 11, 26, 2, 0, 0, 123456, tzinfo=UTC)
    events = [
        AuditEvent(
            at=at,
            actor_id=None,
            actor_role="system",
            action="permit.expired",
            object_type="permits.permit",
            object_id="7",
            outcome="ok",
            request_id="",
            changes={"status": ["valid", "expired"]},
            scheme=1,
        ),
        AuditEvent(
            at=at,
            actor_id=42,
            actor_role="window_clerk",
            action="case.returned",
            object_type="cases.case",
            object_id="CY2026-0001",
            outcome="refused",
            request_id="r" * 32,
            changes={"备注": "已退回", "nested": {"b": [1, 2.5, None], "a": True}},
            scheme=1,
        ),
        AuditEvent(
            at=at,
            actor_id=3,
            actor_role="applicant",
            action="legacy",
            object_type="x",
            object_id="\ufffd",
            outcome="ok",
            request_id="",
            changes={},
            scheme=None,
        ),
    ]
    expected, previous = [], GENESIS
    for event in events:
        previous = _digest(previous, _content(event), key)
        expected.append(previous)
    rows = [[getattr(event, field) for field in chainer.CONTENT_FIELDS] for event in events]
    assert chain_digests(GENESIS, rows, key) == expected
