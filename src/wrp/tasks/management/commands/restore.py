"""wrp restore ARCHIVE — check an archive of `wrp backup` whole, then put its database and files in place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrp.tasks.backup.services import BackupFailed, backup_restore


class Command(BaseCommand):
    help = ("Restore an archive of `wrp backup`: every member is checked against its SHA-256 before anything changes; "
            "a database that is not empty is replaced only with --force. Stop the platform first. Then the audit "
            "chain and every stored file are checked.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", metavar="ARCHIVE")
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"restore failed: {archive} is not a file")
        try:
            report = backup_restore(archive, force=options["force"], progress=self.stdout.write)
        except BackupFailed as failure:
            raise CommandError(f"restore failed: {failure}") from None
        for problem in report.file_problems[:20]:
            self.stderr.write(f"  {problem}")
        if not report.ok:
            raise CommandError(f"restored, but the checks failed: {report.audit_message}; "
                               f"{len(report.file_problems)} stored files missing or altered")
        self.stdout.write(self.style.SUCCESS(f"restored from {archive}: checks passed"))
