"""The notification channels as getting an account needs them (wrp.accounts.codes.ContactChannels).

Registration and password reset (wrp.accounts.registration) live in the accounts app, below this one, so they cannot
import the channels: this app hands them over at start-up (`NotificationsConfig.ready`). A one-time code is sent at
once through the channel's sender (e-mail through Django's mail backend, SMS through the provider), not queued: the
person waits for it, and a failure must reach the page. It is no notice, so nothing is written for it.
"""

from __future__ import annotations

from typing import Any

from wrp.notifications.channels import SENDERS
from wrp.notifications.models import Channel, ContactPreference, Notification
from wrp.notifications.services import contact_preference_set


class NotificationContacts:
    def code_send(self, *, channel: str, address: str, text: str) -> None:
        SENDERS[Channel(channel)](address, Notification(event="account.code", key="", subject=text, body=text))

    def contacts_record(self, *, user: Any, email: str, mobile: str, language: str) -> None:
        contact_preference_set(user=user, email=email, mobile=mobile, verified=True, language=language)

    def verified_addresses(self, user: Any) -> dict[str, str]:
        contact = ContactPreference.objects.filter(user=user).first()
        if contact is None:
            return {}
        addresses = {Channel.SMS.value: contact.mobile if contact.mobile_verified else "",
                     Channel.EMAIL.value: contact.email if contact.email_verified else ""}
        return {channel: address for channel, address in addresses.items() if address}

    def users_verified_at(self, *, channel: str, address: str) -> list[int]:
        if channel == Channel.EMAIL:
            found = ContactPreference.objects.filter(email__iexact=address, email_verified=True)
        else:
            found = ContactPreference.objects.filter(mobile=address, mobile_verified=True)
        return list(found.values_list("user_id", flat=True)[:10])
