"""Charts as server-rendered SVG (issue 15 §6): no script, readable in print, accessible — `role="img"` with a
<title> and <desc>, every bar labelled with its value in text (a colour never carries meaning alone), and the page
puts a data table beside each chart.

One chart serves every figure: horizontal bars, one group per category, one bar per series (months × received and
decided, kinds × median and 90th percentile, rules × refusals …).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Fills distinguishable in greyscale too (dark, light, mid), each with the legend's words beside it.
FILLS = ("#1d4f91", "#8fb3e0", "#4d7f3a", "#b7791f")
WIDTH = 640
LABEL_WIDTH = 190
VALUE_WIDTH = 70
BAR_HEIGHT = 16
BAR_GAP = 2
GROUP_GAP = 10
TOP = 8
LEGEND_HEIGHT = 24


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per category; None: no figure


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    *, chart_id: str, title: str, desc: str, categories: Sequence[str], series: Sequence[Series], unit: str = ""
) -> SafeString:
    """An SVG of horizontal bars; `chart_id` makes the ids of its title and description unique on the page."""
    if any(len(s.values) != len(categories) for s in series):
        raise ValueError("every series needs one value per category")
    largest = max((v for s in series for v in s.values if v is not None), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest
    group = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    height = TOP + legend + max(len(categories), 1) * (group + GROUP_GAP)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" font-size="13">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(desc)}</desc>',
    ]
    if legend:
        x = LABEL_WIDTH
        for index, s in enumerate(series):
            parts.append(
                f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{FILLS[index % len(FILLS)]}" '
                f'stroke="#222" stroke-width="0.5"/>'
            )
            parts.append(f'<text x="{x + 16}" y="{TOP + 11}" fill="#222">{escape(s.name)}</text>')
            x += 24 + 14 * len(s.name) + 20
    y = TOP + legend
    for row, category in enumerate(categories):
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2 + 4:.0f}" text-anchor="end" '
            f'fill="#222">{escape(category)}</text>'
        )
        for index, s in enumerate(series):
            value = s.values[row]
            top = y + index * (BAR_HEIGHT + BAR_GAP)
            width = 0 if value is None else max(value * scale, 1 if value else 0)
            label = f"{category} · {s.name}: {_number(value)}{unit}"
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{FILLS[index % len(FILLS)]}" stroke="#222" stroke-width="0.5">'
                f"<title>{escape(label)}</title></rect>"
            )
            parts.append(
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{top + BAR_HEIGHT - 4}" '
                f'fill="#222">{escape(_number(value) + (unit if value is not None else ""))}</text>'
            )
        y += group + GROUP_GAP
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP + legend}" x2="{LABEL_WIDTH}" y2="{height - GROUP_GAP / 2}" '
        f'stroke="#222" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
