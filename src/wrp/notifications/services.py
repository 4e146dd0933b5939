"""Telling people: `notify` writes each recipient's in-app notice once and schedules its e-mail and SMS deliveries;
the centre marks notices read; people keep their contact details, verified by a code, and their channel choices.

`notify` renders `notifications/<event>.txt` (first line the subject, the rest the body) in each recipient's own
language, as plain text (no HTML escaping); an event without its own template falls back to
`notifications/_generic.txt`. Deliveries go only to verified addresses of the channels the person switched on, and are
enqueued only after the transaction that wrote the notice commits. The context is the caller's: it must carry no
resident ID number, income or child detail (tests/notifications/test_services.py renders every template to check).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from wrp.core.errors import Invalid, NotFound
from wrp.notifications.channels import SENDERS, current_address, deliveries_enqueue, delivery_enqueue, mask_address
from wrp.notifications.models import Channel, ContactPreference, Delivery, Language, Notification

log = logging.getLogger("wrp.notifications")

GENERIC_TEMPLATE = "notifications/_generic.txt"
DJANGO_LANGUAGE = {Language.ZH: "zh-hans", Language.EN: "en"}
CODE_WINDOW = timedelta(minutes=15)
CODE_TRIES = 5  # wrong codes per address and window before the next window (the platform's cache counts them)
BULK_ROWS = 500  # rows per INSERT of `notify_many` (SQLite's limit of bound parameters)


# --- notify ---------------------------------------------------------------------------------------------------------


def notification_render(event: str, context: dict[str, Any], *, language: str) -> tuple[str, str]:
    """(subject, body) of `event` in `language` ("zh" or "en") from its template, or the generic one."""
    try:
        template = get_template(f"notifications/{event}.txt")
    except TemplateDoesNotExist:
        template = get_template(GENERIC_TEMPLATE)
    with translation.override(DJANGO_LANGUAGE.get(language, "zh-hans")):
        text = template.template.render(Context({"event": event, **context}, autoescape=False))
        tracker = _tracker_line(context.get("case_number"))
    subject, _newline, body = text.strip().partition("\n")
    return subject.strip()[:200], "\n".join(part for part in (body.strip(), tracker) if part)


def _tracker_line(case_number: str | None) -> str:
    """Every notice about a case links the public tracker (case number prefilled; the ID digits stay with the reader)."""
    if not case_number:
        return ""
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('public:track')}?case={case_number}"
    return str(_("查询办理进度：{url}")).format(url=url)


def notify(*, event: str, recipients: Iterable[Any], context: dict[str, Any], key: str, link: str = "") -> int:
    """Tell each recipient about `event` once (per key): the in-app notice, then its deliveries after commit.

    Steps: drop duplicate, missing and deactivated recipients; read their contact preferences in one query; for
    each recipient without a notice of this key, render in their language and write the notice (a concurrent
    duplicate is caught by the unique constraint and skipped); log a queued `Delivery` per wanted, verified channel
    and enqueue it after commit. Returns how many notices were created.
    """
    people = {user.pk: user for user in recipients
              if user is not None and user.pk is not None and getattr(user, "is_active", True)}
    if not people:
        return 0
    contacts = {c.user_id: c for c in ContactPreference.objects.filter(user_id__in=people)}
    taken = set(Notification.objects.filter(recipient_id__in=people, key=key).values_list("recipient_id", flat=True))
    created = 0
    for pk, user in people.items():
        if pk in taken:
            continue
        contact = contacts.get(pk)
        subject, body = notification_render(event, {**context, "recipient": user, "link": link},
                                            language=contact.language if contact else Language.ZH)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(recipient=user, event=event, key=key, subject=subject,
                                                           body=body, link=link)
        except IntegrityError:  # written meanwhile by a concurrent notify of the same key
            continue
        created += 1
        for channel in Channel:
            address = current_address(contact, channel)
            if address:
                delivery = Delivery.objects.create(notification=notification, channel=channel,
                                                   address=mask_address(channel, address))
                transaction.on_commit(partial(delivery_enqueue, delivery.pk))
    return created


@dataclass(frozen=True)
class Notice:
    """One occurrence to tell, as `notify` takes it: who, the template context, the key, the link."""

    recipients: Iterable[Any]
    context: dict[str, Any]
    key: str
    link: str = ""


def notify_many(*, event: str, notices: Iterable[Notice]) -> int:
    """`notify` for many occurrences at once (a sweep's batch): the same notices and deliveries, written set-wise.

    One query each for the contact preferences and the notices already written (of these recipients and keys), the
    new notices and their deliveries inserted in bulk in one transaction, the deliveries enqueued after it commits.
    Idempotent like `notify`: a (recipient, key) written before is skipped. When a concurrent writer of the same keys
    gets in between (the unique constraint refuses the bulk insert), the notices are told one by one by `notify`,
    which skips those. Returns how many notices were created.
    """
    notices = list(notices)
    wanted: list[tuple[Any, Notice]] = []
    for notice in notices:
        people = {user.pk: user for user in notice.recipients
                  if user is not None and user.pk is not None and getattr(user, "is_active", True)}
        wanted.extend((user, notice) for user in people.values())
    if not wanted:
        return 0
    user_ids = {user.pk for user, _notice in wanted}
    contacts = {c.user_id: c for c in ContactPreference.objects.filter(user_id__in=user_ids)}
    taken = set(Notification.objects.filter(recipient_id__in=user_ids, key__in={notice.key for notice in notices})
                .values_list("recipient_id", "key"))
    new: list[Notification] = []
    for user, notice in wanted:
        if (user.pk, notice.key) in taken:
            continue
        taken.add((user.pk, notice.key))
        contact = contacts.get(user.pk)
        subject, body = notification_render(event, {**notice.context, "recipient": user, "link": notice.link},
                                            language=contact.language if contact else Language.ZH)
        new.append(Notification(recipient=user, event=event, key=notice.key, subject=subject, body=body,
                                link=notice.link))
    if not new:
        return 0
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(new, batch_size=BULK_ROWS)
            deliveries = [
                Delivery(notification=notification, channel=channel, address=mask_address(channel, address))
                for notification in new for channel in Channel
                if (address := current_address(contacts.get(notification.recipient_id), channel))
            ]
            Delivery.objects.bulk_create(deliveries, batch_size=BULK_ROWS)
            transaction.on_commit(partial(_deliveries_enqueue, [delivery.pk for delivery in deliveries]))
    except IntegrityError:  # some were written meanwhile by a concurrent notify of the same keys
        return sum(notify(event=event, recipients=notice.recipients, context=notice.context, key=notice.key,
                          link=notice.link) for notice in notices)
    return len(new)


def _deliveries_enqueue(delivery_ids: list[int]) -> None:
    """Enqueue the deliveries of a batch, a queue task per hundred (`deliveries_enqueue`); should that fail, logged:
    they stay queued in the delivery log, as one that failed to enqueue after `notify`'s commit would."""
    try:
        deliveries_enqueue(delivery_ids)
    except Exception:
        log.exception("enqueueing %d deliveries failed; they stay queued", len(delivery_ids))


# --- the centre -----------------------------------------------------------------------------------------------------


def notification_mark_read(*, user: Any, pk: int) -> Notification:
    """Mark one of the user's notices read (NotFound for anyone else's)."""
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark every unread notice of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def delivery_log_prune(*, before: datetime) -> int:
    """Delete delivery records created before `before` (the log's retention); returns how many."""
    deleted, _counts = Delivery.objects.filter(created_at__lt=before).delete()
    return deleted


# --- contact details and preferences ----------------------------------------------------------------------------------


def contact_preference_set(*, user: Any, email: str = "", mobile: str = "", verified: bool = False,
                           email_on: bool = True, sms_on: bool = False, language: str = Language.ZH
                           ) -> ContactPreference:
    """Set a person's contact details outright (the demo and the administrator's tools; `verified` trusts them)."""
    contact, _created = ContactPreference.objects.update_or_create(user=user, defaults={
        "email": email, "mobile": mobile, "email_verified": verified and bool(email),
        "mobile_verified": verified and bool(mobile), "email_on": email_on, "sms_on": sms_on, "language": language,
    })
    return contact


def contact_of(user: Any) -> ContactPreference:
    """The person's contact preferences (unsaved defaults when they have none yet)."""
    return ContactPreference.objects.filter(user=user).first() or ContactPreference(user=user)


def contact_preference_update(*, user: Any, email: str, mobile: str, email_on: bool, sms_on: bool,
                              language: str) -> ContactPreference:
    """The person changes their own details: a changed address is unverified until its code is entered."""
    if language not in Language.values:
        raise Invalid({"language": _("未知语言。")}, codes={"language": "unknown_language"})
    if email_on and not email:
        raise Invalid({"email": _("接收电子邮件通知需要填写电子邮箱。")}, codes={"email": "email_required"})
    if sms_on and not mobile:
        raise Invalid({"mobile": _("接收短信通知需要填写手机号码。")}, codes={"mobile": "mobile_required"})
    with transaction.atomic():
        contact = ContactPreference.objects.select_for_update().filter(user=user).first() or ContactPreference(
            user=user)
        if contact.email != email:
            contact.email, contact.email_verified = email, False
        if contact.mobile != mobile:
            contact.mobile, contact.mobile_verified = mobile, False
        contact.email_on, contact.sms_on, contact.language = email_on, sms_on, language
        contact.save()
    return contact


def _code(user: Any, channel: str, address: str, window: int) -> str:
    message = f"{user.pk}:{channel}:{address}:{window}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def _window(now: datetime) -> int:
    return int(now.timestamp() // CODE_WINDOW.total_seconds())


def _address(contact: ContactPreference, channel: str) -> str:
    if channel not in Channel.values:
        raise Invalid({"channel": _("未知渠道。")}, codes={"channel": "unknown_channel"})
    address = contact.email if channel == Channel.EMAIL else contact.mobile
    if not address:
        raise Invalid({"channel": _("请先填写并保存该联系方式。")}, codes={"channel": "no_address"})
    return address


def contact_verification_send(*, user: Any, channel: str) -> None:
    """Send a six-digit code to the person's saved address of `channel` (valid for 15 to 30 minutes)."""
    contact = contact_of(user)
    address = _address(contact, channel)
    code = _code(user, channel, address, _window(timezone.now()))
    with translation.override(DJANGO_LANGUAGE.get(contact.language, "zh-hans")):
        subject = str(_("验证码：%(code)s（30 分钟内有效，请勿告诉他人）") % {"code": code})
    SENDERS[channel](address, Notification(recipient=user, event="contact.verify", key="", subject=subject,
                                           body=subject))


def contact_verify(*, user: Any, channel: str, code: str) -> ContactPreference:
    """Mark the address of `channel` verified when `code` is the one sent to it (this or the previous window); after
    `CODE_TRIES` wrong codes, refuse until the window turns."""
    contact = contact_of(user)
    address = _address(contact, channel)
    window = _window(timezone.now())
    tries = f"wrp:verify-tries:{user.pk}:{channel}:{window}"
    if cache.get(tries, 0) >= CODE_TRIES:
        raise Invalid({"code": _("验证码错误次数过多，请 15 分钟后再试。")}, codes={"code": "too_many_tries"})
    expected = (_code(user, channel, address, window), _code(user, channel, address, window - 1))
    if not any(hmac.compare_digest(code.strip(), one) for one in expected):
        cache.add(tries, 0, timeout=int(CODE_WINDOW.total_seconds()))
        cache.incr(tries)
        raise Invalid({"code": _("验证码不正确或已过期。")}, codes={"code": "wrong_code"})
    field = "email_verified" if channel == Channel.EMAIL else "mobile_verified"
    ContactPreference.objects.filter(pk=contact.pk).update(**{field: True})
    setattr(contact, field, True)
    return contact
