"""`wrp check --deploy --fail-level WARNING` passes with the production environment docs/deploy.md §Security
documents, and that environment gives `__Host-` cookies, HTTPS redirect and HSTS."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

DEPLOY_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def production_environment(data_dir: Path) -> dict[str, str]:
    """The documented production environment, with fresh keys (names as in docs/deploy.md)."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return {
        "WRP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "wrp.example.gov.cn",
        "WRP_PUBLIC_BASE_URL": "https://wrp.example.gov.cn",
        "WRP_FIELD_KEY": key,
        "WRP_AUDIT_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "DATABASE_URL": f"sqlite:///{data_dir / 'wrp.sqlite3'}",
        "TRUST_X_FORWARDED_PROTO": "true",
        "WRP_DATA_DIR": str(data_dir),
    }


def test_the_deploy_check_passes_with_the_documented_production_settings(tmp_path):
    documented = DEPLOY_DOC.read_text()
    environment = production_environment(tmp_path)
    for name in environment.keys() - {"DATABASE_URL", "WRP_DATA_DIR"}:
        assert f"export {name}=" in documented, f"docs/deploy.md does not document {name}"
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("WRP_", "SECURE_", "SESSION_"))
             and key not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}  # the last: set by the browser tests' session
    clean.update(environment)
    wrp = shutil.which("wrp", path=str(Path(sys.executable).parent)) or "wrp"
    code = (
        "from django.core.management import call_command; from django.conf import settings as s;"
        "call_command('check', deploy=True, fail_level='WARNING');"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG)"
    )
    # `wrp check --deploy --fail-level WARNING`, and the settings it passed with, in one start
    result = subprocess.run([wrp, "shell", "-c", code], capture_output=True, text=True, env=clean, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr
    assert result.stdout.split()[-7:] == [
        "__Host-sessionid", "__Host-csrftoken", "True", "True", "True", "True", "False"
    ], result.stderr
