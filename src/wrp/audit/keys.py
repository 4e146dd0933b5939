"""The audit key: what makes the chain and its anchors unforgeable by whoever holds only the database.

`AUDIT_KEY` (from the environment `WRP_AUDIT_KEY`, the base64 of 32 random bytes) is required in production and never
stored in the database. Outside production, without it, a key is derived from SECRET_KEY when first used (not at
import: SECRET_KEY may come from a file generated under var/). Two keys are derived from it, one per use: the chain key
(each event's HMAC) and the anchor key (each checkpoint line's HMAC) — a line cannot be replayed as an event or the
reverse. This module is read by settings.py before Django is configured: no models here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
_DEVELOPMENT_INFO = b"wrp audit: development key derived from SECRET_KEY"
CHAIN = b"wrp audit: event chain HMAC-SHA256"
ANCHOR = b"wrp audit: anchor HMAC-SHA256"


def audit_key_from_env(value: str, *, production: bool) -> bytes | None:
    """AUDIT_KEY from WRP_AUDIT_KEY: required in production; None elsewhere when unset (derived from SECRET_KEY)."""
    if value:
        try:
            key = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"WRP_AUDIT_KEY must be the base64 of {KEY_BYTES} random bytes "
                "(generate one with `openssl rand -base64 32`)"
            )
        return key
    if production:
        raise ImproperlyConfigured(
            "WRP_AUDIT_KEY must be set in production: the base64 of 32 random bytes that keys the audit chain and its "
            "anchors (generate one with `openssl rand -base64 32`; keep it outside the database and the repository, "
            "and back it up — without it `wrp audit verify` cannot check the trail)"
        )
    return None


def _derive(master: bytes, info: bytes) -> bytes:
    return hmac.new(master, info, hashlib.sha256).digest()


def master_key() -> bytes:
    """The configured AUDIT_KEY, or outside production one derived from SECRET_KEY (read now, not at import)."""
    from django.conf import settings

    key = getattr(settings, "AUDIT_KEY", None)
    if key:
        return bytes(key)
    return _derive(settings.SECRET_KEY.encode(), _DEVELOPMENT_INFO)


def subkey(purpose: bytes, master: bytes | None = None) -> bytes:
    """The key of one use (CHAIN or ANCHOR), derived from the master key."""
    return _derive(master if master is not None else master_key(), purpose)
