"""docs/api-example.sh, run for real: a fresh SQLite database migrated with `wrp migrate`, `wrp runserver` on a free
port with `wrp worker` beside it (it checks the uploads), and the script against it with curl — it creates its people
with `wrp user add` / `wrp user token`, as a reader would. It must finish with exit status 0 and print the number of
a valid permit that exists in that database.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "api-example.sh"
WRP = Path(sys.executable).with_name("wrp")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_env(tmp_path) -> dict[str, str]:
    """The environment of a server of its own: its own SQLite file and data directory, development settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "WRP_", "PYTEST_"))}
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'wrp.sqlite3'}",
        "WRP_DATA_DIR": str(tmp_path / "data"),
        "PATH": f"{WRP.parent}{os.pathsep}{env.get('PATH', '')}",
    })
    migrated = subprocess.run([str(WRP), "migrate", "--noinput"], env=env, capture_output=True, text=True,
                              timeout=300, check=False)
    assert migrated.returncode == 0, migrated.stderr
    return env


@pytest.fixture
def server(server_env, tmp_path) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "wb") as log:
        processes = [
            subprocess.Popen(command, env=server_env, stdout=log, stderr=subprocess.STDOUT)
            for command in ([str(WRP), "runserver", f"127.0.0.1:{port}", "--noreload"],
                            [str(WRP), "worker", "--interval", "0.2"])
        ]
        try:
            _wait_for(f"{url}/api/v1/openapi.json", processes[0], timeout=60)
            yield url
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_for(url: str, process: subprocess.Popen, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped before it answered"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {timeout} s")


def test_the_example_takes_a_new_unit_to_its_first_permit(server, server_env, tmp_path):
    result = subprocess.run(
        ["bash", str(SCRIPT)], env={**server_env, "WRP_URL": server, "WRP": str(WRP)}, capture_output=True,
        text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:] + (tmp_path / "server.log").read_text()[-4000:]
    number = result.stdout.strip().splitlines()[-1]
    with sqlite3.connect(tmp_path / "wrp.sqlite3") as database:
        rows = database.execute(
            "SELECT permit.status, permit.valid_until, holder.role FROM permits_permit AS permit"
            " JOIN accounts_user AS holder ON holder.id = permit.holder_id WHERE permit.number = ?", (number,)
        ).fetchall()
    assert len(rows) == 1
    status, _valid_until, holder_role = rows[0]
    assert (status, holder_role) == ("valid", "applicant")
    for step in ("returned", "in_review", "pending_approval", "account open in chaoyang"):
        assert step in result.stderr
