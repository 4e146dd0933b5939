"""Unified login is configured from the environment (WRP_OIDC_*): on only with a client and a provider, and half a
configuration stops start-up with a message naming what is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CLIENT = {"WRP_OIDC_CLIENT_ID": "wrp-chaoyang", "WRP_OIDC_CLIENT_SECRET": "s3cret-of-the-client"}
ENDPOINTS = {
    "WRP_OIDC_AUTHORIZATION_ENDPOINT": "https://login.example.gov.cn/authorize",
    "WRP_OIDC_TOKEN_ENDPOINT": "https://login.example.gov.cn/token",
    "WRP_OIDC_USERINFO_ENDPOINT": "https://login.example.gov.cn/userinfo",
    "WRP_OIDC_JWKS_ENDPOINT": "https://login.example.gov.cn/jwks",
}
SHOW = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wrp.config.settings'; django.setup();"
    "from django.conf import settings; print(settings.OIDC_ENABLED, 'wrp.accounts.oidc.CityIdentityBackend' in"
    " settings.AUTHENTICATION_BACKENDS)"
)


def start(**env: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter with this environment (and no WRP_OIDC_* of the caller's)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("WRP_OIDC_")}
    clean.update({"WRP_ENV": "development", **env})
    return subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, env=clean, timeout=60)


@pytest.mark.parametrize("env", [
    pytest.param({**CLIENT, "WRP_OIDC_ISSUER": "https://login.example.gov.cn"}, id="issuer"),
    pytest.param({**CLIENT, **ENDPOINTS}, id="endpoints"),
])
def test_a_client_and_a_provider_turn_the_unified_login_on(env):
    result = start(**env)
    assert (result.returncode, result.stdout.split()) == (0, ["True", "True"]), result.stderr


def test_without_configuration_the_unified_login_is_off():
    result = start()
    assert (result.returncode, result.stdout.split()) == (0, ["False", "False"]), result.stderr


@pytest.mark.parametrize("env", [
    pytest.param({"WRP_OIDC_ISSUER": "https://login.example.gov.cn"}, id="no-client"),
    pytest.param({**CLIENT}, id="no-provider"),
    pytest.param({**CLIENT, "WRP_OIDC_TOKEN_ENDPOINT": "https://login.example.gov.cn/token"}, id="some-endpoints"),
])
def test_half_a_configuration_stops_start_up(env):
    result = start(**env)
    assert result.returncode != 0
    assert "Unified login needs WRP_OIDC_CLIENT_ID" in result.stderr
