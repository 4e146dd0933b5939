"""Sign-in limits: how many passwords may be tried, from where, for which account (wrp.core.ratelimit).

Every attempt costs a 100 MiB Argon2 hash, so the limits are asked before the password is hashed, in this order:

1. the client address (`RATE_LIMIT_LOGIN_ADDRESS`, 20 a minute): one client cannot take the server's time;
2. the account: after `RATE_LIMIT_LOGIN_ACCOUNT` failures for a username (5 in 15 minutes), from any addresses, it
   is tried at most once per `RATE_LIMIT_LOGIN_ACCOUNT_INTERVAL` seconds (30) — slowed, never locked: its owner still
   gets a turn and signs in with the right password; a success forgets the failures;
3. the platform (`RATE_LIMIT_LOGIN_GLOBAL`, 20 in 10 seconds): however many addresses an attacker has, the server
   hashes no more than this.

A refused attempt is answered 429 with a page saying when to try again (`Retry-After` too), and nothing is hashed.
Usernames and addresses are keys of the cache only as keyed hashes (wrp.core.ratelimit).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wrp.core.clientaddr import client_address
from wrp.core.ratelimit import Decision, limit_clear, limit_hit, limit_peek, limit_turn

ADDRESS = "signin:address"
ACCOUNT_FAILURES = "signin:account-failures"
ACCOUNT_TURN = "signin:account"
EVERYONE = "signin:all"

BY_ADDRESS = "address"
BY_ACCOUNT = "account"
BY_PLATFORM = "platform"


def _account(username: str) -> str:
    return username.strip().casefold()


def signin_admit(request: HttpRequest, username: str) -> tuple[Decision, str]:
    """May this attempt be hashed? Counts it against each limit it passes; (decision, which limit refused)."""
    decision = limit_hit(ADDRESS, client_address(request), rate=settings.RATE_LIMIT_LOGIN_ADDRESS)
    if not decision.allowed:
        return decision, BY_ADDRESS
    account = _account(username)
    if not limit_peek(ACCOUNT_FAILURES, account, rate=settings.RATE_LIMIT_LOGIN_ACCOUNT).allowed:
        decision = limit_turn(ACCOUNT_TURN, account, seconds=settings.RATE_LIMIT_LOGIN_ACCOUNT_INTERVAL)
        if not decision.allowed:
            return decision, BY_ACCOUNT
    decision = limit_hit(EVERYONE, "*", rate=settings.RATE_LIMIT_LOGIN_GLOBAL)
    return decision, "" if decision.allowed else BY_PLATFORM


def signin_failed(username: str) -> None:
    limit_hit(ACCOUNT_FAILURES, _account(username), rate=settings.RATE_LIMIT_LOGIN_ACCOUNT)


def signin_succeeded(username: str) -> None:
    limit_clear(ACCOUNT_FAILURES, _account(username), rate=settings.RATE_LIMIT_LOGIN_ACCOUNT)


def signin_refused(request: HttpRequest, decision: Decision, limit: str) -> HttpResponse:
    """429: the page says which limit was reached and when to try again."""
    context = {
        "limit": limit,
        "retry_after": decision.retry_after,
        "retry_at": timezone.localtime() + timedelta(seconds=decision.retry_after),
    }
    response = render(request, "registration/login_limited.html", context, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response
