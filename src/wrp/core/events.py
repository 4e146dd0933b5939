"""Domain events: what happened, said once by the service that did it, heard by whoever cares.

A service that changes state calls `emit("case.approved", case_id=case.pk)` inside its transaction; the event is
delivered to the subscribers only after the transaction commits (never for a rolled-back change). Subscribers (the
notifications app) register in their AppConfig.ready, so the services below them never import them: dependencies
still point down (DESIGN.md §Layout). The context carries ids and plain values — never an ID number, an income or a
child's details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

Handler = Callable[[str, dict[str, Any]], None]
_subscribers: list[Handler] = []
log = logging.getLogger("wrp.events")


def subscribe(handler: Handler) -> None:
    """Hear every event from now on (idempotent: a handler registered twice hears each event once)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def emit(event: str, **context: Any) -> None:
    """Announce `event` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: _deliver(event, context))


def _deliver(event: str, context: dict[str, Any]) -> None:
    for handler in list(_subscribers):
        try:
            handler(event, context)
        except Exception:  # one subscriber's failure must not undo or block the committed change
            log.exception("event %s: subscriber %s failed", event, getattr(handler, "__qualname__", handler))
