"""Identifiers: the resident ID number and the unified social credit code (POLICY §10).

A resident ID number (公民身份号码, GB 11643-1999) has 18 characters: a six-digit address code whose first two digits
name the province, an eight-digit birth date, a three-digit sequence number and a check character (0–9 or X) computed
from the other 17 (ISO 7064 MOD 11-2). A unified social credit code (统一社会信用代码, GB 32100-2015) has 18 characters
from an alphabet of 31 (digits and capitals without I, O, Z, S, V), the last a check character (MOD 31).
A value is checked for its form only: whether the person or organisation exists is for the reviewer.
Values are normalised before checking: spaces removed, full-width characters made half-width, letters upper-cased.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "IdentifierProblem",
    "credit_code_problem",
    "is_valid_credit_code",
    "is_valid_resident_id",
    "mask_resident_id",
    "normalise_credit_code",
    "normalise_resident_id",
    "resident_id_problem",
]

_DIGITS = "0123456789"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_EARLIEST_BIRTH_YEAR = 1900

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {c: i for i, c in enumerate(_CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass(frozen=True)
class IdentifierProblem:
    """Why a value was refused: a code, and the reason in Chinese and in English."""

    code: str
    zh: str
    en: str


def _normalised(value: str) -> str:
    """Half-width, without whitespace, upper-case."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def _resident_id_check(first17: str) -> str:
    """The check character of the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_problem(value: str, *, today: date | None = None) -> IdentifierProblem | None:
    """“公民身份号码”: None if the value is a well-formed 18-character resident ID, else why not."""
    number = _normalised(value)
    if len(number) != 18:
        hint_zh = "；15位旧号码请换用18位号码" if len(number) == 15 else ""
        hint_en = " (a 15-digit number of the old format must be given in its 18-character form)" if hint_zh else ""
        return IdentifierProblem(
            "length",
            f"公民身份号码应为18位，实际为{len(number)}位{hint_zh}",
            f"A resident ID number has 18 characters, this one has {len(number)}{hint_en}",
        )
    for position, char in enumerate(number, start=1):
        if char not in _DIGITS and not (position == 18 and char == "X"):
            return IdentifierProblem(
                "characters",
                f"第{position}位“{char}”无效：前17位应为数字，第18位应为数字或X",
                f"Character {position} '{char}' is not allowed: the first 17 must be digits, the 18th a digit or X",
            )
    region = number[:2]
    if int(region) not in _PROVINCES:
        return IdentifierProblem(
            "region",
            f"前两位“{region}”不是有效的省级行政区划代码",
            f"The first two digits '{region}' are not a province-level region code",
        )
    birth_problem = _birth_date_problem(number[6:14], today=today or date.today())
    if birth_problem is not None:
        return birth_problem
    expected = _resident_id_check(number[:17])
    if number[17] != expected:
        return IdentifierProblem(
            "check_digit",
            f"第18位校验码应为{expected}，实际为{number[17]}",
            f"The check character (18th) should be {expected}, not {number[17]}",
        )
    return None


def _birth_date_problem(digits: str, *, today: date) -> IdentifierProblem | None:
    """Positions 7–14: a real date, from 1900 on, not after today."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return IdentifierProblem(
            "birth_date",
            f"第7至14位“{digits}”不是有效的出生日期",
            f"Characters 7 to 14 '{digits}' are not a valid date of birth",
        )
    if born > today:
        return IdentifierProblem(
            "birth_date",
            f"出生日期{born.isoformat()}晚于今天",
            f"The date of birth {born.isoformat()} is in the future",
        )
    if born.year < _EARLIEST_BIRTH_YEAR:
        return IdentifierProblem(
            "birth_date",
            f"出生日期{born.isoformat()}早于{_EARLIEST_BIRTH_YEAR}年",
            f"The date of birth {born.isoformat()} is before {_EARLIEST_BIRTH_YEAR}",
        )
    return None


def is_valid_resident_id(value: str) -> bool:
    """Whether the value is a well-formed resident ID number (公民身份号码)."""
    return resident_id_problem(value) is None


def normalise_resident_id(value: str) -> str:
    """The resident ID as stored (no spaces, upper-case X); ValueError with the reason in Chinese if invalid."""
    problem = resident_id_problem(value)
    if problem is not None:
        raise ValueError(problem.zh)
    return _normalised(value)


def mask_resident_id(value: str) -> str:
    """The resident ID for display: first 6 and last 4 characters, 8 stars between (110105********002X)."""
    number = _normalised(value)
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[14:]}"


def credit_code_problem(value: str) -> IdentifierProblem | None:
    """“统一社会信用代码”: None if the value is a well-formed 18-character code, else why not."""
    code = _normalised(value)
    if len(code) != 18:
        return IdentifierProblem(
            "length",
            f"统一社会信用代码应为18位，实际为{len(code)}位",
            f"A unified social credit code has 18 characters, this one has {len(code)}",
        )
    for position, char in enumerate(code, start=1):
        if char not in _CREDIT_VALUES:
            return IdentifierProblem(
                "characters",
                f"第{position}位“{char}”无效：只能使用数字和除I、O、Z、S、V以外的大写字母",
                f"Character {position} '{char}' is not allowed: only digits and capitals other than I, O, Z, S, V",
            )
    total = sum(_CREDIT_VALUES[c] * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    expected = _CREDIT_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        return IdentifierProblem(
            "check_character",
            f"第18位校验码应为{expected}，实际为{code[17]}",
            f"The check character (18th) should be {expected}, not {code[17]}",
        )
    return None


def is_valid_credit_code(value: str) -> bool:
    """Whether the value is a well-formed unified social credit code (统一社会信用代码)."""
    return credit_code_problem(value) is None


def normalise_credit_code(value: str) -> str:
    """The credit code in its stored form (no spaces, upper-case); ValueError with the reason in Chinese if invalid."""
    problem = credit_code_problem(value)
    if problem is not None:
        raise ValueError(problem.zh)
    return _normalised(value)
