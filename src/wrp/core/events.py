"""Domain events: what happened, said once by the service that did it, heard by whoever cares.

A service that changes state calls `emit("case.approved", case_id=case.pk)` inside its transaction; the event is
delivered to the subscribers only after the transaction commits (never for a rolled-back change). Subscribers (the
notifications app) register in their AppConfig.ready, so the services below them never import them: dependencies
still point down (DESIGN.md §Layout). The context carries ids and plain values — never an ID number, an income or a
child's details.

Recorders (`record_with`, the webhooks app's persistent outbox) hear each event *inside* the emitting transaction, so
the record commits or rolls back with the change it describes; a recorder's failure fails the transaction (an event
must not be lost). `emit_many(event, contexts)` announces one event per context with one call to each recorder — for
bulk emitters (the permit sweep) that must not write their records row by row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction

Handler = Callable[[str, dict[str, Any]], None]
Recorder = Callable[[str, Sequence[dict[str, Any]]], None]
_subscribers: list[Handler] = []
_recorders: list[Recorder] = []
log = logging.getLogger("wrp.events")


def subscribe(handler: Handler) -> None:
    """Hear every event from now on (idempotent: a handler registered twice hears each event once)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def record_with(recorder: Recorder) -> None:
    """Have `recorder(event, contexts)` called inside every emitting transaction (idempotent, like `subscribe`)."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def emit(event: str, **context: Any) -> None:
    """Record `event` now (in the caller's transaction) and announce it once the transaction commits (at once
    outside a transaction)."""
    for recorder in list(_recorders):
        recorder(event, [context])
    transaction.on_commit(lambda: _deliver(event, context))


def emit_many(event: str, contexts: Iterable[dict[str, Any]]) -> None:
    """`emit(event, **context)` for each context, with one call to each recorder and one commit hook for them all."""
    batch = [dict(context) for context in contexts]
    if not batch:
        return
    for recorder in list(_recorders):
        recorder(event, batch)
    transaction.on_commit(lambda: [_deliver(event, context) for context in batch])


def _deliver(event: str, context: dict[str, Any]) -> None:
    for handler in list(_subscribers):
        try:
            handler(event, context)
        except Exception:  # one subscriber's failure must not undo or block the committed change
            log.exception("event %s: subscriber %s failed", event, getattr(handler, "__qualname__", handler))
