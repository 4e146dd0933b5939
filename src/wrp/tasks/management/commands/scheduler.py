"""wrp scheduler — enqueue the periodic jobs once per period; run one or several (they agree through the database)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from wrp.tasks.scheduler import scheduler_tick


class Command(BaseCommand):
    help = "Enqueue each periodic job once per day or hour (loop; --once for a single tick from cron or a test)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="tick once and exit")
        parser.add_argument(
            "--interval", type=int, default=None, help="seconds between ticks (default: WRP_SCHEDULER_INTERVAL_SECONDS)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for run in scheduler_tick():
                self.stdout.write(f"scheduler: enqueued {run.job} for {run.period}")
            return
        interval = options["interval"] or settings.TASKS_SCHEDULER_INTERVAL_SECONDS
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"scheduler: ticking every {interval} s (Ctrl-C stops)")
        while not stop.is_set():
            scheduler_tick()  # logs what it enqueued (wrp.tasks)
            close_old_connections()
            stop.wait(interval)
        self.stdout.write("scheduler: stopped")
