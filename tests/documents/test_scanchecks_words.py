"""The scan warnings in words: one sentence each, in the page's language, naming the pages (as ranges) and, for a
duplicate, the other material and case."""

from __future__ import annotations

import pytest
from django.utils import translation

from wrp.documents.scanwords import ordered, page_ranges, warning_sentence, with_messages


@pytest.mark.parametrize(
    ("warning", "zh"),
    [
        ({"code": "blank_page", "pages": [2]}, "第 2 页可能是空白页，请检查是否漏扫或多扫了空白页。"),
        ({"code": "rotated", "pages": [1, 2, 3, 5], "upside_down": [5]},
         "第 1–3 页方向不正（横置）；第 5 页上下颠倒，请转正后重新上传。"),
        ({"code": "low_resolution", "pages": [4]}, "第 4 页分辨率过低，文字可能看不清，请提高分辨率重新扫描。"),
        ({"code": "not_colour", "pages": [1]}, "第 1 页不是彩色扫描，本材料须为原件的彩色扫描件。"),
        ({"code": "not_checked", "pages": [51, 52, 53]}, "第 51–53 页超出自动检查的页数或时间，未作扫描检查，请自行核对。"),
        ({"code": "duplicate", "pages": [], "other_material": "labour_contract"},
         "本文件与本案的“劳动合同”完全相同，请确认没有传错文件。"),
        ({"code": "duplicate", "pages": [], "other_material": "labour_contract", "other_case": "WRP-2026-000001"},
         "本文件与案件 WRP-2026-000001 的“劳动合同”完全相同，请确认没有传错文件。"),
        ({"code": "duplicate", "pages": []}, "本文件与其他材料完全相同，请确认没有传错文件。"),
    ],
    ids=["blank", "rotated-and-upside-down", "low-resolution", "not-colour", "not-checked", "duplicate-same-case",
         "duplicate-other-case", "duplicate-legacy"],
)
def test_each_warning_is_a_chinese_sentence_naming_its_pages(warning, zh):
    with translation.override("zh-hans"):
        assert warning_sentence(warning) == zh


def test_english_pages_name_the_pages_and_materials_in_english():
    with translation.override("en"):
        assert page_ranges([1, 2, 3, 7]) == "1–3, 7"
        sentence = warning_sentence({"code": "duplicate", "pages": [], "other_material": "labour_contract",
                                     "other_case": "WRP-2026-000001"})
        assert "WRP-2026-000001" in sentence
        assert "Labour contract" in sentence


def test_the_api_keeps_the_contract_shape_and_adds_the_sentence():
    with translation.override("zh-hans"):
        [item] = with_messages([{"code": "blank_page", "pages": [2]}])
    assert item == {"code": "blank_page", "pages": [2], "message": "第 2 页可能是空白页，请检查是否漏扫或多扫了空白页。"}


def test_warnings_are_ordered_as_the_contract_lists_them_with_not_checked_last():
    codes = ["not_checked", "duplicate", "not_colour", "low_resolution", "blank_page"]
    assert [w["code"] for w in ordered({"code": c, "pages": []} for c in codes)] == [
        "blank_page", "low_resolution", "not_colour", "duplicate", "not_checked"
    ]
