"""wrp sweep — the daily housekeeping run (idempotent; a timer or the worker calls it once a day).

`--today` may replay a past day (a missed run) but never a future one: running as of a later day would expire permits
that are still valid, and an expiry is not undone by running again. Such a date is refused before anything is
touched, with exit status 1.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wrp.cases.sweep import sweep


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Expire permits past valid_until, mark overdue cases, count late releases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD, not after today); default: today in "
                                            "Asia/Shanghai")

    def handle(self, *args: Any, **options: Any) -> None:
        real_today = timezone.localdate()  # Asia/Shanghai (TIME_ZONE)
        today = _day(options["today"]) if options["today"] else real_today
        if today > real_today:
            raise CommandError(
                f"--today {today.isoformat()} is after today ({real_today.isoformat()}, Asia/Shanghai): a sweep as of "
                "a future day would expire permits that are still valid. Nothing was changed."
            )
        report = sweep(today=today)
        self.stdout.write(
            f"{today}: {report.permits_expired} permits expired, {report.cases_marked_overdue} cases marked overdue, "
            f"{report.late_releases} late releases on record, {report.orphan_files_removed} orphan files removed, "
            f"{report.upload_checks_tidied} upload checks tidied"
        )
