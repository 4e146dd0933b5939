"""Resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015), POLICY §10."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from wrp.policy.identifiers import (
    IdentifierProblem,
    credit_code_problem,
    is_valid_credit_code,
    is_valid_resident_id,
    mask_resident_id,
    normalise_credit_code,
    normalise_resident_id,
    resident_id_problem,
)

TODAY = date(2025, 6, 3)
PROVINCES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
PROVINCES += [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 from its definition (weights 2^(17-i) mod 11), independent of the code under test."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def credit_check(first17: str) -> str:
    """GB 32100-2015 check character from its definition (weights 3^i mod 31)."""
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def resident_id(first17: str) -> str:
    return first17 + id_check(first17)


# --- resident ID -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("360426199101010071", "360426199101010071"),
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231 002X ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        (resident_id("81000020250603001"), "81000020250603001" + id_check("81000020250603001")),
    ],
    ids=[
        "the_beijing_example_with_check_x",
        "the_jiangxi_example",
        "a_lower_case_x_is_accepted",
        "spaces_are_ignored",
        "full_width_characters_are_accepted",
        "a_hong_kong_resident_born_today",
    ],
)
def test_a_well_formed_resident_id_is_accepted_and_normalised(value: str, normalised: str) -> None:
    assert resident_id_problem(value, today=TODAY) is None
    with time_machine.travel(TODAY):
        assert is_valid_resident_id(value)
        assert normalise_resident_id(value) == normalised


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010519491231002", "length"),
        ("11010519491231002XX", "length"),
        ("110105491231002", "length"),
        ("", "length"),
        ("1101051949123100AX", "characters"),
        ("11010519491231002Y", "characters"),
        ("X10105194912310021", "characters"),
        ("11010519491231-02X", "characters"),
        (resident_id("91010519491231002"), "region"),
        (resident_id("00010519491231002"), "region"),
        (resident_id("16010519491231002"), "region"),
        (resident_id("84010519491231002"), "region"),
        (resident_id("72010519491231002"), "region"),
        (resident_id("11010519910230002"), "birth_date"),
        (resident_id("11010519911301002"), "birth_date"),
        (resident_id("11010519910001002"), "birth_date"),
        (resident_id("11010520230229002"), "birth_date"),
        (resident_id("11010518991231002"), "birth_date"),
        (resident_id("11010520250604002"), "birth_date"),
        (resident_id("11010520300101002"), "birth_date"),
        ("110105194912310021", "check_digit"),
        ("360426199101010072", "check_digit"),
        ("36042619910101007X", "check_digit"),
    ],
    ids=[
        "seventeen_characters",
        "nineteen_characters",
        "an_old_fifteen_digit_number",
        "nothing",
        "a_letter_among_the_first_seventeen",
        "a_letter_other_than_x_at_the_end",
        "an_x_at_the_start",
        "a_hyphen",
        "region_91_is_not_a_province",
        "region_00",
        "region_16_between_inner_mongolia_and_liaoning",
        "region_84_after_taiwan_hong_kong_macao",
        "region_72",
        "february_30",
        "month_13",
        "month_00",
        "february_29_in_a_common_year",
        "born_in_1899",
        "born_tomorrow",
        "born_in_2030",
        "wrong_check_digit_1_for_x",
        "wrong_check_digit_2_for_1",
        "wrong_check_x_for_1",
    ],
)
def test_a_malformed_resident_id_is_refused_with_the_kind_of_problem(value: str, code: str) -> None:
    problem = resident_id_problem(value, today=TODAY)
    assert problem is not None
    assert problem.code == code
    assert problem.zh
    assert problem.en
    with time_machine.travel(TODAY):
        assert not is_valid_resident_id(value)
        with pytest.raises(ValueError, match=re.escape(problem.zh)):
            normalise_resident_id(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "110105194912310021",
            IdentifierProblem(
                "check_digit", "第18位校验码应为X，实际为1", "The check character (18th) should be X, not 1"
            ),
        ),
        (
            "110105491231002",
            IdentifierProblem("length", "公民身份号码应为18位，实际为15位；15位旧号码请换用18位号码", ""),
        ),
        (
            resident_id("11010519910230002"),
            IdentifierProblem("birth_date", "第7至14位“19910230”不是有效的出生日期", ""),
        ),
        (resident_id("11010520300101002"), IdentifierProblem("birth_date", "出生日期2030-01-01晚于今天", "")),
        (resident_id("91010519491231002"), IdentifierProblem("region", "前两位“91”不是有效的省级行政区划代码", "")),
    ],
    ids=["check_digit", "old_fifteen_digit_number", "impossible_date", "future_date", "region"],
)
def test_the_problem_says_what_is_wrong_in_chinese(value: str, expected: IdentifierProblem) -> None:
    problem = resident_id_problem(value, today=TODAY)
    assert problem is not None
    assert (problem.code, problem.zh) == (expected.code, expected.zh)
    if expected.en:
        assert problem.en == expected.en


def test_the_birth_date_is_checked_against_today_by_default() -> None:
    born_2026 = resident_id("11010520260101002")
    with time_machine.travel(date(2025, 12, 31)):
        assert not is_valid_resident_id(born_2026)
    with time_machine.travel(date(2026, 1, 1)):
        assert is_valid_resident_id(born_2026)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("360426199101010071", "360426********0071"),
        ("1101051949", "**********"),
    ],
    ids=["check_x", "lower_case_x", "digits_only", "not_eighteen_characters_is_all_stars"],
)
def test_a_masked_resident_id_shows_the_first_six_and_last_four(value: str, masked: str) -> None:
    assert mask_resident_id(value) == masked


id_first17 = st.builds(
    lambda region, area, born, sequence: f"{region}{area:04d}{born:%Y%m%d}{sequence:03d}",
    st.sampled_from(PROVINCES),
    st.integers(min_value=0, max_value=9999),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@settings(max_examples=200, deadline=None)
@given(first17=id_first17)
def test_the_computed_check_digit_and_no_other_makes_a_valid_resident_id(first17: str) -> None:
    expected = id_check(first17)
    assert resident_id_problem(first17 + expected, today=TODAY) is None
    for other in "0123456789X":
        if other != expected:
            problem = resident_id_problem(first17 + other, today=TODAY)
            assert problem is not None
            assert problem.code == "check_digit"


# --- unified social credit code --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("91110000600037341L", "91110000600037341L"),
        ("91110000600037341l", "91110000600037341L"),
        (" 9111 0000 6000 3734 1L ", "91110000600037341L"),
    ],
    ids=["the_example", "lower_case", "spaces_are_ignored"],
)
def test_a_well_formed_credit_code_is_accepted_and_normalised(value: str, normalised: str) -> None:
    assert credit_code_problem(value) is None
    assert is_valid_credit_code(value)
    assert normalise_credit_code(value) == normalised


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91110000600037341", "length"),
        ("91110000600037341LL", "length"),
        ("", "length"),
        ("9111000060003734IL", "characters"),
        ("9111000060003734OL", "characters"),
        ("9111000060003734ZL", "characters"),
        ("9111000060003734SL", "characters"),
        ("9111000060003734VL", "characters"),
        ("91110000600037341-", "characters"),
        ("91110000600037341M", "check_character"),
        ("911100006000373410", "check_character"),
        ("91110000600037342L", "check_character"),
    ],
    ids=[
        "seventeen_characters",
        "nineteen_characters",
        "nothing",
        "letter_i",
        "letter_o",
        "letter_z",
        "letter_s",
        "letter_v",
        "a_hyphen",
        "wrong_check_letter",
        "wrong_check_digit",
        "a_changed_digit",
    ],
)
def test_a_malformed_credit_code_is_refused_with_the_kind_of_problem(value: str, code: str) -> None:
    problem = credit_code_problem(value)
    assert problem is not None
    assert problem.code == code
    assert not is_valid_credit_code(value)
    with pytest.raises(ValueError, match=re.escape(problem.zh)):
        normalise_credit_code(value)


def test_a_wrong_credit_check_character_names_the_right_one() -> None:
    assert credit_code_problem("91110000600037341M") == IdentifierProblem(
        "check_character", "第18位校验码应为L，实际为M", "The check character (18th) should be L, not M"
    )


@settings(max_examples=200, deadline=None)
@given(first17=st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_the_computed_check_character_and_no_other_makes_a_valid_credit_code(first17: str) -> None:
    expected = credit_check(first17)
    assert credit_code_problem(first17 + expected) is None
    for other in CREDIT_ALPHABET:
        if other != expected:
            problem = credit_code_problem(first17 + other)
            assert problem is not None
            assert problem.code == "check_character"
