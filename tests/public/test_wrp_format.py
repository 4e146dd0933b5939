"""Formatting filters: dates, moments, appointment times and money as UI.md §Formats writes them, in Chinese and
English."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from tests.clock import SHANGHAI
from wrp.public.templatetags.wrp_format import cn_date, cn_moment, day_with_weekday, number, slot_time, weekday, yuan


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [(date(2026, 12, 24), "2026年12月24日", "24 Dec 2026"), (date(2027, 1, 5), "2027年1月5日", "5 Jan 2027")],
)
def test_dates(value: date, chinese: str, english: str) -> None:
    with translation.override("zh-hans"):
        assert cn_date(value) == chinese
    with translation.override("en"):
        assert cn_date(value) == english


@pytest.mark.parametrize(
    ("value", "chinese"),
    [
        (Decimal("211698"), "211,698 元"),
        (Decimal("211698.0"), "211,698 元"),
        (Decimal("17641.5"), "17,641.50 元"),
        (Decimal("0"), "0 元"),
        (Decimal("1234567.25"), "1,234,567.25 元"),
        ("230000", "230,000 元"),
    ],
    ids=["whole", "trailing-zero", "half", "zero", "cents", "string"],
)
def test_money(value: object, chinese: str) -> None:
    with translation.override("zh-hans"):
        assert yuan(value) == chinese


def test_money_in_english() -> None:
    with translation.override("en"):
        assert yuan(Decimal("218088")) == "218,088 yuan"


def test_not_a_value_is_shown_as_it_is() -> None:
    assert yuan("n/a") == "n/a"
    assert cn_date(None) == ""
    assert number(Decimal("1.50")) == "1.5"
    assert number(Decimal("4")) == "4"


def test_an_iso_date_string_and_a_moment_are_shown_as_their_day() -> None:
    utc_evening = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 2 December, 1:30 in Beijing
    with translation.override("zh-hans"):
        assert cn_date("2026-12-02") == "2026年12月2日"
        assert cn_date(utc_evening) == "2026年12月2日"
        assert cn_date("2026-02-30") == "2026-02-30"
    with translation.override("en"):
        assert cn_date("2026-12-02") == "2 Dec 2026"


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [(date(2026, 12, 7), "星期一", "Mon"), (date(2026, 12, 13), "星期日", "Sun"), ("2026-12-12", "星期六", "Sat")],
)
def test_weekdays(value: object, chinese: str, english: str) -> None:
    with translation.override("zh-hans"):
        assert weekday(value) == chinese
    with translation.override("en"):
        assert weekday(value) == english


class Slot:
    def __init__(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end


def test_an_appointment_is_shown_with_its_weekday_and_hours_in_beijing_time() -> None:
    slot = Slot(datetime(2026, 12, 7, 9, 30, tzinfo=SHANGHAI), datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI))
    with translation.override("zh-hans"):
        assert slot_time(slot) == "2026年12月7日（星期一）9:30–10:00"
        assert day_with_weekday(slot.start) == "2026年12月7日（星期一）"
    with translation.override("en"):
        assert slot_time(slot) == "Mon 7 Dec 2026, 9:30–10:00"
        assert day_with_weekday("2026-12-07") == "Mon 7 Dec 2026"
    assert slot_time(None) == ""


def test_a_moment_is_shown_in_beijing_time() -> None:
    utc_moment = datetime(2026, 11, 25, 17, 5, tzinfo=UTC)  # 26 November, 1:05 in Beijing
    with translation.override("zh-hans"):
        assert cn_moment(utc_moment) == "2026年11月26日 1:05"
        assert cn_moment(date(2026, 11, 26)) == "2026年11月26日"
    with translation.override("en"):
        assert cn_moment(datetime(2026, 11, 26, 14, 0, tzinfo=SHANGHAI)) == "26 Nov 2026, 14:00"
