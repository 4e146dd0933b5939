"""Settings come from the environment with strict helpers: a bad value stops start-up with a message naming it,
and production refuses DEBUG and the development secret key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from wrp.config.env import env_bool, env_choice, env_int, env_list

GOOD_KEY = "Zq3-" + "x7Kp" * 13  # 56 characters, 8 different: strong enough for Django's W009


def start(then: str = "print('ok')", **env: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter with this environment, then run `then`."""
    clean = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    clean.update({"WRP_ENV": "development", **env})
    code = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wrp.config.settings'; django.setup(); {then}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean, timeout=60)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean", id="debug-not-a-boolean"),
        pytest.param({"WRP_ENV": "staging"}, "WRP_ENV='staging' must be one of", id="unknown-environment"),
        pytest.param({"SESSION_IDLE_SECONDS": "ten"}, "is not a whole number", id="idle-not-a-number"),
        pytest.param({"ALLOWED_HOSTS": "a,,b"}, "has an empty item", id="hosts-with-a-gap"),
        pytest.param({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL is not a database URL", id="bad-database-url"),
        pytest.param(
            {"WRP_ENV": "production", "DEBUG": "true", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "wrp.example"},
            "DEBUG must be off in production", id="production-refuses-debug",
        ),
        pytest.param(
            {"WRP_ENV": "production", "ALLOWED_HOSTS": "wrp.example"}, "SECRET_KEY must be set",
            id="production-refuses-the-development-key",
        ),
        pytest.param(
            {"WRP_ENV": "production", "SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS must name", id="production-needs-hosts",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_message_naming_it(env, message):
    result = start(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_development_defaults_start():
    result = start()
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_the_platform_speaks_chinese_first_in_shanghai(settings):
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE) == ("zh-hans", "Asia/Shanghai")
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]


def test_the_embedded_sqlite_database_runs_in_wal_mode(tmp_path):
    import sqlite3

    database = tmp_path / "wrp.sqlite3"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update({"DATABASE_URL": f"sqlite:///{database}", "WRP_DATA_DIR": str(tmp_path), "WRP_ENV": "development"})
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='wrp.config.settings'; django.setup();"
        "from django.db import connection; connection.cursor().execute('CREATE TABLE t (x)')"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("YES", True), ("off", False)])
def test_booleans_are_read_in_their_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("WRP_TEST_FLAG", raw)
    assert env_bool("WRP_TEST_FLAG", default=not expected) is expected


def test_helpers_fall_back_to_defaults_only_when_unset(monkeypatch):
    monkeypatch.delenv("WRP_TEST_X", raising=False)
    assert env_int("WRP_TEST_X", 5) == 5
    assert env_list("WRP_TEST_X", ["a"]) == ["a"]
    assert env_choice("WRP_TEST_X", "b", ("a", "b")) == "b"


def database_options(**env: str) -> str:
    """The OPTIONS of the default database the settings make from this environment (nothing is connected)."""
    result = start("from django.conf import settings; print(sorted(settings.DATABASES['default']['OPTIONS'].items()))",
                   **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


PG_URL = "postgres://wrp@db.invalid:5432/wrp"


def test_postgresql_statements_are_prepared_after_five_runs_unless_turned_off():
    assert database_options(DATABASE_URL=PG_URL) == "[('prepare_threshold', 5), ('server_side_binding', True)]"
    assert database_options(DATABASE_URL=PG_URL, DATABASE_PREPARE_THRESHOLD="2") == (
        "[('prepare_threshold', 2), ('server_side_binding', True)]")
    assert database_options(DATABASE_URL=PG_URL, DATABASE_PREPARE_THRESHOLD="0") == "[]"  # PgBouncer, transaction mode


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_statement_a_kept_connection_repeats_is_prepared_on_the_server():
    from django.db import connection

    from wrp.accounts.models import User

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    asked = "unlikely-name-of-a-prepared-statement-test"
    for _ in range(connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1):
        assert not User.objects.filter(username=asked).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert [text for text in prepared if '"accounts_user"."username" = $' in text], prepared
