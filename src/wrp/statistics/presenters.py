"""The snapshot's figures as the pages show them: each figure a chart (`charts.bar_chart`) and the table of the same
numbers beside it, with words in the page's language (Chinese first, English through gettext)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from wrp.cases.models import RatingLevel
from wrp.core.language import page_language
from wrp.policy.codes import Service
from wrp.policy.items import ITEMS
from wrp.policy.labels import label
from wrp.statistics.charts import Series, bar_chart
from wrp.statistics.durations import STAGES


@dataclass
class Figure:
    """One chart and its table: `head` the column titles, `rows` the cells (the first one the row's name)."""

    key: str
    title: str
    chart: SafeString | None
    head: list[str]
    rows: list[list[Any]]
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    wide: bool = False  # the table under the chart, at full width (many columns)


def share(part: int, whole: int) -> Decimal | None:
    """part of whole in percent, one decimal (None when there is nothing to divide)."""
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def days(value: float | None) -> str:
    return "—" if value is None else (f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}")


def kind_name(kind: str) -> str:
    return label(Service(kind), page_language()) if kind in Service._value2member_map_ else kind


def stage_name(stage: str) -> str:
    return {
        "acceptance": _("受理"),
        "review": _("窗口审核"),
        "approval": _("区局审批"),
        "total": _("办结（提交至决定）"),
    }[stage]


def month_name(key: str) -> str:
    year, month = key.split("-")
    if page_language() == "en":
        return date(int(year), int(month), 1).strftime("%b %Y")
    return f"{int(year)}年{int(month)}月"


KINDS = [service.value for service in Service]


def monthly_figure(figures: dict[str, Any]) -> Figure:
    monthly = figures["monthly"]
    months = monthly["months"]
    table = monthly["by_month"]
    received = [sum(row["received"] for row in table[m].values()) for m in months]
    decided = [sum(row["approved"] + row["rejected"] for row in table[m].values()) for m in months]
    title = _("每月收件和办结")
    chart = bar_chart(
        chart_id="chart-monthly",
        title=title,
        desc=_("最近12个月每月窗口收到的案件数和作出决定（批准或不予通过）的案件数。"),
        categories=[month_name(m) for m in months],
        series=[Series(_("收件"), received), Series(_("办结"), decided)],
    )
    head = [_("月份")] + [kind_name(k) for k in KINDS] + [_("合计")]
    rows = []
    for index, m in enumerate(months):
        cells: list[Any] = [month_name(m)]
        for kind in KINDS:
            row = table[m].get(kind)
            cells.append(f"{row['received']} / {row['approved'] + row['rejected']}" if row else "0 / 0")
        cells.append(f"{received[index]} / {decided[index]}")
        rows.append(cells)
    return Figure(
        "monthly",
        title,
        chart,
        head,
        rows,
        note=_("每格为“收件 / 办结”。收件按提交日期计，办结按决定日期计。"),
        wide=True,
    )


def stage_figures(
    figures: dict[str, Any], *, stages: tuple[str, ...] = ("acceptance", "review", "approval")
) -> list[Figure]:
    result = []
    for stage in stages:
        data = figures["stages"][stage]
        kinds = [k for k in KINDS if k in data["kinds"]]
        title = _("%(stage)s用时（工作日）") % {"stage": stage_name(stage)}
        chart = bar_chart(
            chart_id=f"chart-stage-{stage}",
            title=title,
            desc=_("最近365天内结束该环节的案件，各事项用时的中位数和第90百分位数，以工作日计。"),
            categories=[kind_name(k) for k in kinds] + [_("全部事项")],
            series=[
                Series(_("中位数"), [data["kinds"][k]["median"] for k in kinds] + [data["all"]["median"]]),
                Series(_("第90百分位"), [data["kinds"][k]["p90"] for k in kinds] + [data["all"]["p90"]]),
            ],
        )
        rows = [
            [kind_name(k), data["kinds"][k]["n"], days(data["kinds"][k]["median"]), days(data["kinds"][k]["p90"])]
            for k in kinds
        ]
        rows.append([_("全部事项"), data["all"]["n"], days(data["all"]["median"]), days(data["all"]["p90"])])
        result.append(
            Figure(f"stage-{stage}", title, chart, [_("事项"), _("案件数"), _("中位数"), _("第90百分位")], rows)
        )
    return result


def limits_figure(figures: dict[str, Any]) -> Figure:
    total = figures["stages"]["total"]["within_limit"]
    kinds = [k for k in KINDS if k in total["kinds"]]
    shares = [share(total["kinds"][k]["within"], total["kinds"][k]["n"]) for k in kinds]
    title = _("在办理时限内作出决定的比例")
    chart = bar_chart(
        chart_id="chart-limits",
        title=title,
        unit="%",
        desc=_("最近365天内作出决定的案件中，在截止日期（含补正和延期的调整）当日或之前作出决定的百分比。"),
        categories=[kind_name(k) for k in kinds] + [_("全部事项")],
        series=[
            Series(
                _("时限内"),
                [float(s) if s is not None else None for s in shares]
                + [float(share(total["within"], total["n"]) or 0)],
            )
        ],
    )
    rows = [
        [kind_name(k), total["kinds"][k]["n"], total["kinds"][k]["within"], percent(s), ITEMS[Service(k)].time_limit]
        for k, s in zip(kinds, shares, strict=True)
    ]
    rows.append([_("全部事项"), total["n"], total["within"], percent(share(total["within"], total["n"])), "—"])
    return Figure("limits", title, chart, [_("事项"), _("办结"), _("时限内"), _("比例"), _("时限（工作日）")], rows)


def overdue_figure(overdue: dict[str, int]) -> Figure:
    kinds = [k for k in KINDS if overdue.get(k)]
    title = _("当前已超期的案件")
    chart = bar_chart(
        chart_id="chart-overdue",
        title=title,
        desc=_("正在计时、已过办理截止日期的在办案件数，按事项。"),
        categories=[kind_name(k) for k in kinds] or [_("无")],
        series=[Series(_("已超期"), [overdue[k] for k in kinds] or [0])],
    )
    rows = [[kind_name(k), overdue[k]] for k in kinds] + [[_("合计"), sum(overdue.values())]]
    return Figure("overdue", title, chart, [_("事项"), _("案件数")], rows)


def outcomes_figure(figures: dict[str, Any]) -> Figure:
    outcomes = figures["outcomes"]
    decided = outcomes["approved"] + outcomes["rejected"] + outcomes["not_accepted"]
    names = {"approved": _("已批准"), "rejected": _("未通过"), "not_accepted": _("不予受理"), "withdrawn": _("已撤回")}
    title = _("批准率和不予通过率")
    chart = bar_chart(
        chart_id="chart-outcomes",
        title=title,
        desc=_("最近365天内结束的案件按结果计数。"),
        categories=[names[k] for k in names],
        series=[Series(_("案件数"), [outcomes[k] for k in names])],
    )
    rows = [[names[k], outcomes[k], percent(share(outcomes[k], decided)) if k != "withdrawn" else "—"] for k in names]
    return Figure(
        "outcomes",
        title,
        chart,
        [_("结果"), _("案件数"), _("占作出决定的比例")],
        rows,
        extra={"approval_rate": share(outcomes["approved"], decided)},
    )


def refusals_figure(figures: dict[str, Any]) -> Figure:
    refusals = figures["refusals"]
    rules = refusals["rules"]
    title = _("最常见的不予通过规则")
    chart = bar_chart(
        chart_id="chart-refusals",
        title=title,
        desc=_("最近365天内不予通过的案件中，冻结评估里未通过或未被接受的人工审核规则，按涉及的案件数排列。"),
        categories=[rule for rule, _n in rules] or [_("无")],
        series=[Series(_("案件数"), [n for _rule, n in rules] or [0])],
    )
    rows = [[rule, n, percent(share(n, refusals["rejected"]))] for rule, n in rules]
    return Figure(
        "refusals",
        title,
        chart,
        [_("规则编号"), _("案件数"), _("占不予通过的比例")],
        rows,
        note=_("不予通过的案件共 %(n)s 件；未援引规则的（仅因材料或其他理由）不计入上表。")
        % {"n": refusals["rejected"]},
    )


def quota_figures(figures: dict[str, Any]) -> list[Figure]:
    quotas = figures["quotas"]
    years = quotas["years"]
    title = _("指标申报、下发和使用")
    chart = bar_chart(
        chart_id="chart-quotas",
        title=title,
        desc=_("各年度全部单位申报、下发和已使用的新办指标数。"),
        categories=[str(row["year"]) for row in years],
        series=[
            Series(_("申报"), [row["declared"] for row in years]),
            Series(_("下发"), [row["granted"] for row in years]),
            Series(_("已使用"), [row["used"] for row in years]),
        ],
    )
    head = [_("年度"), _("申报"), _("下发"), _("占用中"), _("已使用")]
    year_rows = [[row["year"], row["declared"], row["granted"], row["reserved"], row["used"]] for row in years]
    unit_title = _("%(year)s年度下发指标最多的单位") % {"year": quotas["year"]}
    unit_rows = [
        [row["unit"], row["declared"], row["granted"], row["reserved"], row["used"]] for row in quotas["units"]
    ]
    return [
        Figure("quotas", title, chart, head, year_rows),
        Figure(
            "quota-units",
            unit_title,
            None,
            [_("单位"), *head[1:]],
            unit_rows,
            note=_("本年度有指标台账的单位共 %(n)s 个。") % {"n": quotas["unit_count"]},
        ),
    ]


def ratings_figure(figures: dict[str, Any]) -> Figure:
    ratings = figures["ratings"]
    levels = [(RatingLevel(level).label, n) for level, n in ratings["levels"]]
    title = _("好差评分布")
    chart = bar_chart(
        chart_id="chart-ratings",
        title=title,
        desc=_("最近365天内申请人和单位对办理情况的评价，按评价等级计数。"),
        categories=[str(name) for name, _n in levels],
        series=[Series(_("评价数"), [n for _name, n in levels])],
    )
    rows = [[str(name), n, percent(share(n, ratings["total"]))] for name, n in levels]
    rows.append(
        [
            _("合计"),
            ratings["total"],
            percent(share(ratings["satisfied"], ratings["total"]) if ratings["total"] else None) + _("（满意）"),
        ]
    )
    return Figure("ratings", title, chart, [_("评价"), _("评价数"), _("比例")], rows)


def headline(figures: dict[str, Any], live: dict[str, Any]) -> list[tuple[str, str]]:
    """The few numbers at the top of the dashboard, each with its words."""
    monthly = figures["monthly"]["by_month"]
    received = sum(row["received"] for month in monthly.values() for row in month.values())
    acceptance = figures["stages"]["acceptance"]["within_limit"]
    total = figures["stages"]["total"]["within_limit"]
    outcomes = figures["outcomes"]
    decided = outcomes["approved"] + outcomes["rejected"] + outcomes["not_accepted"]
    return [
        (_("最近12个月收件"), f"{received:,}"),
        (_("最近365天作出决定"), f"{decided:,}"),
        (_("批准率"), percent(share(outcomes["approved"], decided))),
        (_("5个工作日内受理"), percent(share(acceptance["within"], acceptance["n"]))),
        (_("时限内作出决定"), percent(share(total["within"], total["n"]))),
        (_("当前已超期"), f"{sum(live['overdue'].values()):,}"),
    ]


def dashboard_figures(figures: dict[str, Any], live: dict[str, Any]) -> list[Figure]:
    return [
        monthly_figure(figures),
        *stage_figures(figures),
        limits_figure(figures),
        overdue_figure(live["overdue"]),
        outcomes_figure(figures),
        refusals_figure(figures),
        *quota_figures(figures),
        ratings_figure(figures),
    ]


def public_figures(figures: dict[str, Any]) -> list[Figure]:
    """The public page's figures: no unit, no person — counts and working days per kind over the last 90 days."""
    total = figures["stages"]["total"]
    kinds = [k for k in KINDS if k in total["recent_kinds"]]
    title = _("最近90天办结用时（工作日）")
    chart = bar_chart(
        chart_id="chart-public-median",
        title=title,
        desc=_("最近90天内作出决定的案件，从提交到作出决定所用工作日的中位数，按事项；法定办理时限一并列出。"),
        categories=[kind_name(k) for k in kinds] or [_("无")],
        series=[
            Series(_("中位数"), [total["recent_kinds"][k]["median"] for k in kinds] or [None]),
            Series(_("办理时限"), [ITEMS[Service(k)].time_limit for k in kinds] or [None]),
        ],
    )
    rows = [
        [
            kind_name(k),
            total["recent_kinds"][k]["n"],
            days(total["recent_kinds"][k]["median"]),
            ITEMS[Service(k)].time_limit,
        ]
        for k in kinds
    ]
    return [Figure("public-median", title, chart, [_("事项"), _("办结案件数"), _("用时中位数"), _("办理时限")], rows)]


def stage_names() -> list[tuple[str, str]]:
    return [(stage, stage_name(stage)) for stage in STAGES]
