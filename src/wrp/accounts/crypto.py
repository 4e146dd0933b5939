"""Personal data at rest: authenticated encryption of single values, and a keyed hash to find them again.

A value is encrypted with AES-256-GCM under a fresh random 96-bit nonce; the associated data names its purpose
(b"wrp:id_number"), so a ciphertext copied into another kind of field does not decrypt. The stored form is
`version (1 byte) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`: the version names the master key that encrypted it, so the key
can rotate — the new one encrypts, retired ones still decrypt (settings `FIELD_ENCRYPTION_RETIRED_KEYS`) until
`user_id_numbers_rekey` has rewritten every value. Exact lookup uses HMAC-SHA256 of the normalised value under a key
derived separately from the same master key; the master key itself encrypts nothing.

The master key comes from settings (`FIELD_ENCRYPTION_KEY`, from the environment `WRP_FIELD_KEY`), never from the
repository; `field_key_from_env` reads it at start-up, refusing a malformed or missing key in production. Every function
that holds a key is `sensitive_variables`: an error report never shows its locals. A value that does not decrypt is
an integrity failure (`wrp.core.integrity`): the doors answer it cleanly and raise an audit alert.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.views.decorators.debug import sensitive_variables

from wrp.core.integrity import IntegrityFailure

ID_NUMBER = b"wrp:id_number"

KEY_BYTES = 32
NONCE_BYTES = 12
_HEADER_BYTES = 1 + NONCE_BYTES
_TAG_BYTES = 16
_ENCRYPTION_INFO = b"wrp field encryption: AES-256-GCM"
_LOOKUP_INFO = b"wrp field encryption: HMAC-SHA256 lookup"
_DEVELOPMENT_INFO = b"wrp field encryption: development key derived from SECRET_KEY"


class DecryptionFailed(IntegrityFailure):
    """A stored value does not decrypt: unknown key version, wrong key, wrong purpose, or altered bytes."""

    kind = "decryption_failed"


@sensitive_variables()
def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(material)


@lru_cache(maxsize=16)
@sensitive_variables()
def _subkeys(master: bytes) -> tuple[bytes, bytes]:
    """(encryption key, lookup-hash key), each derived from the master key for its one use."""
    return _hkdf(master, _ENCRYPTION_INFO), _hkdf(master, _LOOKUP_INFO)


@sensitive_variables()
def _keys() -> tuple[int, dict[int, bytes]]:
    """The current key version and every master key that may still be read, by version."""
    current = int(settings.FIELD_ENCRYPTION_KEY_VERSION)
    keys = dict(getattr(settings, "FIELD_ENCRYPTION_RETIRED_KEYS", {}))
    keys[current] = settings.FIELD_ENCRYPTION_KEY
    return current, keys


@sensitive_variables()
def encrypt(value: str, *, purpose: bytes) -> bytes:
    """The value encrypted under the current key, bound to its purpose."""
    version, keys = _keys()
    nonce = os.urandom(NONCE_BYTES)
    header = bytes([version]) + nonce
    sealed = AESGCM(_subkeys(keys[version])[0]).encrypt(nonce, value.encode(), purpose + bytes([version]))
    return header + sealed


@sensitive_variables()
def decrypt(blob: bytes | memoryview, *, purpose: bytes) -> str:
    """The value back from `encrypt`; DecryptionFailed if it cannot be read with the keys configured."""
    data = bytes(blob)
    if len(data) < _HEADER_BYTES + _TAG_BYTES:
        raise DecryptionFailed("stored value too short")
    version, nonce, sealed = data[0], data[1:_HEADER_BYTES], data[_HEADER_BYTES:]
    master = _keys()[1].get(version)
    if master is None:
        raise DecryptionFailed(f"no key of version {version} is configured (FIELD_ENCRYPTION_RETIRED_KEYS)")
    try:
        plain = AESGCM(_subkeys(master)[0]).decrypt(nonce, sealed, purpose + bytes([version]))
    except InvalidTag:
        raise DecryptionFailed("stored value does not authenticate (wrong key or altered)") from None
    return plain.decode()


def key_version(blob: bytes | memoryview) -> int:
    """The version of the key a stored value was encrypted with."""
    return bytes(blob[:1])[0]


def current_key_version() -> int:
    return _keys()[0]


@sensitive_variables()
def _keyed_hash(master: bytes, value: str, purpose: bytes) -> str:
    return hmac.new(_subkeys(master)[1], purpose + b"\x00" + value.encode(), hashlib.sha256).hexdigest()


@sensitive_variables()
def keyed_hash(value: str, *, purpose: bytes) -> str:
    """HMAC-SHA256 (hex, 64 characters) of the value under the current key: what is stored for exact lookup."""
    version, keys = _keys()
    return _keyed_hash(keys[version], value, purpose)


@sensitive_variables()
def lookup_hashes(value: str, *, purpose: bytes) -> list[str]:
    """The value's keyed hash under every readable key, current first: rows not yet re-keyed are found too."""
    version, keys = _keys()
    ordered = [keys[version], *(key for number, key in sorted(keys.items()) if number != version)]
    return [_keyed_hash(key, value, purpose) for key in ordered]


# Reading the key at start-up (called from settings.py, before Django is configured).


@sensitive_variables()
def development_field_key(secret_key: str) -> bytes:
    """The key of development and test runs, derived from SECRET_KEY (which production refuses to leave default)."""
    return _hkdf(secret_key.encode(), _DEVELOPMENT_INFO)


@sensitive_variables()
def _decode_key(name: str, text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must be the base64 of {KEY_BYTES} random bytes (generate one with `openssl rand -base64 32`)"
        )
    return key


@sensitive_variables()
def field_key_from_env(value: str, *, production: bool, secret_key: str) -> bytes:
    """FIELD_ENCRYPTION_KEY from WRP_FIELD_KEY: required in production; else derived from SECRET_KEY when unset."""
    if value:
        return _decode_key("WRP_FIELD_KEY", value)
    if production:
        raise ImproperlyConfigured(
            "WRP_FIELD_KEY must be set in production: the base64 of 32 random bytes that encrypts resident ID numbers "
            "(generate one with `openssl rand -base64 32`; keep it outside the repository and back it up — without it "
            "the stored ID numbers cannot be read)"
        )
    return development_field_key(secret_key)


@sensitive_variables()
def retired_field_keys_from_env(value: str, *, current_version: int) -> dict[int, bytes]:
    """FIELD_ENCRYPTION_RETIRED_KEYS from WRP_FIELD_KEYS_RETIRED: `VERSION:BASE64,…`, versions 1–255."""
    keys: dict[int, bytes] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        number, _sep, text = item.partition(":")
        if not number.isdigit() or not 1 <= int(number) <= 255 or not text:
            raise ImproperlyConfigured("WRP_FIELD_KEYS_RETIRED must read VERSION:BASE64,… with versions 1 to 255")
        if int(number) == current_version or int(number) in keys:
            raise ImproperlyConfigured(f"WRP_FIELD_KEYS_RETIRED repeats key version {number}")
        keys[int(number)] = _decode_key(f"WRP_FIELD_KEYS_RETIRED version {number}", text)
    return keys
