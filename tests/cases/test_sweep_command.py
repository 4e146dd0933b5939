"""`wrp sweep --today D` (issue 12 §10): a past day may be replayed, a future day is refused before anything changes
— it would expire permits that are still valid, and an expiry is not undone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_permit
from wrp.permits.models import Permit, PermitEvent, PermitStatus


@pytest.fixture
def permit_ending_today(people, today):
    return make_permit(people.applicant, people.unit, issued_on=date(2023, 11, 26), valid_until=today)


def test_a_day_after_today_is_refused_and_nothing_changes(permit_ending_today, today):
    with pytest.raises(CommandError) as refused:
        call_command("sweep", today="2026-11-27", stdout=StringIO())
    message = str(refused.value)
    assert "2026-11-27" in message
    assert "after today (2026-11-26, Asia/Shanghai)" in message
    assert "Nothing was changed" in message
    assert Permit.objects.get(pk=permit_ending_today.pk).status == PermitStatus.VALID
    assert not PermitEvent.objects.exists()


def test_the_wrp_command_exits_non_zero_with_the_message(tmp_path):
    """The real command in its own process (today unfrozen there): refused before the database is touched."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}", "WRP_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "wrp.cli", "sweep", "--today", "2999-01-01"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "--today 2999-01-01 is after today" in done.stderr
    assert "Nothing was changed" in done.stderr
    assert not (tmp_path / "none.sqlite3").exists() or (tmp_path / "none.sqlite3").stat().st_size == 0


def test_today_and_a_past_day_run(permit_ending_today, today):
    out = StringIO()
    call_command("sweep", today="2026-11-26", stdout=out)
    assert out.getvalue().startswith("2026-11-26: 0 permits expired")
    call_command("sweep", today="2026-11-20", stdout=out)
    assert Permit.objects.get(pk=permit_ending_today.pk).status == PermitStatus.VALID


def test_today_is_the_day_in_beijing_not_in_utc(people):
    """23:30 UTC on the 26th is already the 27th in Beijing: the 27th is today there, so it runs."""
    lapsing = make_permit(people.applicant, people.unit, issued_on=date(2023, 11, 26), valid_until=date(2026, 11, 26))
    with time_machine.travel(datetime(2026, 11, 26, 23, 30, tzinfo=UTC), tick=False):
        call_command("sweep", today="2026-11-27", stdout=StringIO())
        with pytest.raises(CommandError):
            call_command("sweep", today="2026-11-28", stdout=StringIO())
    assert Permit.objects.get(pk=lapsing.pk).status == PermitStatus.EXPIRED


def test_a_malformed_date_is_refused(people):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sweep", today="26/11/2026", stdout=StringIO())
