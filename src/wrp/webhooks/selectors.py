"""Who sees which events and endpoints: a unit's handlers its units' (those of its events it may see, and its
endpoints); the bureau (window clerks and approvers) every event; bureau approvers the bureau's endpoints; an
applicant the events that concern them. Anyone else nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.core.errors import NotFound
from wrp.units.selectors import is_staff, units_handled_by
from wrp.webhooks.models import Delivery, Endpoint, Event


def events_visible_to(user: Any, *, unit_ids: list[int] | None = None) -> QuerySet[Event]:
    """The numbered events the user may see (optionally only those of `unit_ids` among theirs), in any order."""
    events = Event.objects.filter(seq__isnull=False)
    if not getattr(user, "is_authenticated", False):
        return events.none()
    if is_staff(user):
        return events.filter(unit_id__in=unit_ids) if unit_ids is not None else events
    if user.role == Role.UNIT_HANDLER:
        mine = list(units_handled_by(user).values_list("pk", flat=True))
        if unit_ids is not None:
            mine = [pk for pk in mine if pk in set(unit_ids)]
        return events.filter(unit_id__in=mine)
    if user.role == Role.APPLICANT:
        return events.filter(applicant_id=user.pk)
    return events.none()


def endpoints_visible_to(user: Any) -> QuerySet[Endpoint]:
    """A handler's units' endpoints; the bureau's (no unit) for bureau approvers; none for anyone else."""
    endpoints = Endpoint.objects.select_related("unit")
    if not getattr(user, "is_authenticated", False):
        return endpoints.none()
    if user.role == Role.UNIT_HANDLER:
        return endpoints.filter(unit__in=units_handled_by(user))
    if user.role == Role.BUREAU_APPROVER:
        return endpoints.filter(unit__isnull=True)
    return endpoints.none()


def endpoint_for(user: Any, pk: Any) -> Endpoint:
    try:
        endpoint = endpoints_visible_to(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        endpoint = None
    if endpoint is None:
        raise NotFound(_("未找到该接收地址，或您无权查看。"), code="webhook_endpoint_not_found")
    return endpoint


def endpoint_deliveries(endpoint: Endpoint, *, limit: int = 50) -> list[Delivery]:
    """The endpoint's delivery log, newest first, with each delivery's event."""
    return list(
        Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-created_at", "-id")[:limit]
    )
