"""Bearer tokens: shown once, kept only as a hash, refused once revoked or when the user is deactivated."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from wrp.accounts.models import ApiToken, User
from wrp.accounts.services import token_create, token_revoke, user_for_token, user_update
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def test_token_is_returned_once_and_stored_only_as_its_hash(handler):
    raw = token_create(user=handler)
    token = ApiToken.objects.get(user=handler)
    assert raw.startswith("wrp_")
    assert len(raw) >= 40
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:8]
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert not any(raw in value or raw[8:] in value for value in stored)


def test_each_token_is_different(handler):
    assert token_create(user=handler) != token_create(user=handler)


def test_token_identifies_its_user(handler, applicant):
    raw = token_create(user=handler)
    token_create(user=applicant)
    assert user_for_token(raw) == handler


@pytest.mark.parametrize("raw", ["", "wrp_", "wrp_unknown-token-value", "Bearer x", "x" * 60],
                         ids=["empty", "prefix-only", "unknown", "not-ours", "long"])
def test_unknown_token_is_refused(handler, raw):
    token_create(user=handler)
    assert user_for_token(raw) is None


def test_revoked_token_is_refused(handler, administrator):
    raw = token_create(user=handler)
    token = ApiToken.objects.get(user=handler)
    token_revoke(token_obj=token, actor=administrator)
    assert token.revoked_at is not None
    assert user_for_token(raw) is None
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_revoking_twice_records_once(handler):
    token_create(user=handler)
    token = ApiToken.objects.get(user=handler)
    token_revoke(token_obj=token, actor=handler)
    token_revoke(token_obj=token, actor=handler)
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1


def test_another_user_cannot_revoke_a_token(handler, clerk):
    token_create(user=handler)
    with pytest.raises(Forbidden):
        token_revoke(token_obj=ApiToken.objects.get(user=handler), actor=clerk)
    assert ApiToken.objects.get(user=handler).revoked_at is None


def test_token_of_a_deactivated_user_is_refused(handler, administrator):
    raw = token_create(user=handler)
    user_update(user=handler, actor=administrator, is_active=False)
    assert user_for_token(raw) is None


def test_no_token_for_a_deactivated_user(handler, administrator):
    user_update(user=handler, actor=administrator, is_active=False)
    with pytest.raises(Invalid):
        token_create(user=User.objects.get(pk=handler.pk))


def test_only_the_user_or_an_administrator_creates_tokens(handler, clerk, administrator):
    with pytest.raises(Forbidden):
        token_create(user=handler, actor=clerk)
    token_create(user=handler, actor=handler)
    token_create(user=handler, actor=administrator)
    assert ApiToken.objects.filter(user=handler).count() == 2


def test_creation_is_audited_without_the_token(handler):
    raw = token_create(user=handler)
    event = AuditEvent.objects.get(action="token.create")
    expires_at = ApiToken.objects.get(user=handler).expires_at.isoformat()
    assert event.changes == {"user": handler.pk, "prefix": raw[:8], "expires_at": expires_at}
    assert raw[8:] not in str(event.changes)


def test_last_use_is_written_at_most_once_a_minute(handler):
    raw = token_create(user=handler)
    with time_machine.travel(NOON, tick=False) as clock:
        user_for_token(raw)
        assert ApiToken.objects.get(user=handler).last_used_at == NOON
        clock.shift(timedelta(seconds=30))
        user_for_token(raw)
        assert ApiToken.objects.get(user=handler).last_used_at == NOON
        clock.shift(timedelta(seconds=31))
        user_for_token(raw)
        assert ApiToken.objects.get(user=handler).last_used_at == NOON + timedelta(seconds=61)
