"""Sign-in limits (issue 11 §5; wrp.accounts.signin_limits): per client address, for the whole platform, and per
account across addresses — slowed, never locked, so the real owner still signs in. Refused attempts answer 429 with a
page saying when to try again, and never reach the password hasher. X-Forwarded-For counts only behind a trusted proxy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from tests.clock import beijing
from wrp.accounts.services import user_set_password

LOGIN = reverse("accounts:login")
PASSWORD = "a long passphrase 1"


@pytest.fixture
def frozen_moment():
    return beijing(2026, 11, 26, 10, 0, 30)


@pytest.fixture(autouse=True)
def _limits(settings, frozen_clock, db):
    """Fast hashes (the limits are under test, not Argon2), generous limits unless a test narrows one, a clean cache."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATE_LIMIT_LOGIN_ADDRESS = "100/m"
    settings.RATE_LIMIT_LOGIN_GLOBAL = "100/10s"
    settings.RATE_LIMIT_LOGIN_ACCOUNT = "3/15m"
    settings.RATE_LIMIT_LOGIN_ACCOUNT_INTERVAL = 30
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The usernames whose password reached the backend (each costs a hash)."""
    seen: list[str] = []
    authenticate = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        seen.append(username)
        return authenticate(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return seen


@pytest.fixture
def owner(applicant):
    user_set_password(user=applicant, password=PASSWORD, actor=None)
    return applicant


def attempt(username: str, password: str, address: str = "198.51.100.1", **extra: str):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password}, **extra)


def test_an_address_past_its_limit_is_refused_before_the_password_is_hashed(settings, owner, hashed):
    settings.RATE_LIMIT_LOGIN_ADDRESS = "3/m"
    statuses = [attempt(f"guess{n}", "wrong").status_code for n in range(3)]
    refused = attempt(owner.username, PASSWORD)
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    html = refused.content.decode()
    assert "登录尝试过于频繁" in html
    assert "您的网络地址提交的登录请求过多" in html
    assert "请在 30 秒后" in html
    assert hashed == ["guess0", "guess1", "guess2"], "the refused attempt never reached the hasher"
    assert attempt(owner.username, PASSWORD, address="198.51.100.2").status_code == 302, "another address signs in"


def test_the_platform_limit_holds_however_many_addresses_try(settings, owner, hashed):
    settings.RATE_LIMIT_LOGIN_GLOBAL = "5/10s"
    statuses = [attempt(f"guess{n}", "wrong", address=f"203.0.113.{n}").status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert len(hashed) == 5
    refused = attempt(owner.username, PASSWORD, address="198.51.100.9")
    assert refused.status_code == 429
    assert "平台当前登录请求较多" in refused.content.decode()


def test_an_account_attacked_from_many_addresses_is_slowed_and_its_owner_still_signs_in(owner, hashed, frozen_clock):
    attackers = [f"203.0.113.{n}" for n in range(10)]
    assert [attempt(owner.username, "wrong", address).status_code for address in attackers[:3]] == [200] * 3
    assert attempt(owner.username, "wrong", attackers[3]).status_code == 200, "slowed: one turn now"
    refused = attempt(owner.username, "wrong", attackers[4])
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    assert "该账户近期登录失败次数较多" in refused.content.decode()
    assert attempt(owner.username, PASSWORD, "198.51.100.1").status_code == 429, "the owner waits too"
    assert len(hashed) == 4
    frozen_clock.shift(timedelta(seconds=31))
    signed_in = attempt(owner.username, PASSWORD, "198.51.100.1")
    assert signed_in.status_code == 302, "slowed, not locked: the right password after the wait signs in"
    assert attempt(owner.username, "wrong", attackers[5]).status_code == 200, "the success forgot the failures"


def test_other_accounts_are_not_slowed_by_one_under_attack(owner, other_applicant):
    for n in range(5):
        attempt(owner.username, "wrong", f"203.0.113.{n}")
    assert attempt(owner.username, "wrong", "203.0.113.9").status_code == 429
    assert attempt(other_applicant.username, "wrong", "203.0.113.9").status_code == 200


def test_the_account_is_counted_whatever_the_case_of_the_username(owner):
    for n, spelling in enumerate(["applicant", "APPLICANT", "Applicant", " applicant"]):
        attempt(spelling, "wrong", f"203.0.113.{n}")
    assert attempt("aPPlicant", "wrong", "203.0.113.9").status_code == 429


def test_a_forged_x_forwarded_for_does_not_escape_the_address_limit(settings, owner):
    settings.RATE_LIMIT_LOGIN_ADDRESS = "3/m"
    for n in range(3):
        attempt(f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert attempt(owner.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.200").status_code == 429


def test_behind_a_trusted_proxy_each_client_is_counted_apart(settings, owner):
    settings.RATE_LIMIT_LOGIN_ADDRESS = "3/m"
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for n in range(3):
        attempt(f"guess{n}", "wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert attempt(owner.username, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert attempt(owner.username, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302


def test_a_wrong_password_page_says_attempts_are_slowed_not_locked(owner):
    html = attempt(owner.username, "wrong").content.decode()
    assert "用户名或密码不正确" in html
    assert "锁定" not in html


def test_the_sign_in_page_itself_is_never_limited(settings):
    settings.RATE_LIMIT_LOGIN_ADDRESS = "1/m"
    client = Client()
    assert {client.get(LOGIN).status_code for _ in range(5)} == {200}
