"""Running `wrp` as a subprocess against a database of its own (the test database is not visible to it).

A template SQLite database is migrated once per session; each test copies it, so subprocess tests start clean and
never touch the developer's `var/` database — whichever database (SQLite or PostgreSQL) the suite itself runs on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def wrp_env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("WRP_CALENDAR_FILE", "DATABASE_URL")}
    env.update({"DATABASE_URL": f"sqlite:///{database}", "WRP_DATA_DIR": str(database.parent)})
    return env


def run_wrp(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`wrp ARGS…` (`python -m wrp.cli`) on the given SQLite database; text out."""
    return subprocess.run(
        [sys.executable, "-m", "wrp.cli", *args],
        env=wrp_env(database), capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.fixture(scope="session")
def cli_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("wrp-cli-template") / "wrp.sqlite3"
    done = run_wrp(database, "migrate", "--verbosity", "0")
    assert done.returncode == 0, done.stderr
    return database


@pytest.fixture
def cli_db(cli_template_db: Path, tmp_path: Path) -> Path:
    """A fresh, migrated SQLite database for one test's subprocesses."""
    database = tmp_path / "wrp.sqlite3"
    shutil.copyfile(cli_template_db, database)
    return database
