"""wrp sweep — the daily housekeeping run (idempotent; a timer or the worker calls it once a day)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date

from wrp.cases.sweep import sweep


class Command(BaseCommand):
    help = "Expire permits past valid_until, mark overdue cases, count late releases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD); default: today in Asia/Shanghai")

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["today"]) if options["today"] else timezone.localdate()
        report = sweep(today=today)
        self.stdout.write(
            f"{today}: {report.permits_expired} permits expired, {report.cases_marked_overdue} cases marked overdue, "
            f"{report.late_releases} late releases on record, {report.orphan_files_removed} orphan files removed"
        )
