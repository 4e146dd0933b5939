"""What a person's notification centre shows: their own notices, newest first, and how many are unread."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from wrp.notifications.models import Notification


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    """One query, however many notices the person has (the index notification_unread serves it). The header's bell
    asks it on every signed-in page, so its SQL is written once here rather than built by the ORM each time: 0.11 ms
    of CPU instead of 0.55 (bench/pages.py's pages take 10–20). The same statement on SQLite and PostgreSQL."""
    if getattr(user, "pk", None) is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_UNREAD_SQL, [user.pk])
        return int(cursor.fetchone()[0])


def _unread_sql() -> str:
    meta = Notification._meta
    column = {field.name: field.column for field in meta.concrete_fields}
    return (f'SELECT COUNT(*) FROM "{meta.db_table}" WHERE "{column["recipient"]}" = %s '
            f'AND "{column["read_at"]}" IS NULL')


_UNREAD_SQL = _unread_sql()
