"""Formatting filters: dates and money as UI.md §Formats writes them, in Chinese and English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from wrp.public.templatetags.wrp_format import cn_date, number, yuan


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
        (Decimal("17641.5"), "17,641.5 元"),
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
