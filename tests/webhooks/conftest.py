"""Webhook tests: a receiver on 127.0.0.1 (http.server in a thread) that verifies each message's Standard Webhooks
signature with the `standardwebhooks` package, and `worker()`, which runs the queued tasks that are due (the database
task backend, as in production; the clock moves with `frozen_clock`, never by sleeping)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.api.conftest import Api, Caller  # noqa: F401  (the API personas)
from tests.api.conftest import _empty_cache as _empty_cache
from tests.api.conftest import api as api
from tests.api.conftest import people as people


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    failures_left: int = 0  # answer 500 to this many requests first
    received: list[dict[str, Any]] = field(default_factory=list)  # verified messages, in arrival order
    refused: int = 0  # requests whose signature did not verify
    requests: int = 0
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        return [message["id"] for message in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            with receiver.lock:
                receiver.requests += 1
                receiver.headers.append(dict(self.headers))
                if receiver.failures_left > 0:
                    receiver.failures_left -= 1
                    self._answer(500)
                    return
                try:
                    message = Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError:
                    receiver.refused += 1
                    self._answer(400)
                    return
                receiver.received.append(message)
            self._answer(204)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.WEBHOOK_ALLOW_LOCAL = True
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker(django_capture_on_commit_callbacks) -> Callable[[], int]:
    """Run every queued task that is due now (and those they queue that are due), as the worker would; how many."""

    def run() -> int:
        ran = 0
        while True:
            due = DBTaskResult.objects.ready().order_by("enqueued_at", "id").first()
            if due is None:
                return ran
            due.claim("test-worker")
            with django_capture_on_commit_callbacks(execute=True):
                try:
                    value = due.task.call(*due.args_kwargs["args"], **due.args_kwargs["kwargs"])
                except Exception as error:  # recorded as the worker would, and shown by the test's log
                    due.set_failed(error)
                    raise  # no task of these tests may fail
                else:
                    due.set_successful(value)
            ran += 1

    return run


def json_of(response: Any) -> Any:
    return json.loads(response.content)
