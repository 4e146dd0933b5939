"""The log's shape (settings.LOGGING): one JSON object per line through structlog (WRP_LOG_FORMAT=json, production's
default), or plain text (`plain`, the default of development and tests).

Every record, whichever the format, goes through `ContextFilter` on the handler: it adds the id of the request being
served (wrp.audit.context.request_id, also the X-Request-ID header, the number on the error page and the audit
events' request_id; "-" outside a request) and masks anything shaped like a resident ID number (18 characters: 17
digits and a digit or X) in the message and its arguments, so a careless log call cannot put one in the log.
The platform logs through the standard library (`logging.getLogger("wrp.…")`); structlog renders the JSON and
its own loggers (`structlog.get_logger()`) go the same way.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import structlog

from wrp.audit.context import request_id

RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
MASK = "[ID]"


def mask_resident_ids(text: str) -> str:
    return RESIDENT_ID.sub(MASK, text)


class ContextFilter(logging.Filter):
    """Adds `request_id`; masks resident ID numbers in the message (formatted once here, arguments folded in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a request's 4xx/5xx answer (django.request) after the middleware has finished: the id is then
        # read from the request the record carries.
        record.request_id = request_id.get() or getattr(getattr(record, "request", None), "request_id", "") or "-"
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to the formatter to report
            return True
        masked = mask_resident_ids(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def _request_id(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    event.setdefault("request_id", getattr(record, "request_id", None) or request_id.get() or "-")
    return event


def _mask_strings(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    event.pop("request", None)  # django.request's request object: its repr is the path and query, kept out
    for key, value in event.items():
        if isinstance(value, str) and not key.startswith("_"):
            event[key] = mask_resident_ids(value)
    return event


SHARED = [
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(),
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
    _request_id,
]


def configure_structlog() -> None:
    """structlog's own loggers hand their events to the standard library, where the handlers below render them."""
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def json_formatter() -> logging.Formatter:
    """The JSON formatter (dictConfig `"()"` factory): time, level, logger, event, request_id, extra fields, and the
    traceback as text under `exception`."""
    configure_structlog()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            _mask_strings,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
