"""API tokens expire and can be rotated (issue 11 §6): API_TOKEN_DAYS after issue a token is refused like a bad one;
`token_rotate` / `wrp user token USERNAME --rotate` issues a new token and ends every old one (`token.rotate`); the
expiry is shown where tokens are listed (the admin, the command's output)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from wrp.accounts.models import ApiToken
from wrp.accounts.services import token_create, token_issue, token_revoke, token_rotate, user_for_token
from wrp.audit.models import AuditEvent
from wrp.core.errors import Forbidden


def test_a_token_expires_api_token_days_after_issue(handler, frozen_clock, settings):
    assert settings.API_TOKEN_DAYS == 90
    raw, token = token_issue(user=handler)
    assert token.expires_at == token.created_at + timedelta(days=90)
    frozen_clock.shift(timedelta(days=90) - timedelta(seconds=1))
    assert user_for_token(raw) == handler
    frozen_clock.shift(timedelta(seconds=1))
    assert user_for_token(raw) is None


def test_the_lifetime_follows_the_setting(handler, settings, frozen_clock):
    settings.API_TOKEN_DAYS = 7
    _raw, token = token_issue(user=handler)
    assert token.expires_at - token.created_at == timedelta(days=7)


def test_an_expired_token_is_401_in_the_api_and_counts_as_a_bad_token(handler, frozen_clock, settings):
    settings.RATE_LIMIT_BAD_TOKENS = "2/m"
    raw = token_create(user=handler)
    headers = {"Authorization": f"Bearer {raw}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
    frozen_clock.shift(timedelta(days=91))
    assert [Client().get("/api/v1/me", headers=headers).status_code for _ in range(3)] == [401, 401, 429]


def test_rotating_issues_a_new_token_and_ends_the_old_ones(handler, other_handler):
    first, second = token_create(user=handler), token_create(user=handler)
    revoked = token_create(user=handler)
    token_revoke(token_obj=ApiToken.objects.get(prefix=revoked[:8], user=handler), actor=None)
    someone_elses = token_create(user=other_handler)
    raw, token = token_rotate(user=handler, actor=handler)
    assert user_for_token(raw) == handler
    assert user_for_token(first) is None
    assert user_for_token(second) is None
    assert user_for_token(someone_elses) == other_handler
    event = AuditEvent.objects.get(action="token.rotate")
    assert event.object_id == str(token.pk)
    assert event.changes == {"user": handler.pk, "prefix": token.prefix, "expires_at": token.expires_at.isoformat(),
                             "ended": [first[:8], second[:8]]}
    assert raw[8:] not in str(event.changes)


def test_only_the_user_or_an_administrator_rotates(handler, clerk, administrator):
    with pytest.raises(Forbidden):
        token_rotate(user=handler, actor=clerk)
    token_rotate(user=handler, actor=administrator)


def test_the_command_rotates_and_shows_the_expiry(handler, frozen_clock):
    old = token_create(user=handler)
    out, err = io.StringIO(), io.StringIO()
    call_command("user", "token", "handler", "--rotate", stdout=out, stderr=err)
    assert out.getvalue().count("\n") == 1
    new = out.getvalue().strip()
    assert user_for_token(new) == handler
    assert user_for_token(old) is None
    assert f"token {new[:8]}… expires 2027-02-24 10:00 CST (the user's other tokens ended)" in err.getvalue()


def test_the_plain_token_command_leaves_other_tokens_alive_and_shows_the_expiry(handler, frozen_clock):
    old = token_create(user=handler)
    out, err = io.StringIO(), io.StringIO()
    call_command("user", "token", "handler", stdout=out, stderr=err)
    assert user_for_token(out.getvalue().strip()) == handler
    assert user_for_token(old) == handler
    assert "expires 2027-02-24" in err.getvalue()


def test_the_admin_lists_each_tokens_expiry(administrator, handler, frozen_clock):
    token_create(user=handler)
    client = Client()
    client.force_login(administrator)
    html = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "到期时间" in html
    assert "2027年2月24日" in html
