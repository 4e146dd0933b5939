"""One-time codes that prove a person holds a mobile number or an e-mail address (registration and password reset,
wrp.accounts.registration).

A code is six random digits, sent by SMS or e-mail and kept only as a keyed hash (HMAC with the secret key) next to a
random nonce, in whatever holds the pending step (the server-side session). It is good for CODE_VALID after sending
and for CODE_TRIES wrong tries in all — counted in the shared cache under the nonce, so a replayed session cannot
reset them; then the set is void and new codes must be sent. Sending is limited per client address and per address
sent to (wrp.core.ratelimit, RATE_LIMIT_CODE_CLIENT and RATE_LIMIT_CODE_ADDRESS).

The channels that send belong to the notifications app, above this one: it hands them over at start-up
(`contact_channels_use` in its AppConfig.ready), as it subscribes to the domain events, so dependencies still point
down.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any, Protocol

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import User
from wrp.core.errors import Invalid, ServiceError
from wrp.core.language import DJANGO_LANGUAGE
from wrp.core.ratelimit import limit_hit

log = logging.getLogger("wrp.accounts")

CODE_VALID = timedelta(minutes=30)
CODE_TRIES = 5  # wrong tries per set of codes; then the set is void
SMS, EMAIL = "sms", "email"  # the channels of wrp.notifications.models.Channel
CHANNELS = (SMS, EMAIL)
CODES_VOID = _("验证码错误次数过多，已作废。请重新获取验证码。")
CODES_EXPIRED = _("验证码已过期，请重新获取。")
WRONG_CODE = _("验证码不正确。")


class CodesLimited(ServiceError):
    """Too many codes sent to this address or from this client: wait `retry_after` seconds."""

    default_code = "too_many_codes"
    default_message = _("发送验证码过于频繁，请稍后再试。")

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


class CodeNotSent(ServiceError):
    default_code = "code_not_sent"
    default_message = _("验证码未能发送，请稍后再试。")


# --- the channels, handed over from above -------------------------------------------------------------------------------


class ContactChannels(Protocol):
    """What getting an account asks of the notification channels (wrp.notifications.account_contacts)."""

    def code_send(self, *, channel: str, address: str, text: str) -> None:
        """Send one text now to the address over the channel; raises when the channel fails."""

    def contacts_record(self, *, user: User, email: str, mobile: str, language: str) -> None:
        """Record a new account's addresses as verified, inside the caller's transaction."""

    def verified_addresses(self, user: User) -> dict[str, str]:
        """The account's verified address of each channel."""

    def users_verified_at(self, *, channel: str, address: str) -> list[int]:
        """The ids of the accounts with this verified address."""


_channels: list[ContactChannels] = []


def contact_channels_use(channels: ContactChannels) -> None:
    """The notifications app hands over its channels at start-up (its AppConfig.ready)."""
    _channels[:] = [channels]


def contact_channels() -> ContactChannels:
    if not _channels:
        raise ImproperlyConfigured("wrp.notifications is not installed: no channel sends the one-time codes")
    return _channels[0]


# --- codes ----------------------------------------------------------------------------------------------------------------


def now() -> float:
    return timezone.now().timestamp()


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def code_hash(nonce: str, channel: str, code: str) -> str:
    return salted_hmac("wrp.accounts.codes", f"{nonce}:{channel}:{code}", algorithm="sha256").hexdigest()


def code_limit(scope: str, key: str, rate: str) -> None:
    """One more hit of `key` in `scope`; CodesLimited past the rate."""
    decision = limit_hit(f"account-code:{scope}", key, rate=rate)
    if not decision.allowed:
        raise CodesLimited(decision.retry_after)


def code_text(message: Any, code: str, *, language: str) -> str:
    """The message (a lazy msgid with `%(code)s`) in the person's language ("zh" or "en")."""
    with translation.override(DJANGO_LANGUAGE.get(language, "zh-hans")):
        return str(message) % {"code": code}


def code_send(channel: str, address: str, text: str) -> None:
    try:
        contact_channels().code_send(channel=channel, address=address, text=text)
    except Exception as error:  # the gateway or mail server failed: nothing is kept, the person may try again
        log.warning("one-time code over %s not sent: %s", channel, type(error).__name__)
        raise CodeNotSent() from None


def codes_issue(addresses: dict[str, str], *, message: Any, language: str) -> dict[str, Any]:
    """A fresh code to each address (over its channel): {nonce, issued, codes: {channel: keyed hash}}."""
    nonce = new_nonce()
    hashes = {}
    for channel, address in addresses.items():
        code = new_code()
        code_send(channel, address, code_text(message, code, language=language))
        hashes[channel] = code_hash(nonce, channel, code)
    return {"nonce": nonce, "issued": now(), "codes": hashes}


def _tries_key(nonce: str) -> str:
    return f"wrp:account-code-tries:{nonce}"


def codes_check(pending: dict[str, Any], given: dict[str, str], *, field: dict[str, str]) -> None:
    """Every code of `pending` given right, in time, within the tries; Invalid naming the wrong ones by their form
    `field` otherwise. The last wrong try voids the set (its nonce is cleared: the caller keeps `pending`)."""
    nonce = pending.get("nonce", "")
    if not nonce:
        raise Invalid({"codes": CODES_VOID}, codes={"codes": "codes_void"})
    if now() - pending["issued"] > CODE_VALID.total_seconds():
        raise Invalid({"codes": CODES_EXPIRED}, codes={"codes": "expired"})
    tries = _tries_key(nonce)
    if int(cache.get(tries) or 0) >= CODE_TRIES:
        raise Invalid({"codes": CODES_VOID}, codes={"codes": "codes_void"})
    wrong = [channel for channel, expected in pending["codes"].items()
             if not constant_time_compare(code_hash(nonce, channel, given.get(channel, "").strip()), expected)]
    if not wrong:
        return
    cache.add(tries, 0, timeout=int(CODE_VALID.total_seconds()) + 60)
    if int(cache.incr(tries)) >= CODE_TRIES:
        pending["nonce"] = ""
        raise Invalid({"codes": CODES_VOID}, codes={"codes": "codes_void"})
    raise Invalid({field[channel]: WRONG_CODE for channel in wrong}, codes={field[c]: "wrong_code" for c in wrong})


def codes_forget(pending: dict[str, Any]) -> None:
    """The set is used up: forget its count of tries."""
    if pending.get("nonce"):
        cache.delete(_tries_key(pending["nonce"]))
