"""Text messages through a provider: the interface a deployment fills in with its gateway.

Real SMS gateways are not reachable from here, so the default provider writes the message to the log. A deployment
names its own class with `WRP_SMS_PROVIDER` (a dotted path); the class is made with no arguments and reads its own
settings. `send` raises `SmsError` (or any exception) when the gateway refuses: the delivery records it and retries.
"""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("wrp.sms")


class SmsError(Exception):
    """The gateway did not accept the message."""


class SmsProvider:
    """Sends one text message to one mobile number."""

    def send(self, mobile: str, text: str) -> None:
        raise NotImplementedError


class LogSmsProvider(SmsProvider):
    """Writes the message to the log instead of sending it (the development and default provider)."""

    def send(self, mobile: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_mobile(mobile), text)


def mask_mobile(mobile: str) -> str:
    """138****5678: the first three and the last four digits."""
    digits = mobile.strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"


@cache
def _provider(path: str) -> SmsProvider:
    provider = import_string(path)()
    if not isinstance(provider, SmsProvider):
        raise TypeError(f"WRP_SMS_PROVIDER={path} is not an SmsProvider")
    return provider


def sms_provider() -> SmsProvider:
    """The provider the settings name (one instance per dotted path)."""
    return _provider(settings.SMS_PROVIDER)
