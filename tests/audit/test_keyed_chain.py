"""The chain is keyed: each hash is an HMAC under the audit key, which is not in the database. A chain recomputed
without the key, or with another, does not verify; events written before the key existed still do."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.audit.conftest import recompute
from wrp.audit.keys import CHAIN, audit_key_from_env, master_key, subkey
from wrp.audit.models import AuditEvent, AuditHead
from wrp.audit.services import GENESIS, _canonical, _unkeyed_content, _unkeyed_digest, audit_record, audit_verify

KEY = bytes(range(32))
KEY_TEXT = base64.b64encode(KEY).decode()


def test_the_key_comes_from_the_environment():
    assert audit_key_from_env(KEY_TEXT, production=True) == KEY


def test_production_refuses_to_start_without_the_key():
    with pytest.raises(ImproperlyConfigured, match="WRP_AUDIT_KEY must be set in production"):
        audit_key_from_env("", production=True)


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"short").decode()], ids=["not-base64", "short"])
def test_a_malformed_key_is_refused(text):
    with pytest.raises(ImproperlyConfigured, match="base64 of 32 random bytes"):
        audit_key_from_env(text, production=False)


def test_outside_production_the_key_is_derived_from_the_secret_key_when_used(settings):
    settings.AUDIT_KEY = None
    settings.SECRET_KEY = "one secret " * 6
    first = master_key()
    settings.SECRET_KEY = "another secret " * 5
    assert master_key() != first
    settings.AUDIT_KEY = KEY
    assert master_key() == KEY


@pytest.mark.django_db
def test_each_event_is_an_hmac_under_the_chain_key_not_a_plain_hash(events):
    first = AuditEvent.objects.get(pk=events[0].pk)
    assert first.scheme == AuditEvent.KEYED
    assert first.hash != _unkeyed_digest(GENESIS, _unkeyed_content(first))
    assert first.hash != hashlib.sha256(_canonical(GENESIS, {})).hexdigest()
    assert len(first.hash) == 64
    assert subkey(CHAIN) not in {bytes.fromhex(event.hash) for event in AuditEvent.objects.all()}


@pytest.mark.django_db
def test_another_key_makes_the_same_trail_fail_at_its_first_event(events, settings):
    settings.AUDIT_KEY = KEY
    result = audit_verify()
    assert (result.broken_at, result.checked) == (events[0].pk, 0)
    assert "another key" in result.reason


@pytest.mark.django_db
def test_the_newest_event_rewritten_without_the_key_is_found_as_unkeyed_after_keyed(events, tampering):
    forged = AuditEvent.objects.get(pk=events[-1].pk)
    forged.outcome, forged.scheme = "refused", None
    digest = _unkeyed_digest(forged.prev_hash, _unkeyed_content(forged))
    tampering("UPDATE audit_auditevent SET outcome = 'refused', scheme = NULL, hash = %s WHERE id = %s",
              [digest, forged.pk])
    tampering("UPDATE audit_audithead SET last_hash = %s WHERE id = 1", [digest])
    result = audit_verify()
    assert result.broken_at == forged.pk
    assert "unkeyed after keyed" in result.reason


@pytest.mark.django_db
def test_a_stretch_recomputed_without_the_key_breaks_the_link_to_the_first_keyed_event_after_it(events, tampering):
    recompute(key=None, tamper=tampering, change={events[1].pk: {"outcome": "refused"}})
    keyed_again = [events[3].pk, events[4].pk]
    tampering("UPDATE audit_auditevent SET scheme = 1, prev_hash = %s, hash = %s WHERE id = %s",
              [events[2].hash, events[3].hash, keyed_again[0]])  # the keyed events as they were: not recomputable
    tampering("UPDATE audit_auditevent SET scheme = 1, prev_hash = %s, hash = %s WHERE id = %s",
              [events[3].hash, events[4].hash, keyed_again[1]])
    result = audit_verify()
    assert result.broken_at == events[3].pk
    assert "prev_hash mismatch" in result.reason


@pytest.mark.django_db
def test_a_chain_recomputed_with_a_guessed_key_is_found_at_its_first_event(events, tampering):
    recompute(key=b"\x01" * 32, tamper=tampering, change={events[3].pk: {"actor_role": "admin"}})
    result = audit_verify()
    assert result.broken_at == events[0].pk
    assert "hash mismatch" in result.reason


@pytest.mark.django_db
def test_events_of_an_earlier_version_verify_and_the_key_takes_over_after_them(tampering):
    """A database of an earlier version: unkeyed events (no scheme), then the new version's keyed ones."""
    old = [audit_record(actor=None, action=f"test.old{n}", object_type="test.thing", object_id=str(n)) for n in (1, 2)]
    recompute(key=None, tamper=tampering)
    new = audit_record(actor=None, action="test.new", object_type="test.thing", object_id="3")
    schemes = dict(AuditEvent.objects.values_list("id", "scheme"))
    assert schemes == {old[0].pk: None, old[1].pk: None, new.pk: AuditEvent.KEYED}
    result = audit_verify(chain=True)  # as `wrp audit verify`: the new event is chained first
    assert (result.ok, result.checked) == (True, 3)
    assert AuditHead.objects.get().count == 3
