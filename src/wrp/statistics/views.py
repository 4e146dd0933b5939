"""The two statistics pages: the bureau's dashboard (/bureau/statistics/, bureau approvers only) and the public live
processing figures (/statistics/, anyone, no personal data). Both read the latest daily snapshot (`FigureSnapshot`)
and the live figures (`wrp.statistics.live`); neither scans the cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from wrp.accounts.models import Role
from wrp.statistics import presenters
from wrp.statistics.live import live_figures
from wrp.statistics.models import FigureSnapshot


def _bureau_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request.user, "role", None) != Role.BUREAU_APPROVER:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def latest_snapshot() -> FigureSnapshot | None:
    return FigureSnapshot.objects.order_by("-day").first()


def _as_of(snapshot: FigureSnapshot | None) -> date | None:
    return snapshot.day if snapshot else None


@require_safe
@_bureau_only
def bureau_statistics(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    snapshot = latest_snapshot()
    live = live_figures(today)
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "as_of": _as_of(snapshot),
        "live": live,
        "oldest_waiting": date.fromisoformat(live["oldest_waiting"]) if live["oldest_waiting"] else None,
    }
    if snapshot is not None:
        context["headline"] = presenters.headline(snapshot.figures, live)
        context["figures"] = presenters.dashboard_figures(snapshot.figures, live)
        context["periods"] = {key: date.fromisoformat(value) for key, value in snapshot.figures["periods"].items()}
    return render(request, "statistics/dashboard.html", context)


@require_safe
def public_statistics(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    snapshot = latest_snapshot()
    live = live_figures(today)
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "as_of": _as_of(snapshot),
        "oldest_waiting": date.fromisoformat(live["oldest_waiting"]) if live["oldest_waiting"] else None,
    }
    if snapshot is not None:
        total = snapshot.figures["stages"]["total"]["within_limit"]
        context["within_share"] = presenters.percent(presenters.share(total["recent_within"], total["recent_n"]))
        context["decided_recent"] = total["recent_n"]
        context["figures"] = presenters.public_figures(snapshot.figures)
        context["recent_from"] = date.fromisoformat(snapshot.figures["periods"]["recent_from"])
    return render(request, "statistics/public.html", context)
