"""Formatting filters of UI.md §Formats: dates 2026年11月26日 (English 26 Nov 2026), money 230,000 元. Formatting only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from wrp.core.language import page_language

register = template.Library()

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CENT = Decimal("0.01")


def _english() -> bool:
    return page_language() == "en"


@register.filter
def cn_date(value: Any) -> str:
    """2026年12月24日, or 24 Dec 2026 when the page is in English; anything not a date is shown as it is."""
    if not isinstance(value, date):
        return "" if value is None else str(value)
    if _english():
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def yuan(value: Any) -> str:
    """211,698 元 (211,698 yuan in English); cents only when there are any: 17,641.5 元."""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    digits = f"{int(amount):,}" if amount == amount.to_integral_value() else f"{amount:,f}".rstrip("0")
    return f"{digits} yuan" if _english() else f"{digits} 元"


@register.filter
def number(value: Any) -> str:
    """A decimal as plain digits without trailing zeros: 1.50 → 1.5."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    return format(amount.normalize(), "f") if amount != amount.to_integral_value() else str(int(amount))
