"""Audited writes take no lock: the events of a transaction are inserted in one statement, and the chainer alone (one
at a time, after commit) gives them their place, link and keyed hash. What is chained still verifies, and tampering
with the chain columns is still refused or found."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.audit.conftest import refused_by_the_database
from tests.factories import make_user
from wrp.accounts.models import Role
from wrp.audit import services
from wrp.audit.anchors import audit_anchor
from wrp.audit.models import AuditEvent, AuditHead
from wrp.audit.services import (
    AUDIT_CONTENT_COLUMNS,
    audit_chain,
    audit_chain_on_commit,
    audit_note,
    audit_record,
    audit_verify,
    audited_atomic,
)

pytestmark = pytest.mark.django_db


def record(n: int) -> AuditEvent:
    return audit_record(actor=None, action="test.write", object_type="test.thing", object_id=str(n))


def test_the_events_of_a_transaction_are_inserted_in_one_statement_without_touching_the_head():
    with CaptureQueriesContext(connection) as queries, audited_atomic():
        for n in range(3):
            record(n)
    statements = [query["sql"] for query in queries.captured_queries]
    assert sum(sql.startswith('INSERT INTO "audit_auditevent"') for sql in statements) == 1
    assert not [sql for sql in statements if "audit_audithead" in sql or "FOR UPDATE" in sql]
    assert AuditEvent.objects.filter(hash__isnull=True).count() == 3  # waiting for the chainer


def test_the_events_are_chained_once_their_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with audited_atomic():
            first, second = record(1), record(2)
        assert AuditEvent.objects.get(pk=first.pk).hash is None  # not before the commit
    chain = list(AuditEvent.objects.order_by("seq").values_list("id", "seq"))
    assert chain == [(first.pk, 1), (second.pk, 2)]
    assert (audit_verify().checked, audit_verify().unchained) == (2, 0)


def test_the_chainer_is_idempotent():
    for n in range(5):
        record(n)
    assert audit_chain() == 5
    before = list(AuditEvent.objects.order_by("seq").values_list("id", "seq", "prev_hash", "hash"))
    assert audit_chain() == 0
    assert list(AuditEvent.objects.order_by("seq").values_list("id", "seq", "prev_hash", "hash")) == before
    assert AuditHead.objects.get().count == 5


def test_the_chainer_chains_in_batches_and_up_to_a_limit():
    for n in range(7):
        record(n)
    assert audit_chain(limit=4, batch=3) == 4
    assert audit_verify().unchained == 3
    assert audit_chain(batch=2) == 3
    result = audit_verify()
    assert (result.ok, result.checked, result.unchained) == (True, 7, 0)


def test_rows_inserted_with_the_content_columns_alone_are_chained(django_capture_on_commit_callbacks):
    """The sweep's INSERT … SELECT fills AUDIT_CONTENT_COLUMNS and wakes the chainer."""
    columns = ", ".join(AUDIT_CONTENT_COLUMNS)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO audit_auditevent ({columns}) VALUES (%s, NULL, 'system', 'test.raw', 'test.thing', '1', "
            "'ok', '', %s, 1)", [record(0).at, '{"status": ["valid", "expired"]}'])
        audit_chain_on_commit()
    assert list(AuditEvent.objects.order_by("seq").values_list("action", "seq")) == [("test.write", 1),
                                                                                     ("test.raw", 2)]
    assert audit_verify().ok


def test_verify_on_the_command_line_chains_first():
    for n in range(3):
        record(n)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().strip() == "audit chain intact: 3 events"
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()


def test_an_anchor_names_the_events_it_chained_first(anchor_file):
    written = [record(n) for n in range(2)]
    anchor = audit_anchor()
    assert (anchor.count, anchor.last_id) == (2, written[-1].pk)


def test_events_the_chainer_cannot_chain_are_a_problem_once_they_are_old(monkeypatch, frozen_clock):
    record(1)
    monkeypatch.setattr(services, "audit_chain", lambda *args, **kwargs: 0)  # a chainer that does nothing
    assert audit_verify(chain=True).ok  # a moment old: waiting is normal
    frozen_clock.shift(services.UNCHAINED_GRACE * 2)
    result = audit_verify(chain=True)
    assert (result.ok, "not chained" in result.reason) == (False, True)


# --- the triggers: the chain columns are set once, from empty, and nothing else changes ---------------------------


def test_the_content_of_an_event_waiting_for_the_chain_cannot_change():
    event = record(1)
    assert refused_by_the_database("UPDATE audit_auditevent SET outcome = 'refused' WHERE id = %s", [event.pk])
    assert refused_by_the_database(
        "UPDATE audit_auditevent SET seq = 1, prev_hash = %s, hash = %s, action = 'test.other' WHERE id = %s",
        ["0" * 64, "a" * 64, event.pk])
    assert refused_by_the_database("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_the_chain_columns_are_set_all_at_once_and_never_again():
    event = record(1)
    assert refused_by_the_database("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["a" * 64, event.pk])
    audit_chain()
    chained = AuditEvent.objects.get(pk=event.pk)
    for sql, params in [
        ("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["b" * 64, event.pk]),
        ("UPDATE audit_auditevent SET seq = 99 WHERE id = %s", [event.pk]),
        ("UPDATE audit_auditevent SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id = %s", [event.pk]),
    ]:
        assert refused_by_the_database(sql, params), sql
    assert AuditEvent.objects.get(pk=event.pk).hash == chained.hash


def test_a_changed_link_is_found(events, tampering):
    tampering("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["e" * 64, events[2].pk])
    result = audit_verify()
    assert (result.broken_at, "prev_hash mismatch" in result.reason) == (events[2].pk, True)


def test_events_swapped_in_the_chain_order_are_found(events, tampering):
    tampering("UPDATE audit_auditevent SET seq = seq + 100000 WHERE id IN (%s, %s)", [events[1].pk, events[2].pk])
    tampering("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [events[1].seq, events[2].pk])
    tampering("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [events[2].seq, events[1].pk])
    result = audit_verify()
    assert (result.broken_at, "prev_hash mismatch" in result.reason) == (events[2].pk, True)


def test_an_event_taken_out_of_the_chain_and_rewritten_is_found_by_the_anchor(events, tampering):
    """An intruder empties the newest event's chain columns, rewinds the head and changes the event, so that the chainer
    chains the changed event anew: the anchor taken before holds the event with its old hash."""
    audit_anchor()
    tampering("UPDATE audit_auditevent SET seq = NULL, prev_hash = NULL, hash = NULL, outcome = 'refused' "
              "WHERE id = %s", [events[-1].pk])
    tampering("UPDATE audit_audithead SET last_hash = %s, count = 4 WHERE id = 1", [events[-2].hash])
    assert audit_chain() == 1
    result = audit_verify()
    assert (result.broken_at, "anchor mismatch" in result.reason) == (events[-1].pk, True)


def test_a_sign_in_note_is_inserted_without_the_chain():
    with CaptureQueriesContext(connection) as queries:
        audit_note(actor=None, actor_role="anonymous", action="auth.login_failed", object_type="accounts.user",
                   object_id="someone", outcome="refused")
    assert not [query["sql"] for query in queries.captured_queries if "audit_audithead" in query["sql"]]


def test_the_admin_shows_events_before_and_after_they_are_chained(client):
    client.force_login(make_user(Role.ADMIN, "root"))
    waiting = record(1)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_change", args=[waiting.pk])).status_code == 200
    audit_chain()
    page = client.get(reverse("admin:audit_auditevent_change", args=[waiting.pk]))
    assert page.status_code == 200
    assert AuditEvent.objects.get(pk=waiting.pk).hash in page.content.decode()
