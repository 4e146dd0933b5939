"""The statistics' daily job (registered on import by the app's ready())."""

from __future__ import annotations

from datetime import date
from typing import Any

from wrp.tasks.registry import periodic


@periodic("statistics.figures", every="day")
def statistics_figures(*, today: date) -> dict[str, Any]:
    """Refresh the working-day table and keep today's figures as a snapshot (wrp.statistics.precompute)."""
    from wrp.statistics.precompute import figures_precompute

    return figures_precompute(today=today)
