"""附件3 房屋借住声明: the particulars of living in a relative's or friend's home (issue 12 §6).

Where the applicant lives in a home of a relative or friend (housing kind `relative`), the case carries the
declaration's particulars in its answers, `answers.housing_loan` — the kinds that need a home, `initial` and
`info_change:address`, declare it (`kinds.HOUSING_LOAN`) — and 附件3 prints them: since when the applicant has lived
there, the address to the house number, the owner's name and resident ID number, and how the applicant is related to
the owner. The policy never reads them; they are checked here, part by part, wherever they arrive (the pages' form,
the API), by `housing_loan_check`, which the service's answers check calls.

The rules, each reported under `answers.housing_loan.<part>`:
- the value is an object of these five parts only; any part may be left out or empty — the printed declaration then
  leaves a blank to write by hand — but a part given must be right;
- `owner_name`: at most 50 characters, no digits;
- `owner_id_number`: a well-formed 18-character resident ID (GB 11643-1999 check character and birth date,
  `wrp.policy.identifiers.resident_id_problem`);
- `address`: at most 200 characters and down to the house number (「详细住址精确至门牌」): it has a number followed by
  号 (5号, 十二号, 5号院, 3号楼), or a number run such as 3-2-1201, or a number followed by 室 or 户; and at least four
  characters that are not digits or signs before it (the road or community: "5号" alone is no address);
- `relationship`: one of `RELATIONSHIPS` (亲友: the guide's 「说明亲友关系」), as its Chinese word;
- `since`: a date (YYYY-MM-DD) not after today (Asia/Shanghai) and not before 1900.

The owner's ID number is personal data: never in a URL or a log line; shown whole only to the applicant and to the
staff who check it against the materials, masked (110105********002X) to everyone else — `particulars_shown_to`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.cases.facts import profile_facts
from wrp.cases.kinds import kind_of
from wrp.core.language import policy_text
from wrp.policy.codes import HousingKind
from wrp.policy.identifiers import mask_resident_id, normalise_resident_id, resident_id_problem

PARTS = ("since", "address", "owner_name", "owner_id_number", "relationship")
PREFIX = "answers.housing_loan"
NAME_MAX = 50
ADDRESS_MAX = 200
EARLIEST = date(1900, 1, 1)

_NUMERAL = r"[0-9０-９一二三四五六七八九十百千零〇两]+"
HOUSE_NUMBER = re.compile(rf"{_NUMERAL}\s*号|[0-9０-９]+(?:\s*[-－—]\s*[0-9０-９]+){{1,3}}|[0-9０-９]+\s*[室户]")
_NOT_PLACE = re.compile(r"[\s0-9０-９\-－—#＃、，,.。()（）]")


class Relationship(models.TextChoices):
    """How the applicant is related to the home's owner (附件3: 「本人与房主是XXX关系（说明亲友关系）」).

    The value is the Chinese word itself: the declaration prints it as it is. A spouse's home is not here: it is
    the couple's own home (housing kind `owned`)."""

    PARENT = "父母", _("父母")
    SPOUSE_PARENT = "配偶父母", _("配偶父母")
    CHILD = "子女", _("子女")
    SIBLING = "兄弟姐妹", _("兄弟姐妹")
    GRANDPARENT = "祖父母或外祖父母", _("祖父母或外祖父母")
    OTHER_RELATIVE = "其他亲属", _("其他亲属")
    FRIEND = "朋友", _("朋友")


RELATIONSHIPS = tuple(Relationship.values)

Add = Callable[[str, Any, str], None]  # (path, message, code), as `services.Problems.add`


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def address_problem(address: str) -> Promise | None:
    """Why an address does not reach the house number, or None."""
    if len(address) > ADDRESS_MAX:
        return _("地址不超过 200 个字符。")
    match = HOUSE_NUMBER.search(address)
    if match is None:
        return _("地址须精确至门牌号，例如“朝阳区将台路5号院15号楼1201室”。")
    if len(_NOT_PLACE.sub("", address[: match.start()])) < 4:
        return _("请在门牌号前写明区、街道（路）或小区名称。")
    return None


def since_problem(value: Any, today: date) -> Promise | None:
    """Why the day the loan began is not a date on or before today, or None."""
    try:
        since = date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        since = None
    if since is None:
        return _("日期格式应为 年-月-日，例如 2024-03-01。")
    if since > today:
        return _("借住开始日期不能晚于今天。")
    if since < EARLIEST:
        return _("借住开始日期不能早于 1900 年。")
    return None


def _part_problem(part: str, value: Any, today: date) -> tuple[Any, str] | None:
    """(message, code) for one part that was given, or None."""
    if not isinstance(value, str):
        return _("应为文字。"), "not_text"
    text = value.strip()
    if part == "owner_name":
        if len(text) > NAME_MAX:
            return _("姓名不超过 50 个字符。"), "too_long"
        if any(char.isdigit() for char in text):
            return _("姓名不能包含数字。"), "bad_name"
    elif part == "owner_id_number":
        problem = resident_id_problem(text, today=today)
        if problem is not None:
            return policy_text(problem.zh, problem.en), "bad_id_number"
    elif part == "address":
        message = address_problem(text)
        if message is not None:
            return message, "no_house_number"
    elif part == "relationship":
        if text not in RELATIONSHIPS:
            return format_lazy(_("请从列表中选择与房主的关系：{choices}"), choices="、".join(RELATIONSHIPS)), "bad_relationship"
    elif part == "since":
        message = since_problem(text, today)
        if message is not None:
            return message, "bad_date"
    return None


def housing_loan_check(value: Any, add: Add, *, today: date | None = None) -> None:
    """Report each problem of `answers.housing_loan` through `add(path, message, code)`; nothing for None."""
    if value is None:
        return
    if not isinstance(value, dict):
        add(PREFIX, format_lazy(_("应为对象，包含：{parts}"), parts=", ".join(PARTS)), "not_an_object")
        return
    today = today or timezone.localdate()
    for key in value:
        if key not in PARTS:
            add(f"{PREFIX}.{key}", _("附件3不填写该项。"), "answer_not_allowed")
    for part in PARTS:
        given = value.get(part)
        if given is None or (isinstance(given, str) and not given.strip()):
            continue  # left blank: written by hand on the printed declaration
        problem = _part_problem(part, given, today)
        if problem is not None:
            add(f"{PREFIX}.{part}", *problem)


def housing_loan_normalised(value: dict[str, Any]) -> dict[str, str]:
    """The particulars as stored: trimmed, the ID number half-width and upper-case, blanks left out."""
    out = {part: _text(value.get(part)) for part in PARTS}
    if out["owner_id_number"]:
        try:
            out["owner_id_number"] = normalise_resident_id(out["owner_id_number"])
        except ValueError:  # not a resident ID: kept as typed, for the check to name
            out["owner_id_number"] = out["owner_id_number"].upper()
    return {part: text for part, text in out.items() if text}


def particulars_shown_to(particulars: Any, *, whole_id: bool) -> dict[str, str]:
    """The recorded particulars for a page: the owner's ID number whole only when `whole_id` (the applicant, staff)."""
    shown = housing_loan_normalised(particulars) if isinstance(particulars, dict) else {}
    if shown.get("owner_id_number") and not whole_id:
        shown["owner_id_number"] = mask_resident_id(shown["owner_id_number"])
    return shown


def housing_loan_applies(case: Any) -> bool:
    """附件3 applies: the case's kind carries the particulars and the home it declares is a relative's — the case's
    own new housing where it carries one (an address change), else the applicant's profile (a first permit)."""
    names = kind_of(case).answer_names
    if "housing_loan" not in names or not case.applicant_id:
        return False
    housing = case.answers.get("housing") if "housing" in names else profile_facts(case.applicant).get("housing")
    return isinstance(housing, dict) and housing.get("kind") == HousingKind.RELATIVE
