"""Browser tests: one Debian Chromium for the whole session, driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse database work as "async
unsafe"; the tests drive a browser and the server runs in its own thread, so the check is switched off here.
Screenshots go to test-output/screenshots/ at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> object:
    from tests.browsers import chromium

    return chromium()


@pytest.fixture(autouse=True)
def _staff_second_factor_on(settings) -> None:
    """The journeys sign staff in as production does: password, then the 动态验证码 step (journey_helpers.current_code)."""
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
