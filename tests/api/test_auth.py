"""Who is calling (contracts/cases-api.md §Identity, §Errors): bearer tokens, a browser session with CSRF, and the
limit on failed token authentications per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from tests.api.conftest import API, Caller
from wrp.accounts.models import ApiToken
from wrp.accounts.services import token_create, token_revoke, user_update
from wrp.core.ratelimit import parse_rate

pytestmark = pytest.mark.django_db

TOKEN_FAILURES_PER_MINUTE = parse_rate("20/m").limit  # settings.RATE_LIMIT_BAD_TOKENS, by default


# --- bearer tokens --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Bearer wrp_not-a-token", "Bearer ", "Bearer nonsense", "Token wrp_x", "Basic Zm9v"])
def test_a_bad_token_is_401(people, header):
    response = Client().get(f"{API}/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == {"error": "unauthenticated"}


def test_a_revoked_token_is_401(people):
    raw = token_create(user=people.handler)
    caller = Caller(raw)
    assert caller.get("/me").status_code == 200
    token_revoke(token_obj=ApiToken.objects.get(user=people.handler), actor=people.handler)
    response = caller.get("/me")
    assert response.status_code == 401
    assert response.json() == {"error": "unauthenticated"}


def test_the_token_of_a_deactivated_user_is_401(people):
    caller = Caller(token_create(user=people.clerk))
    user_update(user=people.clerk, actor=None, is_active=False)
    assert caller.get("/me").status_code == 401


def test_a_refused_token_changes_nothing(people):
    response = Caller("wrp_forged").post("/units", {"credit_code": "x"})
    assert response.status_code == 401


def test_21_bad_tokens_from_one_address_are_rate_limited(people):
    bad = Caller("wrp_guessed-token")
    statuses = [bad.get("/me").status_code for _ in range(TOKEN_FAILURES_PER_MINUTE + 1)]
    assert statuses == [401] * TOKEN_FAILURES_PER_MINUTE + [429]
    assert bad.get("/me").json() == {"error": "rate_limited"}
    good = Caller(token_create(user=people.handler))
    assert good.get("/me").status_code == 429, "the address is limited, whatever it sends"
    other_address = Client(REMOTE_ADDR="10.0.0.7")
    assert other_address.get(f"{API}/me", headers=good.headers).status_code == 200


def test_the_limit_ends_after_a_minute(people, frozen_clock):
    bad = Caller("wrp_guessed-token")
    for _ in range(TOKEN_FAILURES_PER_MINUTE + 1):
        bad.get("/me")
    good = Caller(token_create(user=people.handler))
    assert good.get("/me").status_code == 429
    frozen_clock.shift(timedelta(seconds=61))
    assert good.get("/me").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_bad_token_limit(people):
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.get(f"{API}/me", headers={"Authorization": "Bearer wrp_guess"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        .status_code for n in range(TOKEN_FAILURES_PER_MINUTE + 1)
    ]
    assert statuses[-1] == 429


def test_the_bad_token_refusal_says_when_to_try_again(people, frozen_clock):
    bad = Caller("wrp_guessed-token")
    for _ in range(TOKEN_FAILURES_PER_MINUTE):
        bad.get("/me")
    refused = bad.get("/me")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60


def test_good_tokens_are_not_counted(people):
    good = Caller(token_create(user=people.handler))
    assert {good.get("/me").status_code for _ in range(TOKEN_FAILURES_PER_MINUTE + 5)} == {200}


# --- a browser session, with CSRF on unsafe methods -----------------------------------------------------------------


@pytest.fixture
def browser(people) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.applicant)
    return client


def test_a_session_reads_without_a_csrf_token(browser):
    response = browser.get(f"{API}/me")
    assert response.status_code == 200
    assert response.json()["username"] == "applicant"


def test_a_session_write_without_the_csrf_token_is_403(browser, people):
    body = {"association_code": people.unit.association_code}
    response = browser.post(f"{API}/associations", body, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden"}
    assert not people.applicant.associations.exists()


def test_a_session_write_with_the_csrf_token_is_accepted(browser, people):
    browser.get("/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        f"{API}/associations", {"association_code": people.unit.association_code}, content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201
    assert people.applicant.associations.get().state == "requested"


def test_a_session_of_an_administrator_is_403_beyond_me(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.admin)
    assert client.get(f"{API}/me").status_code == 200
    assert client.get(f"{API}/associations").status_code == 403
