"""What a person's notification centre shows: their own notices, newest first, and how many are unread."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wrp.notifications.models import Notification


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """One query, however many notices the person has."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
