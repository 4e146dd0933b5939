"""The reference wage table of POLICY §4 and the income thresholds built on it.

The guide's income rules compare taxable income with a multiple of Beijing's monthly average wage of the *previous*
year; a year's figure may be used only from its publication date, and until then the year before applies. The table
is dated data (`data/wages.toml`, each row with its source); an administrator adds a new year as data. All amounts are
`Decimal`: 1.2 × 9407 is exactly 11288.4.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "wages.toml"
MONTHS = Decimal(12)


@dataclass(frozen=True)
class WageRow:
    year: int
    monthly: Decimal
    published: date
    source: str


@dataclass(frozen=True)
class Threshold:
    """`multiplier` × the reference monthly wage, per month and per year (× 12)."""

    reference: WageRow
    multiplier: Decimal

    @cached_property
    def monthly(self) -> Decimal:
        return self.multiplier * self.reference.monthly

    @cached_property
    def annual(self) -> Decimal:
        return MONTHS * self.monthly


_PLAIN: dict[Decimal, str] = {}  # the amounts shown again and again (thresholds, wages, round sums)


def plain(amount: Decimal) -> str:
    """A decimal as plain digits without exponent or trailing zeros: Decimal('211698.0') → '211698'."""
    text = _PLAIN.get(amount)
    if text is None:
        text = format(amount.normalize(), "f")
        if amount and len(_PLAIN) < 4096:  # not zero: Decimal('-0') equals 0 but is written '-0'
            _PLAIN[amount] = text
    return text


class WageTable:
    """Rows by year; `reference(d)` answers which row a declaration dated `d` must use."""

    def __init__(self, rows: Iterable[WageRow]) -> None:
        by_year: dict[int, WageRow] = {}
        for row in rows:
            if row.monthly <= 0:
                raise ValueError(f"{row.year}年月平均工资必须大于0 (wage for {row.year} must be positive)")
            by_year[row.year] = row
        self._rows = tuple(sorted(by_year.values(), key=lambda r: r.year))
        self._cache: dict[date, WageRow | None] = {}

    @property
    def rows(self) -> tuple[WageRow, ...]:
        return self._rows

    def merged(self, rows: Iterable[WageRow]) -> WageTable:
        """A new table where `rows` replace or add to this one's rows of the same year."""
        by_year = {row.year: row for row in self._rows}
        by_year.update({row.year: row for row in rows})
        return WageTable(by_year.values())

    def reference(self, on: date) -> WageRow | None:
        """「未公布新一年度…月平均工资前，参照上一年度执行」: the latest year ≤ on.year − 1 already published on `on`."""
        if on in self._cache:
            return self._cache[on]
        found = None
        for row in self._rows:
            if row.year <= on.year - 1 and row.published <= on:
                found = row
        if len(self._cache) < 20_000:
            self._cache[on] = found
        return found


def load_rows(text: str) -> list[WageRow]:
    """Parse a wages TOML document (`[[rows]]` with year, monthly, published, source)."""
    document = tomllib.loads(text)
    rows = []
    for index, item in enumerate(document.get("rows", [])):
        try:
            rows.append(
                WageRow(
                    year=int(item["year"]),
                    monthly=Decimal(str(item["monthly"])),
                    published=item["published"],
                    source=str(item.get("source", "")),
                )
            )
        except (KeyError, ArithmeticError, TypeError) as error:
            raise ValueError(f"wages row {index + 1}: {error!r}") from error
        if not isinstance(rows[-1].published, date):
            raise ValueError(f"wages row {index + 1}: published must be a date")
    return rows


@cache
def builtin_table() -> WageTable:
    """The table shipped with the package (data/wages.toml)."""
    return WageTable(load_rows(DATA_FILE.read_text(encoding="utf-8")))
