"""The two figures read live, each one index-backed count over the open cases only (the `state` indexes), never a
scan of every case: the cases overdue now, and the day the window's oldest case still awaiting acceptance arrived.
The public page keeps them in the cache for LIVE_SECONDS."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Min
from django.utils import timezone

from wrp.cases.models import Case
from wrp.cases.workflow import AWAITING_ACCEPTANCE, RUNNING
from wrp.policy_runtime import policy_calendar

LIVE_SECONDS = 300
CACHE_KEY = "statistics:live:v1"


def last_working_day(today: date) -> date:
    """The latest working day on or before today (an unloaded year: weekends only)."""
    return policy_calendar().add_workdays(today + timedelta(days=1), -1, provisional=True)


def overdue_now(today: date) -> dict[str, int]:
    """Open cases whose clock runs and whose due date is past: at least one working day after the due date has
    begun by today (`wrp.cases.clock`: working days left < 0). Per kind."""
    cutoff = last_working_day(today)
    counted = (
        Case.objects.filter(state__in=sorted(RUNNING), paused_on__isnull=True, due_on__lt=cutoff)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return dict(counted)


def oldest_waiting() -> date | None:
    """The day the oldest case still awaiting acceptance arrived at the window (None when none waits)."""
    first = Case.objects.filter(
        state__in=sorted(AWAITING_ACCEPTANCE), accepted_at__isnull=True, acceptance="", received_at__isnull=False
    ).aggregate(first=Min("received_at"))["first"]
    return timezone.localdate(first) if first else None


def live_figures(today: date, *, cached: bool = True) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        waiting = oldest_waiting()
        return {
            "today": today.isoformat(),
            "overdue": overdue_now(today),
            "oldest_waiting": waiting.isoformat() if waiting else None,
        }

    if not cached:
        return compute()
    figures: dict[str, Any] | None = cache.get(CACHE_KEY)
    if figures is None or figures.get("today") != today.isoformat():
        figures = compute()
        cache.set(CACHE_KEY, figures, LIVE_SECONDS)
    return figures
