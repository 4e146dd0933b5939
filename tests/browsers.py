"""One Debian Chromium for the whole test session, shared by every browser test (Playwright's sync API allows one
driver per thread: a second `sync_playwright()` in the same session fails)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_session: dict[str, Any] = {}


def chromium() -> Any:
    """The session's browser, launched on first use; tests skip (outside CI) when Debian chromium is missing."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian chromium (/usr/bin/chromium) is required on CI: scripts/ensure-browser.sh installs it")
        pytest.skip("Debian chromium not installed (/usr/bin/chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync API runs an event loop in the test thread
    if "browser" not in _session:
        from playwright.sync_api import sync_playwright

        _session["driver"] = sync_playwright().start()
        _session["browser"] = _session["driver"].chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    return _session["browser"]


def close() -> None:
    if "browser" in _session:
        _session.pop("browser").close()
        _session.pop("driver").stop()
