"""Production by default: DEBUG is off unless asked for, the secret key is generated into the private data directory
(never a key written in the repository), a weak key is refused at start-up, and the data directory and the SQLite
files are readable by the server's user alone."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wrp.config.secret import (
    OLD_DEVELOPMENT_KEY,
    database_files_private,
    private_dir,
    secret_key_from_env,
    secret_key_problem,
)

GOOD_KEY = "Zq3-" + "x7Kp" * 13


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_fresh_checkout_starts_with_debug_off_and_a_generated_private_key(tmp_path):
    data = tmp_path / "var"
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE")}
    env.update({"WRP_ENV": "development", "WRP_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data}/wrp.sqlite3"})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wrp.config.settings'; django.setup();"
        "from django.conf import settings; print(settings.DEBUG, len(settings.SECRET_KEY))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.split() == ["False", "64"], result.stderr
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600
    assert len((data / "secret_key").read_text().strip()) == 64


def test_the_generated_key_is_kept_across_starts(tmp_path):
    first = secret_key_from_env(value="", file="", production=False, data_dir=tmp_path)
    second = secret_key_from_env(value="", file="", production=False, data_dir=tmp_path)
    assert first == second
    assert secret_key_problem(first) is None
    assert secret_key_from_env(value="", file="", production=False, data_dir=tmp_path / "other") != first


def test_an_explicit_key_wins_and_a_key_file_is_read(tmp_path):
    assert secret_key_from_env(value=GOOD_KEY, file="", production=True, data_dir=tmp_path) == GOOD_KEY
    key_file = tmp_path / "mounted-secret"
    key_file.write_text(GOOD_KEY + "\n")
    assert secret_key_from_env(value="", file=str(key_file), production=True, data_dir=tmp_path) == GOOD_KEY
    assert not (tmp_path / "secret_key").exists()


def test_production_never_generates_a_key(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        secret_key_from_env(value="", file="", production=True, data_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        pytest.param("k" * 49 + "abc", "fewer than 5 different", id="four-distinct-characters"),
        pytest.param("short-Key-1", "fewer than 50", id="too-short"),
        pytest.param("django-insecure-" + GOOD_KEY, "django-insecure-", id="startproject-key"),
        pytest.param(OLD_DEVELOPMENT_KEY, "development key", id="the-old-development-constant"),
    ],
)
@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
def test_a_weak_key_is_refused_at_start_up_with_the_reason(tmp_path, key, reason, production):
    with pytest.raises(ImproperlyConfigured, match=reason):
        secret_key_from_env(value=key, file="", production=production, data_dir=tmp_path)


def test_a_missing_key_file_is_named(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"SECRET_KEY_FILE=.* cannot be read"):
        secret_key_from_env(value="", file=str(tmp_path / "nothing"), production=True, data_dir=tmp_path)


def test_the_data_directory_and_the_sqlite_files_are_made_private(tmp_path):
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    database = data / "wrp.sqlite3"
    for path in (database, data / "wrp.sqlite3-wal"):
        path.write_bytes(b"")
        path.chmod(0o644)
    private_dir(data)
    database_files_private({"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)})
    assert (mode(data), mode(database), mode(data / "wrp.sqlite3-wal")) == (0o700, 0o600, 0o600)


def test_the_running_settings_keep_debug_off_and_the_key_out_of_the_repository(settings):
    assert settings.DEBUG is False
    assert secret_key_problem(settings.SECRET_KEY) is None
