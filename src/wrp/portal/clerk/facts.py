"""The facts frozen at submission as the clerk reads them: titled groups of (label, value) rows, codes by their names,
dates and money in the house formats, the rows a resubmission changed marked."""

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
    UnitKind,
)
from wrp.policy.labels import AWARD_GRADES, label
from wrp.policy.rules.conditions import CONDITION_TITLES
from wrp.public.questions import GROUPS, PROMPTS, TEXTS, pick
from wrp.public.templatetags.wrp_format import cn_date, yuan

CODES: dict[str, type[StrEnum]] = {
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
# Names of the facts the self-check never asks one by one (whole objects that are empty, a year-by-year table).
NAMES: dict[str, tuple[str, str]] = {
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


def _name(path: str, lang: str, **fill: Any) -> str:
    prompt = PROMPTS.get(path)
    if prompt is not None and (fill or "{" not in prompt.label[0]):
        return pick(prompt.label, lang).format(**fill)
    if path in NAMES:
        return pick(NAMES[path], lang)
    return path


def _value(path: str, value: Any, lang: str) -> str:
    """One fact in words: codes by their names, dates and money in the house formats, numbers with their unit."""
    if value is None:
        if path == "applicant.contract_end":
            return _("无固定期限")
        return pick(TEXTS["none"], lang)
    if isinstance(value, bool):
        return pick(TEXTS["yes" if value else "no"], lang)
    if isinstance(value, list | dict) and not value:
        return pick(TEXTS["none"], lang)
    if isinstance(value, list):
        return "、".join(_value(path, item, lang) for item in value)
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


def _fact_rows(section: str, facts: Any, lang: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(path: str, name: str, value: Any, code_path: str | None = None) -> None:
        rows.append({"path": path, "label": name, "value": _value(code_path or path, value, lang)})

    def walk(path: str, value: Any) -> None:
        prompt = PROMPTS.get(path)
        if isinstance(value, dict) and value and prompt and "{year}" in prompt.label[0]:
            for year, amount in value.items():
                add(f"{path}.{year}", _name(path, lang, year=year), amount, path)
        elif isinstance(value, dict) and value:
            for key, inner in value.items():
                walk(f"{path}.{key}", inner)
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                for key, inner in item.items():
                    add(f"{path}.{index}.{key}", _name(path, lang, number=index + 1), inner, f"{path}.{key}")
        else:
            add(path, _name(path, lang), value)

    for key, value in (facts or {}).items():
        walk(f"{section}.{key}", value)
    return rows


def fact_sections(facts: dict[str, Any] | None, lang: str, *, changed: dict[str, Any]) -> list[dict[str, Any]]:
    """The assessment request frozen at submission, as titled groups of (label, value) rows; rows the latest
    resubmission changed are marked."""
    sections = []
    for section in ("change", "unit", "applicant"):
        if not (facts or {}).get(section):
            continue
        rows = _fact_rows(section, facts[section], lang)  # type: ignore[index]
        for row in rows:
            row["changed"] = any(row["path"] == p or row["path"].startswith(p + ".") for p in changed)
        sections.append({"title": pick(GROUPS[section], lang), "rows": rows})
    return sections

