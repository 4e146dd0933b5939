"""Sessions end for good (issue 11 §6): deactivating a user ends every session of theirs, and a reactivation does not
revive one (`User.session_generation` in the session hash); and a session ends SESSION_ABSOLUTE_SECONDS after sign-in
however busy it is (wrp.accounts.session_lifetime), while the idle timeout stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from wrp.accounts.models import User
from wrp.accounts.services import user_set_password, user_update
from wrp.audit.models import AuditEvent

HOME = reverse("accounts:landing")
LOGIN = reverse("accounts:login")


def signed_in(client: Client) -> bool:
    return client.get(HOME).wsgi_request.user.is_authenticated


@pytest.fixture
def handler_client(handler) -> Client:
    client = Client()
    client.force_login(handler)
    assert signed_in(client)
    return client


# --- deactivation ---------------------------------------------------------------------------------------------------


def test_a_reactivated_user_does_not_get_their_old_session_back(handler, handler_client):
    user_update(user=handler, actor=None, is_active=False)
    assert not signed_in(handler_client)
    user_update(user=handler, actor=None, is_active=True)
    assert not signed_in(handler_client), "the session from before the deactivation stays dead"
    fresh = Client()
    fresh.force_login(User.objects.get(pk=handler.pk))
    assert signed_in(fresh), "a new sign-in works"


def test_deactivation_bumps_the_session_generation_and_nothing_else_does(handler):
    before = User.objects.get(pk=handler.pk).session_generation
    user_update(user=handler, actor=None, real_name="王二", phone="13800000000")
    assert User.objects.get(pk=handler.pk).session_generation == before
    updated = user_update(user=handler, actor=None, is_active=False)
    assert updated.session_generation == before + 1
    user_update(user=handler, actor=None, is_active=True)
    assert User.objects.get(pk=handler.pk).session_generation == before + 1


def test_deactivating_in_the_admin_ends_the_users_sessions(administrator, handler, handler_client):
    admin = Client()
    admin.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[handler.pk])
    form = {"real_name": handler.real_name, "phone": "", "role": handler.role, "new_password": "", "new_id_number": ""}
    assert admin.post(url, form).status_code == 302  # is_active left out of the form: unchecked
    assert not User.objects.get(pk=handler.pk).is_active
    user_update(user=handler, actor=None, is_active=True)
    assert not signed_in(handler_client)


def test_the_session_hash_covers_the_password_and_the_generation(handler):
    user = User.objects.get(pk=handler.pk)
    first = user.get_session_auth_hash()
    user.session_generation += 1
    assert user.get_session_auth_hash() != first
    user.session_generation -= 1
    assert user.get_session_auth_hash() == first
    user_set_password(user=user, password="another long passphrase", actor=None)
    assert user.get_session_auth_hash() != first


# --- the absolute lifetime ------------------------------------------------------------------------------------------


@pytest.fixture
def busy_session(settings, frozen_clock, handler) -> Client:
    """A session kept busy: the idle timeout is long here, so only the absolute lifetime can end it."""
    settings.SESSION_COOKIE_AGE = 3 * 24 * 3600
    client = Client()
    client.force_login(handler)
    assert signed_in(client)  # the first response writes the moment of sign-in
    return client


def test_a_busy_session_lives_until_the_absolute_lifetime(busy_session, frozen_clock, settings):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    for _ in range(11):
        frozen_clock.shift(timedelta(hours=1))
        assert signed_in(busy_session)
    frozen_clock.shift(timedelta(minutes=59, seconds=59))
    assert signed_in(busy_session)


def test_past_the_absolute_lifetime_the_user_is_sent_to_sign_in_with_a_message(busy_session, frozen_clock, handler):
    frozen_clock.shift(timedelta(hours=12, seconds=1))
    response = busy_session.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    page = busy_session.get(response["Location"]).content.decode()
    assert "登录已超过 12 小时，为安全起见请重新登录。" in page
    assert not signed_in(busy_session)
    event = AuditEvent.objects.get(action="session.ended")
    assert (event.actor_id, event.object_id, event.changes) == (handler.pk, str(handler.pk),
                                                                 {"reason": "absolute_lifetime"})


def test_an_htmx_request_past_the_lifetime_is_redirected_whole(busy_session, frozen_clock):
    frozen_clock.shift(timedelta(hours=13))
    response = busy_session.get(HOME, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(LOGIN)


def test_an_api_call_past_the_lifetime_is_unauthenticated(busy_session, frozen_clock):
    assert busy_session.get("/api/v1/me").status_code == 200
    frozen_clock.shift(timedelta(hours=13))
    response = busy_session.get("/api/v1/me")
    assert response.status_code == 401


def test_signing_in_again_starts_a_new_lifetime(busy_session, frozen_clock, handler):
    frozen_clock.shift(timedelta(hours=13))
    assert not signed_in(busy_session)
    busy_session.force_login(handler)
    frozen_clock.shift(timedelta(hours=11))
    assert signed_in(busy_session)


def test_the_idle_timeout_still_ends_a_quiet_session(settings, frozen_clock, handler):
    settings.SESSION_COOKIE_AGE = 30 * 60
    client = Client()
    client.force_login(handler)
    assert signed_in(client)
    frozen_clock.shift(timedelta(minutes=31))
    assert not signed_in(client)
