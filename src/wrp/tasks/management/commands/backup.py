"""wrp backup DEST — one archive of the database and the private files, with the SHA-256 of every member."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrp.tasks.backup.services import BackupFailed, backup_write


class Command(BaseCommand):
    help = ("Write one archive (tar, 0600) holding a consistent snapshot of the database, the private files and a "
            "manifest of SHA-256 sums. DEST is a new file, or a directory to put wrp-backup-<time>.tar in.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", metavar="DEST", help="a new archive file, or an existing directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = backup_write(Path(options["destination"]), progress=self.stdout.write)
        except BackupFailed as failure:
            raise CommandError(f"backup failed: {failure}") from None
        self.stdout.write(self.style.SUCCESS(f"done: {written}"))
