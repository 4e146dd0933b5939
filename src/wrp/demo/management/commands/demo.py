"""wrp demo — create the demo data set (every role, several units, cases of every kind in every state)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from wrp.demo.dataset import create_demo
from wrp.documents import signing


class Command(BaseCommand):
    help = "Create demo accounts and cases (all passwords: Demo-2026-wrp). --if-empty: only on an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")

    def handle(self, *args: Any, **options: Any) -> None:
        if signing.signing_available():  # outside production: makes the demo CA and signer in var/signing/ when none is there
            self.stdout.write(f"demo: issued documents are signed with {signing.configured_files().cert}")
        if get_user_model().objects.exists():
            if options["if_empty"]:
                self.stdout.write("demo: the database already has users; nothing added")
                return
            raise CommandError("the database already has users: run demo on an empty database", returncode=2)
        with transaction.atomic():
            create_demo(today=timezone.localdate(), log=self.stdout.write)
