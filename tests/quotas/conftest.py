"""Quota tests: the shared personas of tests/conftest.py on a frozen today of their own, 2025-06-10, 10:00 in Beijing."""

from datetime import date

import pytest

from tests.clock import beijing

TODAY = date(2025, 6, 10)


@pytest.fixture
def frozen_moment():
    return beijing(2025, 6, 10)


@pytest.fixture(autouse=True)
def _frozen_today(today):
    """Every test here runs on TODAY."""
