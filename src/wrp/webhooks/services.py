"""Changing webhook endpoints: add, rotate the secret, disable / enable, redeliver; the automatic disabling.

Each is one transaction with an audit event; the endpoint row is locked where two people may act at once. The secret
is returned once by `endpoint_create` and `endpoint_secret_rotate` (the page shows it once); after a rotation the old
secret keeps signing for WEBHOOK_SECRET_GRACE_HOURS (Standard Webhooks allows several signatures), so the receiver can
switch without losing a message.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record, audited_atomic
from wrp.core.errors import Forbidden, Invalid, InvalidState
from wrp.units.selectors import is_handler
from wrp.webhooks.addresses import url_check
from wrp.webhooks.delivery import send_enqueue
from wrp.webhooks.models import Delivery, DeliveryStatus, Endpoint, EndpointSecret

EVENT_TYPES = (
    "case.submitted",
    "case.sent_back",
    "case.accepted",
    "case.deemed_accepted",
    "case.not_accepted",
    "case.returned",
    "case.resubmitted",
    "case.extended",
    "case.forwarded",
    "case.approved",
    "case.rejected",
    "case.withdrawn",
    "appointment.confirmed",
    "association.requested",
    "association.confirmed",
    "association.released",
    "permit.issued",
    "permit.suspended",
    "permit.renewed",
    "permit.expired",
)
MAX_ENDPOINTS = 10


def secret_new() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _may_manage(actor: Any, unit: Any) -> None:
    if unit is None:
        if getattr(actor, "role", None) != Role.BUREAU_APPROVER:
            raise Forbidden(_("只有区人力社保局审批人员可以管理局端接收地址。"), code="webhook_forbidden")
    elif not is_handler(actor, unit):
        raise Forbidden(_("只有本单位经办人可以管理本单位的接收地址。"), code="webhook_forbidden")


def _types_check(event_types: list[str]) -> list[str]:
    unknown = [name for name in event_types if name not in EVENT_TYPES]
    if unknown:
        raise Invalid(
            {"event_types": _("未知的事件类型：%(names)s") % {"names": ", ".join(unknown)}},
            code="webhook_event_type_unknown",
        )
    return sorted(set(event_types))


def endpoint_create(
    *, actor: Any, unit: Any, url: str, event_types: list[str], description: str = ""
) -> tuple[Endpoint, str]:
    """A new enabled endpoint of `unit` (None: the bureau) and its first secret, returned once."""
    _may_manage(actor, unit)
    url = url.strip()
    url_check(url)
    types = _types_check(event_types)
    with audited_atomic():
        if Endpoint.objects.filter(unit=unit).count() >= MAX_ENDPOINTS:
            raise Invalid(
                {"url": _("每个单位最多登记 %(n)s 个接收地址。") % {"n": MAX_ENDPOINTS}}, code="webhook_too_many"
            )
        endpoint = Endpoint.objects.create(
            unit=unit, url=url, event_types=types, description=description[:200], created_by=actor
        )
        secret = secret_new()
        EndpointSecret.objects.create(endpoint=endpoint, secret=secret)
        audit_record(
            actor=actor,
            action="webhook.create",
            obj=endpoint,
            changes={"url": url, "event_types": types, "unit": getattr(unit, "credit_code", None)},
        )
    return endpoint, secret


def _locked(endpoint: Endpoint) -> Endpoint:
    return Endpoint.objects.select_for_update().get(pk=endpoint.pk)


def endpoint_secret_rotate(*, actor: Any, endpoint: Endpoint) -> str:
    """A new secret (returned once); the live old ones expire after the grace period."""
    _may_manage(actor, endpoint.unit)
    now = timezone.now()
    grace = timedelta(hours=int(getattr(settings, "WEBHOOK_SECRET_GRACE_HOURS", 24)))
    with audited_atomic():
        endpoint = _locked(endpoint)
        EndpointSecret.objects.filter(endpoint=endpoint, expires_at__isnull=True).update(expires_at=now + grace)
        EndpointSecret.objects.filter(endpoint=endpoint, expires_at__lte=now).delete()
        secret = secret_new()
        EndpointSecret.objects.create(endpoint=endpoint, secret=secret, created_at=now)
        audit_record(
            actor=actor,
            action="webhook.rotate",
            obj=endpoint,
            changes={"grace_hours": grace.days * 24 + grace.seconds // 3600},
        )
    return secret


def endpoint_set_enabled(*, actor: Any, endpoint: Endpoint, enabled: bool) -> Endpoint:
    _may_manage(actor, endpoint.unit)
    with audited_atomic():
        endpoint = _locked(endpoint)
        if endpoint.enabled == enabled:
            raise InvalidState("enabled" if enabled else "disabled")
        endpoint.enabled, endpoint.consecutive_failures = enabled, 0
        endpoint.disabled_reason = "" if enabled else str(_("经办人停用"))
        endpoint.save(update_fields=["enabled", "consecutive_failures", "disabled_reason"])
        audit_record(
            actor=actor,
            action="webhook.enable" if enabled else "webhook.disable",
            obj=endpoint,
            changes={"enabled": [not enabled, enabled]},
        )
    return endpoint


def delivery_redeliver(*, actor: Any, endpoint: Endpoint, delivery_id: int) -> Delivery:
    """Send a delivery of the endpoint again (whatever its status), now, as a new try in its log."""
    _may_manage(actor, endpoint.unit)
    if not endpoint.enabled:
        raise InvalidState("disabled", _("接收地址已停用，请先启用。"))
    with audited_atomic():
        delivery = Delivery.objects.select_for_update().filter(endpoint=endpoint, pk=delivery_id).first()
        if delivery is None:
            raise Invalid({"delivery": _("未找到该投递记录。")}, code="webhook_delivery_not_found")
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, None
        delivery.save(update_fields=["status", "next_attempt_at"])
        audit_record(actor=actor, action="webhook.redeliver", obj=endpoint, changes={"delivery": delivery.pk})
        transaction.on_commit(lambda: send_enqueue(delivery.pk))
    return delivery


def endpoint_auto_disable(endpoint_id: int, *, failures: int) -> bool:
    """Disable the endpoint after too many failed tries in a row and tell those who manage it; whether it did."""
    with audited_atomic():
        endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
        if endpoint is None or not endpoint.enabled:
            return False
        endpoint.enabled = False
        endpoint.disabled_reason = str(_("连续 %(n)s 次投递失败，已自动停用") % {"n": failures})
        endpoint.save(update_fields=["enabled", "disabled_reason"])
        audit_record(actor=None, action="webhook.auto_disable", obj=endpoint, changes={"failures": failures})
        transaction.on_commit(lambda: _tell_disabled(endpoint))
    return True


def _tell_disabled(endpoint: Endpoint) -> None:
    from wrp.accounts.models import User
    from wrp.notifications.services import notify

    if endpoint.unit_id is not None:
        people = User.objects.filter(unithandler__unit_id=endpoint.unit_id, is_active=True)
        link = "/unit/webhooks/"
    else:
        people = User.objects.filter(role=Role.BUREAU_APPROVER, is_active=True)
        link = "/bureau/webhooks/"
    with transaction.atomic():
        notify(
            event="webhook.disabled",
            recipients=list(people),
            key=f"webhook.disabled:{endpoint.pk}:{timezone.now():%Y%m%d%H%M}",
            context={"endpoint_url": endpoint.url},
            link=link,
        )
