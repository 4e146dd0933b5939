"""The three doors of contracts/assessment.md, each called the way its clients call it.

Every door takes the request as JSON bytes (the Python door also as the parsed dict) and answers `(ok, body)`: `ok`
True with the response object, or False with the error object. Tests compare the doors through these helpers only.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from wrp.cli import assess_command
from wrp.policy import InvalidRequest, assess

EXAMPLE_REQUEST_FILE = Path(__file__).with_name("example_request.json")
ASSESSMENTS_URL = "/api/v1/assessments"


def example_request() -> dict[str, Any]:
    return json.loads(EXAMPLE_REQUEST_FILE.read_text(encoding="utf-8"))


def as_bytes(request: Any) -> bytes:
    return json.dumps(request, ensure_ascii=False).encode()


def python_door(request: Any, lang: str = "zh") -> tuple[bool, dict[str, Any]]:
    """wrp.policy.assess(request), with the default calendar and wage table."""
    try:
        return True, assess(request, lang=lang).as_json_dict()
    except InvalidRequest as invalid:
        return False, invalid.as_json_dict(lang)


def cli_door_in_process(raw: bytes, lang: str = "zh") -> tuple[bool, dict[str, Any]]:
    """`wrp assess --lang LANG` with the request on standard input, called in this process."""
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    stdout, stderr = io.StringIO(), io.StringIO()
    status = assess_command(["--lang", lang], stdin, stdout, stderr)
    if status == 0:
        assert stderr.getvalue() == ""
        return True, single_json_object(stdout.getvalue())
    assert status == 2, f"exit status {status}"
    assert stdout.getvalue() == "", "nothing on standard output for an invalid request"
    return False, single_json_object(stderr.getvalue())


def http_door(client: Any, raw: bytes, lang: str = "zh") -> tuple[bool, dict[str, Any]]:
    """POST /api/v1/assessments through the Django test client."""
    headers = {"Accept-Language": "en"} if lang == "en" else {}
    response = client.post(ASSESSMENTS_URL, raw, content_type="application/json", headers=headers)
    assert response.status_code in (200, 422), (response.status_code, response.content[:500])
    return response.status_code == 200, response.json()


def single_json_object(text: str) -> dict[str, Any]:
    """The text is exactly one JSON object (one line, trailing newline allowed)."""
    assert text.count("\n") <= 1, repr(text[:500])
    assert text.strip(), "an empty answer"
    value = json.loads(text)
    assert isinstance(value, dict)
    return value


def wrp_env(**extra: str) -> dict[str, str]:
    """The environment for a `wrp` subprocess: ours, without an administrator's calendar file unless given."""
    env = {key: value for key, value in os.environ.items() if key != "WRP_CALENDAR_FILE"}
    env.update(extra)
    return env


def run_wrp(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`wrp ARGS…` as a subprocess (`python -m wrp.cli`), bytes in and out."""
    return subprocess.run(
        [sys.executable, "-m", "wrp.cli", *args],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=env if env is not None else wrp_env(),
        timeout=60,
        check=False,
    )
