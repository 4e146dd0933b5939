"""wrp worker — run the jobs on the queue: django-tasks-db's worker, or an RQ worker when WRP_TASKS_BACKEND=rq.

Start as many as the load needs, on one node or several (docs/workers.md): each claims a queued task under a row lock
(database) or from Redis (RQ), so no task runs twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wrp.tasks.heartbeat import start_heartbeat


class Command(BaseCommand):
    help = "Run a background worker for the configured task backend (database or RQ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit (cron, tests)")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls of an empty queue")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = None if options["batch"] else start_heartbeat()  # read by /health/ready (wrp.tasks.heartbeat)
        try:
            self._work(options)
        finally:
            if heartbeat is not None:
                heartbeat.set()

    def _work(self, options: dict[str, Any]) -> None:
        if settings.TASKS_BACKEND == "rq":
            self._rq(batch=options["batch"], max_tasks=options["max_tasks"])
            return
        db_options: dict[str, Any] = {"interval": options["interval"], "reload": False, "queue_name": "*"}
        if options["batch"]:
            db_options.update(batch=True, startup_delay=False)
        if options["max_tasks"]:
            db_options["max_tasks"] = options["max_tasks"]
        call_command("db_worker", verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr, **db_options)

    def _rq(self, *, batch: bool, max_tasks: int | None) -> None:
        from wrp.tasks.rq import rq_worker

        rq_worker(burst=batch, max_jobs=max_tasks)
