"""The scan pre-checks' warnings in words: one sentence each, in the page's language, naming the pages and, for a
duplicate, the other material (and the other case's number when it is another case).

A stored warning keeps the contract's shape `{"code", "pages"}` (cases-api.md) with optional extras: `upside_down`
(the rotated pages turned by 180°), `other_material` (a material code) and `other_case` (a case number) for
`duplicate`. `warning_sentence(warning)` is what every page and the API (`message`) show; `with_messages(warnings)`
adds it to each warning for the API.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wrp.core.language import page_language
from wrp.policy.materials import MATERIALS

# Every code a stored warning may carry, in the order pages and the API list them.
CODE_ORDER = ("blank_page", "rotated", "low_resolution", "not_colour", "duplicate", "not_checked")


def page_ranges(pages: Iterable[int]) -> str:
    """1, 2, 3, 5 → "1–3、5" (Chinese) or "1–3, 5" (English)."""
    numbers = sorted(set(pages))
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    separator = ", " if page_language() == "en" else "、"
    return separator.join(str(first) if first == last else f"{first}–{last}" for first, last in runs)


def pages_phrase(pages: Iterable[int]) -> str:
    """ "第 2、3 页" / "Pages 2, 3" (or "Page 2"), the subject of a warning's sentence."""
    numbers = sorted(set(pages))
    if page_language() == "en":
        return f"{'Page' if len(numbers) == 1 else 'Pages'} {page_ranges(numbers)}"
    return f"第 {page_ranges(numbers)} 页"


def material_title(code: str) -> str:
    material = MATERIALS.get(code)
    if material is None:
        return code
    return material.title_en if page_language() == "en" else material.title_zh


def warning_sentence(warning: dict[str, Any]) -> str:
    """The warning as a sentence in the active language (unknown codes as their code); the English verb agrees with
    the number of pages ("Page 2 is …", "Pages 2–3 are …"; the whole file is one)."""
    code = warning.get("code")
    pages = [n for n in warning.get("pages") or [] if isinstance(n, int)]
    where = pages_phrase(pages) if pages else _("本文件")
    count = len(set(pages)) or 1
    if code == "blank_page":
        return _("{where}可能是空白页，请检查是否漏扫或多扫了空白页。").format(where=where)
    if code == "rotated":
        turned = set(warning.get("upside_down") or []) & set(pages)
        sideways = [n for n in pages if n not in turned]
        parts = []
        if sideways:
            parts.append(ngettext("{where}方向不正（横置）", "{where}方向不正（横置）", len(set(sideways)))
                         .format(where=pages_phrase(sideways)))
        if turned:
            parts.append(ngettext("{where}上下颠倒", "{where}上下颠倒", len(turned)).format(where=pages_phrase(turned)))
        if not parts:
            parts.append(ngettext("{where}方向不正", "{where}方向不正", count).format(where=where))
        return _("{parts}，请转正后重新上传。").format(parts=_("；").join(parts))
    if code == "low_resolution":
        return ngettext("{where}分辨率过低，文字可能看不清，请提高分辨率重新扫描。",
                        "{where}分辨率过低，文字可能看不清，请提高分辨率重新扫描。", count).format(where=where)
    if code == "not_colour":
        return ngettext("{where}不是彩色扫描，本材料须为原件的彩色扫描件。",
                        "{where}不是彩色扫描，本材料须为原件的彩色扫描件。", count).format(where=where)
    if code == "duplicate":
        return _duplicate_sentence(warning)
    if code == "not_checked":
        return ngettext("{where}超出自动检查的页数或时间，未作扫描检查，请自行核对。",
                        "{where}超出自动检查的页数或时间，未作扫描检查，请自行核对。", count).format(where=where)
    return str(code)


def _duplicate_sentence(warning: dict[str, Any]) -> str:
    other = warning.get("other_material")
    case = warning.get("other_case")
    if other and case:
        return _("本文件与案件 {case} 的“{material}”完全相同，请确认没有传错文件。").format(
            case=case, material=material_title(str(other))
        )
    if other:
        return _("本文件与本案的“{material}”完全相同，请确认没有传错文件。").format(material=material_title(str(other)))
    return _("本文件与其他材料完全相同，请确认没有传错文件。")


def with_messages(warnings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The warnings as the API gives them: each as stored, with its sentence as `message`."""
    return [{**warning, "message": warning_sentence(warning)} for warning in warnings]


def ordered(warnings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The warnings in CODE_ORDER (unknown codes last, as they came)."""
    rank = {code: index for index, code in enumerate(CODE_ORDER)}
    return sorted(warnings, key=lambda warning: rank.get(str(warning.get("code")), len(rank)))
