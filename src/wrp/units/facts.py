"""A unit's facts as the policy reads them (contracts/assessment.md `unit`): checked and normalised before they are
stored, every bad field named at once with a lazily translated message (`Invalid`).

Registration and `PUT /units/{credit_code}` send the same facts; the credit code is checked against GB 32100-2015.
Some facts the system keeps itself (`SYSTEM_FIELDS`): sending them is an invalid request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.core.errors import Invalid, Message
from wrp.core.language import policy_text
from wrp.policy.codes import District, Qualification, UnitKind
from wrp.policy.identifiers import credit_code_problem
from wrp.units.models import Unit
from wrp.units.selectors import decimal_str, normalised_code

FACT_FIELDS = (
    "name", "kind", "legal_person", "registered_district", "tax_district", "tax_paid_since", "registered_capital",
    "annual_tax", "qualifications",
)
# Facts the system keeps (contracts/cases-api.md §Units and quotas): sending them is an invalid request.
SYSTEM_FIELDS = frozenset({
    "account", "account_status", "account_district", "quota_remaining", "quota_frozen", "penalty", "penalties",
    "association_code", "handlers",
})
_MAX_CAPITAL = Decimal("9999999999999999.99")  # the column: 18 digits, 2 after the point
_EARLIEST_TAX_YEAR = 1949

_CHOICE_MESSAGES = {
    UnitKind: _("单位类型代码无效：{value}"),
    District: _("区代码无效：{value}"),
    Qualification: _("单位资质代码无效：{value}"),
}
_AMOUNT_MESSAGES = {  # what an amount of the registered capital or of a year's tax can get wrong
    "registered_capital": {
        "not_amount": _("注册资本应为金额（元）"), "negative": _("注册资本不能为负数"),
        "decimals": _("注册资本最多保留两位小数"), "too_large": _("注册资本超出范围"),
    },
    "annual_tax": {
        "not_amount": _("纳税额应为金额（元）"), "negative": _("纳税额不能为负数"),
        "decimals": _("纳税额最多保留两位小数"), "too_large": _("纳税额超出范围"),
    },
}
DATE_FORMAT = _("日期格式应为 YYYY-MM-DD")


# ---------------------------------------------------------------------------------------------------------------------
# Facts


def _clean_choice(value: Any, choices: type, field: str, errors: dict[str, Message]) -> str | None:
    if isinstance(value, str) and value in {c.value for c in choices}:
        return value
    errors[field] = format_lazy(_CHOICE_MESSAGES[choices], value=repr(value))
    return None


def _clean_amount(value: Any, field: str, errors: dict[str, Message], *, what: str) -> Decimal | None:
    messages = _AMOUNT_MESSAGES[what]
    if isinstance(value, bool) or value is None:
        errors[field] = messages["not_amount"]
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = messages["not_amount"]
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = messages["negative"]
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors[field] = messages["decimals"]
        return None
    if amount > _MAX_CAPITAL:
        errors[field] = messages["too_large"]
        return None
    return amount


def _clean_date(value: Any, field: str, errors: dict[str, Message], *, today: date) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            errors[field] = DATE_FORMAT
            return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        errors[field] = DATE_FORMAT
        return None
    if value > today:
        errors[field] = _("在朝阳区纳税起始日不能晚于今天")
        return None
    return value


def _clean_annual_tax(value: Any, errors: dict[str, Message], *, today: date) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        errors["annual_tax"] = _("各年度纳税额应为按年度列出的金额")
        return None
    cleaned: dict[str, str] = {}
    for key, amount in value.items():
        year_text = str(key).strip()
        path = f"annual_tax.{year_text}"
        if isinstance(key, bool) or not year_text.isdigit() or not _EARLIEST_TAX_YEAR <= int(year_text) <= today.year:
            errors[path] = format_lazy(_("年度无效：{value}"), value=repr(key))
            continue
        checked = _clean_amount(amount, path, errors, what="annual_tax")
        if checked is not None:
            cleaned[str(int(year_text))] = decimal_str(checked)
    return dict(sorted(cleaned.items()))


def _clean_qualifications(value: Any, errors: dict[str, Message]) -> list[str] | None:
    if not isinstance(value, list | tuple):
        errors["qualifications"] = _("单位资质应为列表")
        return None
    cleaned: list[str] = []
    for index, code in enumerate(value):
        checked = _clean_choice(code, Qualification, f"qualifications.{index}", errors)
        if checked is not None and checked not in cleaned:
            cleaned.append(checked)
    return cleaned


def _clean_fact(field: str, value: Any, errors: dict[str, Message], *, today: date) -> Any:
    if field == "name":
        name = value.strip() if isinstance(value, str) else ""
        if not name:
            errors["name"] = _("请填写单位名称")
        elif len(name) > Unit._meta.get_field("name").max_length:
            errors["name"] = _("单位名称过长（最多200字）")
        return name
    if field == "kind":
        return _clean_choice(value, UnitKind, "kind", errors)
    if field == "legal_person":
        if not isinstance(value, bool):
            errors["legal_person"] = _("是否具有法人资格应为是或否")
        return value
    if field in ("registered_district", "tax_district"):
        return _clean_choice(value, District, field, errors)
    if field == "tax_paid_since":
        return None if value is None else _clean_date(value, field, errors, today=today)
    if field == "registered_capital":
        return _clean_amount(value, field, errors, what="registered_capital")
    if field == "annual_tax":
        return _clean_annual_tax({} if value is None else value, errors, today=today)
    if field == "qualifications":
        return _clean_qualifications([] if value is None else value, errors)
    raise AssertionError(field)


def clean_unit_facts(facts: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
    """The facts, validated and normalised; Invalid naming every bad field. With `required`, all must be given."""
    today = timezone.localdate()
    errors: dict[str, Message] = {}
    for field in facts:
        if field in SYSTEM_FIELDS:
            errors[field] = _("该项由系统维护，不能提交")
        elif field not in FACT_FIELDS and field != "credit_code":
            errors[field] = _("未知字段")
    if required:
        for field in FACT_FIELDS:
            if field not in facts:
                errors[field] = _("必填")
    cleaned = {
        field: _clean_fact(field, facts[field], errors, today=today) for field in FACT_FIELDS if field in facts
    }
    if errors:
        raise Invalid(errors)
    return cleaned


def clean_credit_code(value: Any) -> str:
    """The credit code in stored form; Invalid({"credit_code": …}) naming the problem (GB 32100-2015)."""
    if not isinstance(value, str):
        raise Invalid({"credit_code": _("统一社会信用代码无效：应为18位字符")}, codes={"credit_code": "invalid_code"})
    problem = credit_code_problem(value)
    if problem is not None:
        message = format_lazy(_("统一社会信用代码无效：{problem}"), problem=policy_text(problem.zh, problem.en))
        raise Invalid({"credit_code": message}, codes={"credit_code": "invalid_code"})
    return normalised_code(value)
