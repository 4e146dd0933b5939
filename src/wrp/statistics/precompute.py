"""The daily figures (`figures_compute`) and their snapshot (`figures_precompute`, the worker's daily job).

Every figure is an SQL aggregate over the cases (indexed where a page asks live, a full scan once a day here); the
result is small JSON: counts per kind and month, per-stage distributions summed up per kind, rates, the top refusal
rules, the quotas per year and the largest units, the 好差评 levels. Periods end on the snapshot's day: the last 12
months for monthly counts, the last 365 days for the rest, the last 90 days for the public page.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wrp.cases.models import Acceptance, Case, CaseState
from wrp.cases.ratings import rating_summary
from wrp.core.days import days_range
from wrp.quotas.models import QuotaLedger, QuotaRequest
from wrp.statistics import durations
from wrp.statistics.calendar_table import calendar_table_refresh
from wrp.statistics.durations import ACCEPTANCE_LIMIT, STAGES, Spread, merged
from wrp.statistics.models import FigureSnapshot
from wrp.statistics.sql import checks_of, local_day, rows

YEAR_DAYS = 365
RECENT_DAYS = 90
MONTHS = 12
TOP_RULES = 10
TOP_UNITS = 15
QUOTA_YEARS = 3


def _month_key(value: Any) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def months_back(today: date, count: int) -> list[str]:
    """The `count` months ending with today's, oldest first, as YYYY-MM."""
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def monthly(today: date) -> dict[str, Any]:
    """Cases received (submitted to the window) and decided (approved or rejected), per month and kind."""
    months = months_back(today, MONTHS)
    first = date.fromisoformat(months[0] + "-01")
    received = (
        Case.objects.filter(accepted_on__gte=first, accepted_on__lte=today)
        .annotate(month=TruncMonth("accepted_on"))
        .values_list("month", "kind")
        .annotate(n=Count("id"))
    )
    since, until = days_range(first, today)
    decided = (
        Case.objects.filter(decided_at__gte=since, decided_at__lt=until, state__in=durations.DECIDED)
        .annotate(month=TruncMonth("decided_at"))
        .values_list("month", "kind", "state")
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, dict[str, int]]] = {m: {} for m in months}
    for month, kind, n in received:
        table[_month_key(month)].setdefault(kind, {"received": 0, "approved": 0, "rejected": 0})["received"] += n
    for month, kind, state, n in decided:
        row = table[_month_key(month)].setdefault(kind, {"received": 0, "approved": 0, "rejected": 0})
        row[state] += n
    return {"months": months, "by_month": table}


def stages(today: date) -> dict[str, Any]:
    since, recent = today - timedelta(YEAR_DAYS - 1), today - timedelta(RECENT_DAYS - 1)
    result: dict[str, Any] = {}
    for stage in STAGES:
        counts = durations.stage_counts(stage, today=today, since=since, recent=recent)
        result[stage] = {
            "kinds": {kind: Spread.of(dist).as_dict() for kind, dist in sorted(counts.year.items())},
            "all": Spread.of(merged(counts.year.values())).as_dict(),
            "recent_kinds": {kind: Spread.of(dist).as_dict() for kind, dist in sorted(counts.recent.items())},
            "recent_all": Spread.of(merged(counts.recent.values())).as_dict(),
        }
        if stage == "acceptance":
            within = sum(n for dist in counts.year.values() for days, n in dist.items() if days <= ACCEPTANCE_LIMIT)
            deemed = durations.deemed_count(since=since, today=today)
            result[stage]["within_limit"] = {
                "n": result[stage]["all"]["n"] + deemed,
                "within": within,
                "deemed": deemed,
            }
        if stage == "total":
            result[stage]["within_limit"] = {
                "kinds": {
                    kind: {"n": sum(dist.values()), "within": counts.within_year[kind]}
                    for kind, dist in sorted(counts.year.items())
                },
                "n": sum(sum(dist.values()) for dist in counts.year.values()),
                "within": sum(counts.within_year.values()),
                "recent_n": sum(sum(dist.values()) for dist in counts.recent.values()),
                "recent_within": sum(counts.within_recent.values()),
            }
    return result


def outcomes(today: date) -> dict[str, int]:
    """How the cases that ended in the last 365 days ended: approved, rejected, not accepted, withdrawn."""
    since, until = days_range(today - timedelta(YEAR_DAYS - 1), today)
    ended = (
        Case.objects.filter(decided_at__gte=since, decided_at__lt=until)
        .values_list("state", "acceptance")
        .annotate(n=Count("id"))
    )
    result = {"approved": 0, "rejected": 0, "not_accepted": 0, "withdrawn": 0}
    for state, acceptance, n in ended:
        if state == CaseState.REJECTED and acceptance == Acceptance.NOT_ACCEPTED:
            result["not_accepted"] += n
        elif state in result:
            result[state] += n
    return result


def refusal_rules(today: date) -> dict[str, Any]:
    """The rules most often behind a refusal: the checks of the frozen assessment that a rejected case did not pass
    (outcome fail, or review that staff did not accept), over the rejections of the last 365 days."""
    since = today - timedelta(YEAR_DAYS - 1)
    table = Case._meta.db_table
    spread, rule, outcome = checks_of("c.assessment")
    decided = local_day("c.decided_at")
    where = (
        f"c.state = '{CaseState.REJECTED.value}' AND c.acceptance <> '{Acceptance.NOT_ACCEPTED.value}' "
        f"AND {decided} >= %s AND {decided} <= %s"
    )
    counted = rows(
        f"SELECT {rule}, COUNT(DISTINCT c.id) FROM {table} c, {spread} WHERE {where} "
        f"AND {outcome} IN ('fail', 'review') GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP_RULES}",
        [since, today],
    )
    rejected = rows(f"SELECT COUNT(*) FROM {table} c WHERE {where}", [since, today])[0][0]
    return {"rules": [[str(r), int(n)] for r, n in counted if r], "rejected": int(rejected)}


def quotas(today: date) -> dict[str, Any]:
    """Declared (指标申报), granted, reserved and used per year, and the units with the largest grant this year."""
    years = list(range(today.year - QUOTA_YEARS + 1, today.year + 1))
    declared = dict(
        QuotaRequest.objects.filter(year__in=years)
        .values_list("year")
        .annotate(n=Sum("requested"))
        .values_list("year", "n")
    )
    ledgers = {
        year: (g or 0, r or 0, u or 0)
        for year, g, r, u in QuotaLedger.objects.filter(year__in=years)
        .values_list("year")
        .annotate(g=Sum("granted"), r=Sum("reserved"), u=Sum("used"))
        .values_list("year", "g", "r", "u")
    }
    per_year = [
        {
            "year": y,
            "declared": int(declared.get(y) or 0),
            "granted": ledgers.get(y, (0, 0, 0))[0],
            "reserved": ledgers.get(y, (0, 0, 0))[1],
            "used": ledgers.get(y, (0, 0, 0))[2],
        }
        for y in years
    ]
    top = list(
        QuotaLedger.objects.filter(year=today.year)
        .order_by("-granted", "unit_id")
        .values_list("unit_id", "unit__name", "granted", "reserved", "used")[:TOP_UNITS]
    )
    asked = dict(
        QuotaRequest.objects.filter(year=today.year, unit_id__in=[row[0] for row in top])
        .values_list("unit_id")
        .annotate(n=Sum("requested"))
        .values_list("unit_id", "n")
    )
    units = [
        {"unit": name, "declared": int(asked.get(pk) or 0), "granted": g, "reserved": r, "used": u}
        for pk, name, g, r, u in top
    ]
    unit_count = QuotaLedger.objects.filter(year=today.year).count()
    return {"years": per_year, "units": units, "unit_count": unit_count, "year": today.year}


def ratings(today: date) -> dict[str, Any]:
    summary = rating_summary((today - timedelta(YEAR_DAYS - 1), today))
    return {
        "levels": [[row.level.value, row.count] for row in summary.levels],
        "total": summary.total,
        "satisfied": summary.satisfied,
    }


def figures_compute(*, today: date) -> dict[str, Any]:
    """Every figure of the dashboard and the public page as of `today` (the working-day table refreshed first)."""
    calendar_table_refresh(today=today)
    return {
        "as_of": today.isoformat(),
        "periods": {
            "year_from": (today - timedelta(YEAR_DAYS - 1)).isoformat(),
            "recent_from": (today - timedelta(RECENT_DAYS - 1)).isoformat(),
        },
        "monthly": monthly(today),
        "stages": stages(today),
        "outcomes": outcomes(today),
        "refusals": refusal_rules(today),
        "quotas": quotas(today),
        "ratings": ratings(today),
    }


def figures_precompute(*, today: date) -> dict[str, Any]:
    """The daily job: compute the figures for `today` and keep them as that day's snapshot (again on a rerun)."""
    started = time.perf_counter()
    figures = figures_compute(today=today)
    seconds = round(time.perf_counter() - started, 3)
    FigureSnapshot.objects.update_or_create(
        day=today, defaults={"figures": figures, "computed_at": timezone.now(), "seconds": seconds}
    )
    FigureSnapshot.objects.filter(day__lt=today - timedelta(YEAR_DAYS)).delete()
    decided = Counter(figures["outcomes"])
    return {"day": today.isoformat(), "seconds": seconds, "decided": decided["approved"] + decided["rejected"]}
