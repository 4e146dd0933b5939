"""Personas (tests/factories.py) and a frozen today: 2025-06-10, 10:00 in Beijing."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import Personas, make_personas

TODAY = date(2025, 6, 10)


@pytest.fixture(autouse=True)
def _frozen_today(time_machine):
    time_machine.move_to(datetime(2025, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def people(db) -> Personas:
    return make_personas()
