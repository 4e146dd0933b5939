"""The idle timeout without a write per page view (issue 14 §3, wrp.accounts.session_touch): a signed-in GET writes
nothing while the session was saved less than SESSION_TOUCH_SECONDS ago; the first request after that re-saves it
with a new expiry, so a session still ends SESSION_COOKIE_AGE after its last save (tests/accounts/
test_session_ending.py keeps the idle and absolute timeouts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wrp.accounts.services import token_create, user_set_password
from wrp.accounts.session_lifetime import SIGNED_IN_AT
from wrp.accounts.session_touch import TOUCHED_AT

HOME = reverse("accounts:landing")
SESSION_TABLE = Session._meta.db_table
PASSWORD = "a long enough passphrase 42"


def signed_in(client: Client, url: str = HOME) -> bool:
    return client.get(url).wsgi_request.user.is_authenticated


def writes(context: CaptureQueriesContext, table: str | None = None) -> list[str]:
    """The INSERT, UPDATE and DELETE statements run (on `table` when given)."""
    found = []
    for query in context.captured_queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith(("INSERT", "UPDATE", "DELETE")) and (table is None or f'"{table.upper()}"' in sql):
            found.append(query["sql"])
    return found


def expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.fixture
def session_client(settings, frozen_clock, handler) -> Client:
    """The handler signed in; the first page seen (the sign-in's own response does the same) saved the session."""
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.SESSION_TOUCH_SECONDS = 60
    client = Client()
    client.force_login(handler)
    assert signed_in(client)
    return client


def test_the_settings_save_sessions_by_touch_not_on_every_request(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_TOUCH_SECONDS == 60
    assert "wrp.accounts.session_touch.SessionTouchMiddleware" in settings.MIDDLEWARE
    position = settings.MIDDLEWARE.index
    assert position("wrp.accounts.session_touch.SessionTouchMiddleware") > position(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


@pytest.mark.parametrize("url", [HOME, reverse("portal:unit_home"), "/api/v1/me"], ids=["landing", "unit", "api-me"])
def test_a_signed_in_get_right_after_sign_in_writes_no_session(session_client, frozen_clock, url):
    frozen_clock.shift(timedelta(seconds=30))
    with CaptureQueriesContext(connection) as context:
        response = session_client.get(url, follow=True)
    assert response.status_code == 200
    assert writes(context, SESSION_TABLE) == []


def test_the_first_page_after_signing_in_with_a_password_writes_no_session(settings, frozen_clock, handler):
    user_set_password(user=handler, password=PASSWORD, actor=None)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": handler.username, "password": PASSWORD})
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as context:
        assert client.get(response["Location"], follow=True).status_code == 200
    assert client.session[SIGNED_IN_AT] == client.session[TOUCHED_AT]  # both written by the sign-in's response
    assert writes(context, SESSION_TABLE) == []


def test_a_plain_signed_in_page_view_writes_nothing_at_all(session_client, frozen_clock):
    frozen_clock.shift(timedelta(seconds=59))
    with CaptureQueriesContext(connection) as context:
        assert session_client.get(reverse("portal:unit_home")).status_code == 200
    assert writes(context) == []


def test_a_get_after_the_touch_interval_saves_the_session_with_a_later_expiry(session_client, frozen_clock):
    before = expiry(session_client)
    touched = session_client.session[TOUCHED_AT]
    frozen_clock.shift(timedelta(seconds=61))
    with CaptureQueriesContext(connection) as context:
        assert signed_in(session_client)
    assert writes(context, SESSION_TABLE), "the session was saved again"
    assert expiry(session_client) == before + timedelta(seconds=61)
    assert session_client.session[TOUCHED_AT] == pytest.approx(touched + 61)


def test_requests_within_the_interval_do_not_move_the_expiry(session_client, frozen_clock):
    before = expiry(session_client)
    for _ in range(5):
        frozen_clock.shift(timedelta(seconds=10))
        assert signed_in(session_client)
    assert expiry(session_client) == before


def test_an_active_session_outlives_the_idle_timeout(session_client, frozen_clock):
    for _ in range(40):  # 40 minutes of a request every minute and a second, against a 30-minute idle timeout
        frozen_clock.shift(timedelta(seconds=61))
        assert signed_in(session_client)


def test_the_idle_timeout_counts_from_the_last_save_within_a_minute(session_client, frozen_clock):
    frozen_clock.shift(timedelta(seconds=59))
    assert signed_in(session_client)  # within the interval: nothing saved, the expiry stays
    frozen_clock.shift(timedelta(minutes=29, seconds=2))  # 30 min 1 s after the last save, 29 min 2 s after the view
    assert not signed_in(session_client)


def test_a_quiet_session_ends_after_the_idle_timeout(session_client, frozen_clock):
    frozen_clock.shift(timedelta(minutes=30, seconds=1))
    assert not signed_in(session_client)


def test_a_session_with_an_old_touch_is_touched_again(session_client, frozen_clock):
    session = session_client.session
    session[TOUCHED_AT] = session[TOUCHED_AT] - 3600  # saved by a version with a longer interval, say
    session.save()
    before = expiry(session_client)
    frozen_clock.shift(timedelta(seconds=1))
    assert signed_in(session_client)
    assert expiry(session_client) == before + timedelta(seconds=1)


def test_a_touch_in_the_future_is_not_trusted(session_client, frozen_clock):
    session = session_client.session
    session[TOUCHED_AT] = session[TOUCHED_AT] + 3600  # a clock that went back, or a hand-made value
    session.save()
    frozen_clock.shift(timedelta(seconds=1))
    with CaptureQueriesContext(connection) as context:
        assert signed_in(session_client)
    assert writes(context, SESSION_TABLE)


def test_signing_out_leaves_no_session_behind(session_client, frozen_clock):
    frozen_clock.shift(timedelta(seconds=61))  # a touch is due: it must not bring the flushed session back
    response = session_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert Session.objects.count() == 0


def test_an_unknown_session_cookie_creates_no_session(db, settings, frozen_clock):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    with CaptureQueriesContext(connection) as context:
        assert not signed_in(client)
    assert writes(context, SESSION_TABLE) == []
    assert Session.objects.count() == 0


def test_an_anonymous_visitor_gets_no_session(db, frozen_clock):
    client = Client()
    client.get(reverse("public:home"))
    assert Session.objects.count() == 0


@pytest.mark.django_db
def test_a_bearer_token_call_makes_no_session_and_sets_no_cookie(handler):
    """An HR system calling the API with a token has no session to keep: no session row, no Set-Cookie."""
    client = Client()
    headers = {"Authorization": f"Bearer {token_create(user=handler)}"}
    with CaptureQueriesContext(connection) as context:
        response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert writes(context, SESSION_TABLE) == []
    assert not Session.objects.exists()
    assert not any(name.endswith("sessionid") for name in response.cookies)
