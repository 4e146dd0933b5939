"""How long cases take, in working days, per stage: SQL counts cases per (kind, recent?, working days) and the
percentiles are read off that distribution here — the same on PostgreSQL and SQLite, and the rows returned stay few
(one per kind and number of days) whatever the number of cases.

Stages (each counted in working days between Beijing days, the first day not counted, POLICY §3):
- acceptance (受理): from the day the materials last arrived to the acceptance — explicit or with a decision; a case
  deemed accepted (视为受理) is counted apart, as not accepted within the 5 days;
- review (窗口审核): from the acceptance to the window's conclusion — forwarded to the bureau, or decided;
- approval (区局审批): from the forwarding to the bureau's decision;
- total (办结): from submission to the decision (approved or rejected; 不予受理 excluded). Time returned for
  correction is included in every stage: it is the time people wait.
Within the time limit: decided on or before the case's due date (which already moves for corrections and extensions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from wrp.cases.models import Acceptance, Case, CaseEvent, CaseState
from wrp.statistics.models import WorkingDay
from wrp.statistics.sql import local_day, rows

STAGES = ("acceptance", "review", "approval", "total")
ACCEPTANCE_LIMIT = 5  # 行政许可法第三十二条
ACCEPTED = (Acceptance.EXPLICIT.value, Acceptance.WITH_DECISION.value)
DECIDED = (CaseState.APPROVED.value, CaseState.REJECTED.value)


def percentile(distribution: Mapping[int, int], q: float) -> float | None:
    """The q-th quantile (0 ≤ q ≤ 1) of the values counted in `distribution` ({value: count}), interpolated between
    the two nearest ranks as PostgreSQL's percentile_cont does; None when empty."""
    total = sum(distribution.values())
    if total == 0:
        return None
    position = q * (total - 1)
    lower_rank, fraction = int(position), position - int(position)
    lower = upper = None
    seen = 0
    for value in sorted(distribution):
        seen += distribution[value]
        if lower is None and seen > lower_rank:
            lower = value
        if seen > lower_rank + (1 if fraction else 0):
            upper = value
            break
    assert lower is not None
    assert upper is not None
    return lower + (upper - lower) * fraction


def _rounded(value: float | None) -> float | None:
    return None if value is None else float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Spread:
    """A stage's distribution summed up."""

    n: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, distribution: Mapping[int, int]) -> Spread:
        return cls(
            sum(distribution.values()), _rounded(percentile(distribution, 0.5)), _rounded(percentile(distribution, 0.9))
        )

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "median": self.median, "p90": self.p90}


def _tables() -> dict[str, str]:
    return {"case": Case._meta.db_table, "event": CaseEvent._meta.db_table, "wd": WorkingDay._meta.db_table}


def _forwarded() -> str:
    t = _tables()
    return f"(SELECT case_id, MAX(at) AS at FROM {t['event']} WHERE action = 'forward' GROUP BY case_id)"


def _in(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)  # constants of this module only


def _stage_sql(stage: str) -> str:
    """SELECT kind, recent (1/0), days, within (1/0), count for one stage; params: recent, since, today."""
    t = _tables()
    within, joins, start, end, where = _stage_parts(stage)
    return (
        f"SELECT c.kind, CASE WHEN e.day >= %s THEN 1 ELSE 0 END, e.ordinal - s.ordinal, {within}, COUNT(*) "
        f"FROM {t['case']} c {joins}"
        f"JOIN {t['wd']} s ON s.day = {start} JOIN {t['wd']} e ON e.day = {end} "
        f"WHERE {where} AND e.day >= %s AND e.day <= %s GROUP BY 1, 2, 3, 4"
    )


def _stage_parts(stage: str) -> tuple[str, str, str, str, str]:
    """What one stage's durations differ by: the within-limit flag, the forwarding join, the working days it starts
    and ends on, and the cases it counts."""
    decided = f"c.state IN ({_in(DECIDED)})"
    if stage == "acceptance":
        return ("0", "", local_day("c.received_at"), local_day("c.accepted_at"),
                f"c.acceptance IN ({_in(ACCEPTED)})")
    if stage == "review":
        return ("0", f"LEFT JOIN {_forwarded()} fw ON fw.case_id = c.id ", local_day("c.accepted_at"),
                local_day("COALESCE(fw.at, c.decided_at)"),
                f"c.acceptance IN ({_in((*ACCEPTED, Acceptance.DEEMED.value))}) AND (fw.at IS NOT NULL OR {decided})")
    if stage == "approval":
        return ("0", f"JOIN {_forwarded()} fw ON fw.case_id = c.id ", local_day("fw.at"), local_day("c.decided_at"),
                decided)
    if stage == "total":
        return ("CASE WHEN e.day <= c.due_on THEN 1 ELSE 0 END", "", "c.accepted_on", local_day("c.decided_at"),
                f"{decided} AND c.acceptance <> '{Acceptance.NOT_ACCEPTED.value}'")
    raise ValueError(stage)


@dataclass
class StageCounts:
    """One stage's distributions: by kind, over the whole period and over the recent part of it; and for `total`
    how many were decided within the time limit."""

    year: dict[str, Counter[int]]
    recent: dict[str, Counter[int]]
    within_year: Counter[str]
    within_recent: Counter[str]


def stage_counts(stage: str, *, today: date, since: date, recent: date) -> StageCounts:
    counts = StageCounts({}, {}, Counter(), Counter())
    for kind, is_recent, days, within, n in rows(_stage_sql(stage), [recent, since, today]):
        counts.year.setdefault(kind, Counter())[int(days)] += n
        if within:
            counts.within_year[kind] += n
        if is_recent:
            counts.recent.setdefault(kind, Counter())[int(days)] += n
            if within:
                counts.within_recent[kind] += n
    return counts


def merged(distributions: Iterable[Mapping[int, int]]) -> Counter[int]:
    total: Counter[int] = Counter()
    for distribution in distributions:
        total.update(distribution)
    return total


def deemed_count(*, since: date, today: date) -> int:
    """Cases deemed accepted (the window let the 5 working days pass) whose materials arrived in the period."""
    t = _tables()
    sql = (
        f"SELECT COUNT(*) FROM {t['case']} c WHERE c.acceptance = '{Acceptance.DEEMED.value}' "
        f"AND {local_day('c.received_at')} >= %s AND {local_day('c.received_at')} <= %s"
    )
    return int(rows(sql, [since, today])[0][0])
