"""Channels beyond the page: e-mail through Django's mail backends and SMS through the provider (`wrp.notifications.sms`).

Each `Delivery` is sent by the task `delivery_send`, enqueued after the notification's transaction commits. The task
claims the delivery by raising its attempt count only if nobody else did (two workers never send one delivery twice),
sends outside any transaction, and records the outcome: `sent`, or the error and — while attempts remain — a retry
after an exponential backoff (`NOTIFY_RETRY_SECONDS` × 2ⁿ); after `NOTIFY_MAX_ATTEMPTS` the delivery is `failed`.
The address is read from the person's contact details when sending; the log keeps it masked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from wrp.notifications.models import Channel, ContactPreference, Delivery, DeliveryStatus, Notification
from wrp.notifications.sms import mask_mobile, sms_provider

log = logging.getLogger("wrp.notifications")


def mask_email(email: str) -> str:
    """zh***@example.cn: the first two characters of the mailbox and the domain."""
    name, _at, domain = email.partition("@")
    return f"{name[:2]}***@{domain}"


def mask_address(channel: str, address: str) -> str:
    return mask_email(address) if channel == Channel.EMAIL else mask_mobile(address)


def absolute_link(link: str) -> str:
    if not link or "://" in link:
        return link
    return settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def email_send(address: str, notification: Notification) -> None:
    body = notification.body
    if notification.link:
        body = f"{body}\n\n{absolute_link(notification.link)}"
    message = EmailMessage(subject=notification.subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[address])
    message.send(fail_silently=False)


def sms_send(address: str, notification: Notification) -> None:
    text = f"【{settings.SMS_SIGNATURE}】{notification.subject}"
    if notification.link:
        text = f"{text} {absolute_link(notification.link)}"
    sms_provider().send(address, text)


SENDERS: dict[str, Callable[[str, Notification], None]] = {Channel.EMAIL: email_send, Channel.SMS: sms_send}


def current_address(contact: ContactPreference | None, channel: str) -> str:
    """The verified address of `channel` the person wants notices at, or "" (none, unverified or switched off)."""
    if contact is None:
        return ""
    if channel == Channel.EMAIL and contact.email_on and contact.email_verified:
        return contact.email
    if channel == Channel.SMS and contact.sms_on and contact.mobile_verified:
        return contact.mobile
    return ""


def delivery_enqueue(delivery_id: int, *, delay: timedelta | None = None) -> None:
    """Put the delivery on the task queue (later by `delay` where the backend can defer; at once otherwise)."""
    job = delivery_send
    if delay and job.get_backend().supports_defer:
        job = job.using(run_after=timezone.now() + delay)
    job.enqueue(delivery_id)


# Deliveries per queue task when a batch of notices is written at once (`deliveries_enqueue`, `deliveries_send`).
DELIVERIES_PER_TASK = 100


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """Put many deliveries on the queue (a sweep batch's): one task per DELIVERIES_PER_TASK, not one each."""
    for start in range(0, len(delivery_ids), DELIVERIES_PER_TASK):
        deliveries_send.enqueue(delivery_ids[start:start + DELIVERIES_PER_TASK])


@task()
def deliveries_send(delivery_ids: list[int]) -> dict[str, int]:
    """Send several deliveries one after the other, each exactly as `delivery_send` sends one (claimed, recorded, and
    retried on its own when it fails); how many ended in each status."""
    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        status = str(delivery_send.call(delivery_id))
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def _claim(delivery_id: int) -> Delivery | None:
    delivery = Delivery.objects.select_related("notification").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.QUEUED:
        return None
    taken = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.QUEUED, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1
    )
    if not taken:  # another worker has it
        return None
    delivery.attempts += 1
    return delivery


@task()
def delivery_send(delivery_id: int) -> str:
    """Send one delivery; returns its status afterwards."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped"
    notification = delivery.notification
    contact = ContactPreference.objects.filter(user_id=notification.recipient_id).first()
    address = current_address(contact, delivery.channel)
    if not address:  # the person switched the channel off or changed the address since
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED,
                                                       last_error="no verified address for this channel")
        return DeliveryStatus.FAILED
    try:
        SENDERS[delivery.channel](address, notification)
    except Exception as error:  # any failure of the backend or gateway is recorded, never raised to the caller
        return _failed(delivery, error)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT


def _failed(delivery: Delivery, error: Exception) -> str:
    text = f"{type(error).__name__}: {error}"[:1000]
    log.warning("delivery %s (%s) attempt %s failed: %s", delivery.pk, delivery.channel, delivery.attempts, text)
    if delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, last_error=text)
        return DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(last_error=text)
    delivery_enqueue(delivery.pk, delay=timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** (delivery.attempts - 1)))
    return DeliveryStatus.QUEUED
