"""The event feed and the webhook endpoints through the API (issue 15 §5).

`GET /api/v1/events?after=<cursor>&limit=` replays, in order, every event the caller may see (a unit handler: their
units'; window clerks and bureau approvers: all; an applicant: those concerning them) as CloudEvents 1.0 JSON
envelopes carrying ids and states only; `next` is the cursor to ask from next time (the last `sequence` returned, or
`after` itself when nothing is new). The cursor is the event's `sequence`, given in commit order, so a receiver that
was down asks from its last cursor and gets every event it missed, once.

`/webhooks` lists, adds and changes the caller's endpoints (a unit handler for their units, a bureau approver for the
bureau): the secret is in the answer of `POST /webhooks` and `POST /webhooks/{id}/rotate` only.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from wrp.api.auth import AUTH, actor
from wrp.api.idempotency import idempotent
from wrp.api.schemas import refusals
from wrp.core.errors import Invalid
from wrp.units.selectors import units_handled_by
from wrp.webhooks.envelope import envelope
from wrp.webhooks.outbox import events_sequence
from wrp.webhooks.selectors import endpoint_deliveries, endpoint_for, endpoints_visible_to, events_visible_to
from wrp.webhooks.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_secret_rotate,
    endpoint_set_enabled,
)

router = Router(auth=AUTH, tags=["events"])
MAX_LIMIT = 1000


class EventsQuery(Schema):
    after: int = Field(0, ge=0, description="the `next` of the previous answer (0: from the beginning)")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    unit: str | None = Field(None, description="only the events of this unit (credit code), among those you see")


class EventsOut(Schema):
    items: list[dict[str, Any]]
    next: int = Field(description="ask `?after=<next>` for what follows")
    more: bool = Field(description="true when `limit` cut the answer short")


def _responses(status: int, schema: Any, *errors: int) -> dict[int, Any]:
    return {status: schema, **refusals(*errors)}


@router.get("/events", response=_responses(200, EventsOut, 403, 422), summary="Replay the events you may see")
def list_events(request: HttpRequest, query: Query[EventsQuery]) -> dict[str, Any]:
    user = actor(request)
    unit_ids = None
    if query.unit:
        from wrp.units.models import Unit

        unit_ids = list(Unit.objects.filter(credit_code=query.unit).values_list("pk", flat=True))
    events_sequence()  # number what has committed, so nothing committed is skipped by a later cursor
    rows = list(
        events_visible_to(user, unit_ids=unit_ids).filter(seq__gt=query.after).order_by("seq")[: query.limit + 1]
    )
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {"items": [envelope(event) for event in rows], "next": rows[-1].seq if rows else query.after, "more": more}


# --- endpoints --------------------------------------------------------------------------------------------------------


class EndpointIn(Schema):
    unit: str | None = Field(None, description="credit code (a unit handler); omit for the bureau (bureau approver)")
    url: str = Field(max_length=500)
    event_types: list[str] = Field(default_factory=list, description="empty: every type")
    description: str = Field("", max_length=200)


class EndpointOut(Schema):
    id: int
    unit: str | None
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: str
    consecutive_failures: int
    secret: str | None = Field(None, description="present only when just created or rotated")


class DeliveryOut(Schema):
    id: int
    event: str
    type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: str
    delivered_at: str | None


def endpoint_json(endpoint: Any, secret: str | None = None) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "unit": endpoint.unit.credit_code if endpoint.unit_id else None,
        "url": endpoint.url,
        "event_types": endpoint.event_types,
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "consecutive_failures": endpoint.consecutive_failures,
        "secret": secret,
    }


@router.get("/webhooks", response=_responses(200, list[EndpointOut], 403), summary="Your webhook endpoints")
def list_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [endpoint_json(endpoint) for endpoint in endpoints_visible_to(actor(request)).order_by("id")]


@router.post("/webhooks", response=_responses(201, EndpointOut, 403, 409, 422), summary="Add a webhook endpoint")
@decorate_view(idempotent)
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[dict[str, Any]]:
    user = actor(request)
    unit = None
    if payload.unit:
        unit = units_handled_by(user).filter(credit_code=payload.unit).first()
        if unit is None:
            raise Invalid({"unit": _("单位不存在，或您不能为其办理。")}, code="unknown_unit")
    endpoint, secret = endpoint_create(
        actor=user, unit=unit, url=payload.url, event_types=payload.event_types, description=payload.description
    )
    return Status(201, endpoint_json(endpoint, secret))


@router.post(
    "/webhooks/{endpoint_id}/rotate",
    response=_responses(200, EndpointOut, 403, 404),
    summary="A new secret (the old one signs for the grace period)",
)
def rotate_endpoint(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    user = actor(request)
    endpoint = endpoint_for(user, endpoint_id)
    secret = endpoint_secret_rotate(actor=user, endpoint=endpoint)
    return endpoint_json(endpoint, secret)


@router.post(
    "/webhooks/{endpoint_id}/disable",
    response=_responses(200, EndpointOut, 403, 404, 409),
    summary="Disable an endpoint (nothing is sent to it until enabled)",
)
def disable_endpoint(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    user = actor(request)
    return endpoint_json(endpoint_set_enabled(actor=user, endpoint=endpoint_for(user, endpoint_id), enabled=False))


@router.post(
    "/webhooks/{endpoint_id}/enable",
    response=_responses(200, EndpointOut, 403, 404, 409),
    summary="Enable an endpoint again (its failure count starts afresh)",
)
def enable_endpoint(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    user = actor(request)
    return endpoint_json(endpoint_set_enabled(actor=user, endpoint=endpoint_for(user, endpoint_id), enabled=True))


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response=_responses(200, list[DeliveryOut], 403, 404),
    summary="The endpoint's delivery log, newest first",
)
def list_deliveries(request: HttpRequest, endpoint_id: str) -> list[dict[str, Any]]:
    endpoint = endpoint_for(actor(request), endpoint_id)
    return [
        {
            "id": d.pk,
            "event": f"evt_{d.event_id}",
            "type": d.event.type,
            "status": d.status,
            "attempts": d.attempts,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "created_at": d.created_at.isoformat(),
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
        }
        for d in endpoint_deliveries(endpoint, limit=200)
    ]


@router.post(
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
    response=_responses(202, dict[str, Any], 403, 404, 409, 422),
    summary="Send a delivery again",
)
def redeliver(request: HttpRequest, endpoint_id: str, delivery_id: int) -> Status[dict[str, Any]]:
    user = actor(request)
    endpoint = endpoint_for(user, endpoint_id)
    delivery = delivery_redeliver(actor=user, endpoint=endpoint, delivery_id=delivery_id)
    return Status(202, {"id": delivery.pk, "status": delivery.status})
