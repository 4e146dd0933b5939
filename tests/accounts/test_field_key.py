"""The field-encryption key: from WRP_FIELD_KEY, required in production, derived from SECRET_KEY elsewhere."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from wrp.accounts.crypto import development_field_key, field_key_from_env, retired_field_keys_from_env

KEY = bytes(range(32))
KEY_TEXT = base64.b64encode(KEY).decode()


def test_key_from_the_environment_is_used_as_given():
    assert field_key_from_env(KEY_TEXT, production=True, secret_key="x") == KEY


def test_production_without_a_key_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="WRP_FIELD_KEY must be set in production"):
        field_key_from_env("", production=True, secret_key="x" * 60)


@pytest.mark.parametrize(
    "value",
    [base64.b64encode(bytes(16)).decode(), base64.b64encode(bytes(33)).decode(), "not base64 at all!", KEY.hex()],
    ids=["16-bytes", "33-bytes", "not-base64", "hex"],
)
def test_a_key_that_is_not_32_bytes_of_base64_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="base64 of 32 random bytes"):
        field_key_from_env(value, production=False, secret_key="x")


def test_development_key_is_derived_from_the_secret_key_and_is_not_it():
    derived = field_key_from_env("", production=False, secret_key="secret one")
    assert derived == development_field_key("secret one")
    assert derived != development_field_key("secret two")
    assert len(derived) == 32
    assert b"secret one" not in derived


def test_retired_keys_are_read_by_version():
    assert retired_field_keys_from_env(f"1:{KEY_TEXT}, 3:{KEY_TEXT}", current_version=2) == {1: KEY, 3: KEY}
    assert retired_field_keys_from_env("", current_version=1) == {}


@pytest.mark.parametrize("value", [f"2:{KEY_TEXT}", f"x:{KEY_TEXT}", "1:", f"0:{KEY_TEXT}"],
                         ids=["current-version", "not-a-number", "no-key", "version-0"])
def test_bad_retired_keys_are_refused(value):
    with pytest.raises(ImproperlyConfigured):
        retired_field_keys_from_env(value, current_version=2)


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith("WRP_") and key != "DEBUG"}
    strong_key = "Zq3-" + "x7Kp" * 13  # 56 characters, 8 different (a weak key is refused at start-up)
    base.update({"WRP_ENV": "production", "SECRET_KEY": strong_key, "ALLOWED_HOSTS": "wrp.example", **env})
    return subprocess.run([sys.executable, "-c", "import wrp.config.settings"], env=base, capture_output=True,
                          text=True, timeout=60, check=False)


def test_production_settings_refuse_to_load_without_the_key():
    done = _import_settings()
    assert done.returncode != 0
    assert "WRP_FIELD_KEY must be set in production" in done.stderr


def test_production_settings_load_with_the_key():
    done = _import_settings(WRP_FIELD_KEY=KEY_TEXT, WRP_AUDIT_KEY=KEY_TEXT)
    assert done.returncode == 0, done.stderr
