"""The appointment calendar of the unit's submit page: the free slots of the next weeks, by week and day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from wrp.appointments.services import slots_between
from wrp.core.language import page_language
from wrp.public.templatetags.wrp_format import MONTHS_EN

SLOT_WEEKS = 4
OPEN_DAYS = 5  # the calendar opens as many weeks as it takes to show this many days
WEEKDAYS = (gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"), gettext_lazy("周五"),
            gettext_lazy("周六"), gettext_lazy("周日"))


def day_label(day: date) -> str:
    """「11月27日 周五」, or 「Fri 27 Nov」."""
    if page_language() == "en":
        return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]}"
    return f"{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}"


def slot_weeks(today: date, chosen: str) -> list[dict[str, Any]]:
    """The free slots of the next four weeks, by week and day, with booked and capacity; the first weeks (or the week
    of the chosen slot) open."""
    weeks: dict[date, dict[date, list[dict[str, Any]]]] = {}
    for slot in slots_between(start=today, end=today + timedelta(weeks=SLOT_WEEKS)):
        start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
        monday = start.date() - timedelta(days=start.weekday())
        weeks.setdefault(monday, {}).setdefault(start.date(), []).append({
            "id": slot.public_id, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "booked": slot.booked,
            "capacity": slot.capacity, "full": slot.booked >= slot.capacity})
    out = [
        {"monday": monday, "open": False,
         "days": [{"day": day, "label": day_label(day), "slots": slots} for day, slots in days.items()],
         "chosen": any(slot["id"] == chosen for slots in days.values() for slot in slots)}
        for monday, days in weeks.items()
    ]
    shown = 0
    for week in out:
        week["open"] = week["chosen"] or (not any(w["chosen"] for w in out) and shown < OPEN_DAYS)
        shown += len(week["days"]) if week["open"] else 0
    return out

