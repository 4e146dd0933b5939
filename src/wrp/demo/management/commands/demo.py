"""wrp demo — create the demo data set (every role, several units, cases of every kind in every state); with
`--scale N`, N more cases on top of it (`wrp.demo.scale`), the demo itself first when the database is empty."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from wrp.demo.dataset import create_demo
from wrp.demo.scale import build, summary
from wrp.documents import signing


class Command(BaseCommand):
    help = "Create demo accounts and cases (all passwords: Demo-2026-wrp). --if-empty: only on an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing when any user exists")
        parser.add_argument("--scale", type=int, metavar="N",
                            help="add N cases (units, people, permits) on top of the demo's, for benchmarks")
        parser.add_argument("--permits", type=int, metavar="M",
                            help="with --scale: M permits in all, M - (those of the cases) held without a case "
                                 "(default N)")
        parser.add_argument("--no-audit", action="store_true",
                            help="with --scale: no audit events for the cases' decisions and permits")

    def handle(self, *args: Any, **options: Any) -> None:
        if signing.signing_available():  # outside production: makes the demo CA and signer in var/signing/ when none is there
            self.stdout.write(f"demo: issued documents are signed with {signing.configured_files().cert}")
        scale = options.get("scale")
        if scale is not None and scale < 1:
            raise CommandError("--scale takes a number of cases, at least 1", returncode=2)
        if scale is not None and get_user_model().objects.exists():
            self._scale(scale, options.get("permits"), audit=not options.get("no_audit"))
            return
        if get_user_model().objects.exists():
            if options["if_empty"]:
                self.stdout.write("demo: the database already has users; nothing added")
                return
            raise CommandError("the database already has users: run demo on an empty database", returncode=2)
        with transaction.atomic():
            create_demo(today=timezone.localdate(), log=self.stdout.write)
        if scale is not None:
            self._scale(scale, options.get("permits"), audit=not options.get("no_audit"))

    def _scale(self, n: int, permits: int | None, *, audit: bool) -> None:
        started = time.monotonic()
        counts = build(n, permits=permits, audit=audit)
        self.stdout.write(f"demo --scale: {summary(counts)} in {time.monotonic() - started:.1f} s")
