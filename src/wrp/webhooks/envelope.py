"""The CloudEvents 1.0 JSON envelope of an event: ids and states only (the receiver reads details through the API)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from django.conf import settings

from wrp.webhooks.models import Event

SOURCE_PATH = "/api/v1/events"


def event_source() -> str:
    return settings.SITE_URL.rstrip("/") + SOURCE_PATH


def envelope(event: Event) -> dict[str, Any]:
    """The envelope; optional attributes without a value (`subject`, `sequence`) are left out, as CloudEvents asks."""
    attributes = {
        "specversion": "1.0",
        "id": f"evt_{event.pk}",
        "source": event_source(),
        "type": event.type,
        "time": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "subject": event.subject or None,
        "datacontenttype": "application/json",
        "sequence": str(event.seq) if event.seq is not None else None,
        "data": event.data,
    }
    return {name: value for name, value in attributes.items() if value is not None}


def envelope_json(event: Event) -> str:
    return json.dumps(envelope(event), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
