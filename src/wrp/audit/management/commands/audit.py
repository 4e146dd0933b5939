"""wrp audit verify — check the hash chain of the audit trail; report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrp.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools: `verify` checks the hash chain and reports the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"audit chain intact: {result.checked} events")
            return
        raise CommandError(
            f"audit chain broken at event {result.broken_at}: {result.reason} ({result.checked} events intact before it)"
        )
