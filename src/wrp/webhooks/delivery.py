"""Webhook delivery, by the worker: dispatch (events → deliveries) and send (one delivery, signed, retried).

`dispatch_soon` runs after an emitting transaction commits: when any endpoint is enabled it enqueues `webhooks_dispatch`,
which, under the sequencer's lock, numbers the committed events and makes one `Delivery` per (event, endpoint that
wants it), then enqueues `webhook_send` for each after commit. `webhook_send` claims the delivery (two workers never
send it twice), POSTs the CloudEvents JSON signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
`webhook-signature`, one `v1,` signature per live secret — a rotated secret still signs during its grace period), and
records the try in the delivery log. A failed try is retried after WEBHOOK_RETRY_SECONDS × 2^(tries−1), up to
WEBHOOK_MAX_ATTEMPTS tries; WEBHOOK_DISABLE_AFTER failed tries in a row (over all its deliveries) disable the endpoint
and tell the unit's handlers (or the bureau's approvers). Redirects are not followed; only the checked address is
called (wrp.webhooks.addresses).
"""

from __future__ import annotations

import http.client
import logging
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task
from standardwebhooks.webhooks import Webhook

from wrp.webhooks.addresses import resolve
from wrp.webhooks.envelope import envelope_json
from wrp.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, EndpointSecret, Event
from wrp.webhooks.outbox import sequence_locked, sequencer_locked

log = logging.getLogger("wrp.webhooks")
DISPATCH_BATCH = 1000
USER_AGENT = "wrp-webhooks/1"


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- dispatch -------------------------------------------------------------------------------------------------------


def dispatch_soon() -> None:
    """After an emitting commit: enqueue a dispatch when some endpoint listens (else the events wait for the API)."""
    if Endpoint.objects.filter(enabled=True).exists():
        webhooks_dispatch.enqueue()


def dispatch() -> int:
    """Number the committed events and make their deliveries; how many deliveries were made."""
    made = 0
    while True:
        with transaction.atomic():
            sequencer = sequencer_locked()
            sequence_locked(sequencer)
            events = list(Event.objects.filter(seq__gt=sequencer.dispatched_seq).order_by("seq")[:DISPATCH_BATCH])
            if not events:
                return made
            endpoints = list(Endpoint.objects.filter(enabled=True))
            deliveries = [
                Delivery(endpoint=endpoint, event=event)
                for event in events
                for endpoint in endpoints
                if endpoint.wants(event)
            ]
            # each event is dispatched once (dispatched_seq, under the lock), so these rows are all new
            ids = [delivery.pk for delivery in Delivery.objects.bulk_create(deliveries, batch_size=1000)]
            type(sequencer).objects.filter(pk=sequencer.pk).update(dispatched_seq=events[-1].seq)
            transaction.on_commit(lambda ids=ids: [send_enqueue(pk) for pk in ids])
            made += len(ids)
        if len(events) < DISPATCH_BATCH:
            return made


@task()
def webhooks_dispatch() -> int:
    return dispatch()


# --- send -----------------------------------------------------------------------------------------------------------


def send_enqueue(delivery_id: int, *, delay: timedelta | None = None) -> None:
    job = webhook_send
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + delay)
    job.enqueue(delivery_id)


def live_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    live = (
        EndpointSecret.objects.filter(endpoint=endpoint)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("-created_at", "-id")
    )
    return [row.secret for row in live]


def signed_headers(*, msg_id: str, body: str, secrets: list[str], now: datetime) -> dict[str, str]:
    stamp = datetime.fromtimestamp(int(now.timestamp()), tz=UTC).replace(tzinfo=None)
    signatures = " ".join(Webhook(secret).sign(msg_id=msg_id, timestamp=stamp, data=body) for secret in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/cloudevents+json; charset=utf-8",
        "user-agent": USER_AGENT,
    }


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address resolved and checked beforehand, with the host name for SNI and certificate checks."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST and return the status code (redirects are answers, not followed); OSError on network failure."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(host, port)
    kind = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = kind(host, address, port, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={**headers, "content-length": str(len(body))})
        response = connection.getresponse()
        response.read(4096)
        return response.status
    finally:
        connection.close()


def _claim(delivery_id: int) -> Delivery | None:
    delivery = Delivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    taken = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1
    )
    if not taken:
        return None
    delivery.attempts += 1
    return delivery


def deliver(delivery_id: int, *, manual: bool = False) -> str:
    """One try of one delivery; its status afterwards ("skipped" when not pending or taken by another worker)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    endpoint, now = delivery.endpoint, timezone.now()
    if not endpoint.enabled:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error="endpoint disabled")
        return DeliveryStatus.FAILED
    body = envelope_json(delivery.event)
    headers = signed_headers(msg_id=f"evt_{delivery.event_id}", body=body, secrets=live_secrets(endpoint, now), now=now)
    started = time.monotonic()
    status_code, error = None, ""
    try:
        status_code = post(endpoint.url, body.encode(), headers, timeout=setting("WEBHOOK_TIMEOUT_SECONDS", 10))
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except (OSError, http.client.HTTPException) as failure:
        error = f"{type(failure).__name__}: {failure}"[:300]
    duration = int((time.monotonic() - started) * 1000)
    Attempt.objects.create(
        delivery=delivery, at=now, status_code=status_code, error=error[:300], duration_ms=duration, manual=manual
    )
    if not error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED,
            delivered_at=now,
            last_status_code=status_code,
            last_error="",
            next_attempt_at=None,
        )
        Endpoint.objects.filter(pk=endpoint.pk, consecutive_failures__gt=0).update(consecutive_failures=0)
        return DeliveryStatus.SUCCEEDED
    return _failed(delivery, status_code, error, now)


def _failed(delivery: Delivery, status_code: int | None, error: str, now: datetime) -> str:
    log.warning(
        "webhook delivery %s to endpoint %s, try %s failed: %s",
        delivery.pk,
        delivery.endpoint_id,
        delivery.attempts,
        error,
    )
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    if delivery.attempts >= setting("WEBHOOK_MAX_ATTEMPTS", 8):
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_status_code=status_code, last_error=error, next_attempt_at=None
        )
        outcome = DeliveryStatus.FAILED
    else:
        delay = timedelta(seconds=setting("WEBHOOK_RETRY_SECONDS", 30) * 2 ** (delivery.attempts - 1))
        Delivery.objects.filter(pk=delivery.pk).update(
            last_status_code=status_code, last_error=error, next_attempt_at=now + delay
        )
        send_enqueue(delivery.pk, delay=delay)
        outcome = DeliveryStatus.PENDING
    failures = Endpoint.objects.filter(pk=delivery.endpoint_id).values_list("consecutive_failures", flat=True).first()
    if failures is not None and failures >= setting("WEBHOOK_DISABLE_AFTER", 30):
        from wrp.webhooks.services import endpoint_auto_disable

        endpoint_auto_disable(delivery.endpoint_id, failures=failures)
    return outcome


@task()
def webhook_send(delivery_id: int) -> str:
    return deliver(delivery_id)


def deliveries_stuck_requeue(now: datetime | None = None, *, grace: timedelta = timedelta(hours=1)) -> int:
    """Enqueue pending deliveries whose task was lost (a retry overdue, or never tried, by more than `grace`)."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, endpoint__enabled=True)
        .filter(Q(next_attempt_at__lt=now - grace) | Q(next_attempt_at__isnull=True, created_at__lt=now - grace))
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        send_enqueue(pk)
    return len(ids)
