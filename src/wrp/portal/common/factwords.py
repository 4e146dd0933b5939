"""The facts of an assessment request in words, for every page that shows one: a dotted path
(`applicant.employment_start`, `unit.annual_tax.2024`, `applicant.children.0.case`) by the self-check's own question
(入职本单位的日期, 2024年单位纳税额, 随往子女 1), a value with codes by their names, dates and money in the house
formats and numbers with their unit. The clerk's frozen facts, the resubmission's changes and the facts a case still
lacks all read this one mapping; a path it does not know is shown as it is (tests/portal/test_words.py walks every
path the policy's request has). Formatting only.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from wrp.policy.codes import (
    AccountStatus,
    AwardLevel,
    ChangeSubtype,
    ChildCase,
    Degree,
    District,
    HousingKind,
    Hukou,
    Penalty,
    PermitStatus,
    ProfessionalTitle,
    Qualification,
    Service,
    UnitKind,
)
from wrp.policy.labels import AWARD_GRADES, label
from wrp.policy.rules.conditions import CONDITION_TITLES
from wrp.public.questions import GROUPS, PROMPTS, TEXTS, pick
from wrp.public.templatetags.wrp_format import cn_date, yuan

# The facts whose values are codes, by the path with list indexes and year keys left out.
CODES: dict[str, type[StrEnum]] = {
    "service": Service,
    "change.subtype": ChangeSubtype,
    "unit.kind": UnitKind,
    "unit.registered_district": District,
    "unit.tax_district": District,
    "unit.account.status": AccountStatus,
    "unit.account.district": District,
    "unit.penalty": Penalty,
    "unit.qualifications": Qualification,
    "applicant.hukou": Hukou,
    "applicant.housing.kind": HousingKind,
    "applicant.degree": Degree,
    "applicant.professional_title": ProfessionalTitle,
    "applicant.award.level": AwardLevel,
    "applicant.permit.status": PermitStatus,
    "applicant.children.case": ChildCase,
}
# Names of the facts the self-check never asks one by one (whole objects, a year-by-year table, the request's own).
NAMES: dict[str, tuple[str, str]] = {
    "service": ("办理事项", "Service"),
    "as_of": ("评估日期", "Assessed as of"),
    "unit.annual_tax": ("单位纳税额", "Tax the unit paid"),
    "unit.account": ("单位工作居住证账户", "The unit's permit account"),
    "applicant.children": ("随往子女", "Accompanying children"),
    "applicant.housing": ("在京住所", "Home in Beijing"),
    "applicant.award": ("获奖情况", "Award"),
    "applicant.ip": ("知识产权", "Intellectual property"),
    "applicant.startup": ("创业情况", "Start-up"),
    "applicant.annual_tax_paid": ("本人纳税额", "Tax the applicant paid"),
    "applicant.taxable_income_by_year": ("各年应税收入", "Taxable income by year"),
    "applicant.permit": ("现持工作居住证", "Current work residence permit"),
}


def fact_label(path: str, lang: str, **fill: Any) -> str:
    """The fact's name: its question's label (a year or a child's number filled in from the path itself when the
    caller gives none), else its name here or its group's, else the path as it is."""
    prompt = PROMPTS.get(path)
    if prompt is not None and (fill or "{" not in prompt.label[0]):
        return pick(prompt.label, lang).format(**fill)
    if path in NAMES:
        return pick(NAMES[path], lang)
    if path in GROUPS:  # a whole part of the request: 单位情况, 申请人情况, 变更内容
        return pick(GROUPS[path], lang)
    parent, _dot, last = path.rpartition(".")
    if not fill and parent:
        template = PROMPTS[parent].label[0] if parent in PROMPTS else ""
        if last.isdigit() and "{year}" in template:
            return fact_label(parent, lang, year=last)
        if last.isdigit() and "{number}" in template:
            return fact_label(parent, lang, number=int(last) + 1)
        if parent.rpartition(".")[2].isdigit():  # a field of one item of a list: the item's name
            return fact_label(parent, lang)
    return path


def value_path(path: str) -> str:
    """The path without list indexes and year keys, as CODES and PROMPTS know it: unit.annual_tax.2024 →
    unit.annual_tax, applicant.children.0.case → applicant.children.case."""
    return ".".join(part for part in path.split(".") if not part.isdigit())


def fact_value(path: str, value: Any, lang: str) -> str:
    """One fact in words: codes by their names, dates and money in the house formats, numbers with their unit."""
    path = value_path(path)
    separator = ", " if lang == "en" else "、"
    if value is None:
        return _("无固定期限") if path == "applicant.contract_end" else pick(TEXTS["none"], lang)
    if isinstance(value, bool):
        return pick(TEXTS["yes" if value else "no"], lang)
    if isinstance(value, list | dict) and not value:
        return pick(TEXTS["none"], lang)
    if isinstance(value, list):
        return separator.join(fact_value(path, item, lang) for item in value)
    if isinstance(value, dict):
        fields = "; " if lang == "en" else "；"
        return fields.join(_item_words(f"{path}.{key}", inner, lang) for key, inner in value.items())
    return _scalar_words(path, value, lang)


def _item_words(path: str, value: Any, lang: str) -> str:
    """A field of an object: a year's amount with its year's name (2024年单位纳税额：…), anything else by its value."""
    words = fact_value(path, value, lang)
    if not path.rpartition(".")[2].isdigit():
        return words
    return f"{fact_label(path, lang)}: {words}" if lang == "en" else f"{fact_label(path, lang)}：{words}"


def _scalar_words(path: str, value: Any, lang: str) -> str:
    enum = CODES.get(path)
    if enum is not None and value in enum._value2member_map_:
        return label(enum(value), lang)
    if path == "applicant.talent_condition" and value in CONDITION_TITLES:
        return f"{value}. {pick(CONDITION_TITLES[value], lang)}"
    if path == "applicant.award.grade" and value in AWARD_GRADES:
        return pick(AWARD_GRADES[value], lang)
    if path == "applicant.nationality" and value in TEXTS:
        return pick(TEXTS[value], lang)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return cn_date(date.fromisoformat(value))
        except ValueError:
            return value
    prompt = PROMPTS.get(path)
    suffix = pick(prompt.suffix, lang) if prompt else ""
    if suffix in ("元", "yuan"):
        return yuan(value)
    return f"{value} {suffix}".strip() if lang == "en" else f"{value}{suffix}"


def fact_changes(changes: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The facts a resubmission changed (`{path: [before, after]}`, cases.selectors.case_changes) as rows of
    label, before and after, in words."""
    return [
        {"path": path, "label": fact_label(path, lang), "before": fact_value(path, pair[0], lang),
         "after": fact_value(path, pair[1], lang)}
        for path, pair in changes.items()
    ]
