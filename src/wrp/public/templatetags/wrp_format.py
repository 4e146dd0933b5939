"""Formatting filters of UI.md §Formats: dates 2026年11月26日 (English 26 Nov 2026), moments 2026年11月26日 9:05,
appointment times with their weekday 2026年12月7日（星期一）9:30–10:00 (Mon 7 Dec 2026, 9:30–10:00), money 230,000 元
(cents, when there are any, as 17,641.50 元). Times in the platform's time zone. Formatting only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import timezone

from wrp.core.language import page_language
from wrp.core.urls import fixed_url as _fixed_url

register = template.Library()

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CENT = Decimal("0.01")


def _english() -> bool:
    return page_language() == "en"


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _day(value: Any) -> date | None:
    """A date, a moment's local day, or an ISO date string (as notifications keep them) as a date; else None."""
    if isinstance(value, datetime):
        return _local(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


@register.filter
def cn_date(value: Any) -> str:
    """2026年12月24日, or 24 Dec 2026 when the page is in English (a moment by its local day, an ISO date string as
    its date); anything else is shown as it is."""
    day = _day(value)
    if day is None:
        return "" if value is None else str(value)
    if _english():
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日"


@register.filter
def weekday(value: Any) -> str:
    """星期一 … 星期日 (Mon … Sun) of a date, a moment's local day or an ISO date string."""
    day = _day(value)
    if day is None:
        return ""
    return (WEEKDAYS_EN if _english() else WEEKDAYS_ZH)[day.weekday()]


@register.filter
def day_with_weekday(value: Any) -> str:
    """2026年12月7日（星期一）, or Mon 7 Dec 2026 in English: the day of an appointment."""
    if _day(value) is None:
        return cn_date(value)
    return f"{weekday(value)} {cn_date(value)}" if _english() else f"{cn_date(value)}（{weekday(value)}）"


@register.filter
def cn_moment(value: Any) -> str:
    """A moment in local time: 2026年11月26日 9:05 (26 Nov 2026, 9:05)."""
    if not isinstance(value, datetime):
        return cn_date(value)
    moment = _local(value)
    return f"{cn_date(moment.date())}{', ' if _english() else ' '}{_clock(moment)}"


def _clock(moment: datetime) -> str:
    """9:30, 14:00: the hour without a leading zero, as the office hours are written."""
    return f"{moment.hour}:{moment.minute:02d}"


@register.filter
def slot_time(slot: Any) -> str:
    """An appointment with its weekday and hours: 2026年12月7日（星期一）9:30–10:00, or Mon 7 Dec 2026, 9:30–10:00 in
    English. Takes anything with `start` and `end` moments (a slot, a booking's slot) or a single moment."""
    start = getattr(slot, "start", slot)
    end = getattr(slot, "end", None)
    if not isinstance(start, datetime):
        return "" if slot is None else str(slot)
    start = _local(start)
    hours = _clock(start) + (f"–{_clock(_local(end))}" if isinstance(end, datetime) else "")
    return f"{day_with_weekday(start)}{', ' if _english() else ''}{hours}"


@register.filter
def yuan(value: Any) -> str:
    """211,698 元 (211,698 yuan in English); cents only when there are any, and then both: 17,641.50 元."""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    digits = f"{int(amount):,}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{digits} yuan" if _english() else f"{digits} 元"


@register.filter
def number(value: Any) -> str:
    """A decimal as plain digits without trailing zeros: 1.50 → 1.5."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)
    return format(amount.normalize(), "f") if amount != amount.to_integral_value() else str(int(amount))


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a page without arguments, reversed once per process (`wrp.core.urls`): the frame's links."""
    return _fixed_url(name)
