"""Reading a request: its shape and which facts the service needs (the rules that apply).

A field is required when a rule that applies to the service reads it (assessment.md). Absent and null differ:
nullable facts (`penalty`, `degree`, `permit`, …) mean "none" when null and may be left out; `contract_end: null`
means an open-ended contract but may not be left out where A-CONTRACT applies. Every problem is collected and
reported at once, each under its dotted path, with a message in Chinese and English.

A request is read once into plain objects (`wrp.policy.plain`): a well-formed one directly, anything else through the
pydantic models (imported only then), whose error types are the message codes below.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from wrp.policy.codes import RENTED_HOUSING, AccountStatus, Service
from wrp.policy.items import ITEMS, Applies
from wrp.policy.plain import NO_APPLICANT, NO_UNIT, RequestFacts, from_request_model, read_fast
from wrp.policy.rules import RULES
from wrp.policy.rules.applicant import general_income_applies
from wrp.policy.rules.base import Context
from wrp.policy.rules.conditions import CONDITION_READS
from wrp.policy.wages import WageTable, builtin_table
from wrp.policy.workdays import Calendar

if TYPE_CHECKING:
    from pydantic import ValidationError

    from wrp.policy.models import AssessmentRequest

__all__ = ["NO_APPLICANT", "NO_UNIT", "InvalidRequest", "needed_paths", "parse", "read", "service_reads", "validate"]
# May be null (meaning none / not met / open-ended).
NULLABLE = frozenset(
    {
        "unit.penalty", "unit.tax_paid_since", "unit.annual_tax", "unit.qualifications",
        "applicant.degree", "applicant.professional_title", "applicant.award", "applicant.ip", "applicant.startup",
        "applicant.annual_tax_paid", "applicant.permit", "applicant.taxable_income_by_year", "applicant.contract_end",
        "applicant.children",
    }
)  # fmt: skip
# May be left out (then read as null / empty). contract_end and tax_paid_since must be stated even when null.
MAY_BE_ABSENT = NULLABLE - {"applicant.contract_end", "unit.tax_paid_since"}
# Inner fields every present object must carry.
INNER_REQUIRED: dict[str, tuple[str, ...]] = {
    "applicant.housing": ("kind",),
    "applicant.award": ("level", "grade"),
    "applicant.ip": ("author_rank", "invention_patents", "other_patents", "software_copyrights",
                     "commercialised_in_beijing"),
    "applicant.startup": ("self_investment_3y", "equity_financing", "avg_annual_tax_3y", "shareholding_percent",
                          "shareholder_rank"),
    "applicant.permit": ("status", "valid_until"),
    "unit.account": ("status",),
}  # fmt: skip

MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "null": ("不能为空", "must not be null"),
    "extra_forbidden": ("未知字段", "unknown field"),
    "enum": ("取值无效，可选：{expected}", "must be one of {expected}"),
    "bool_type": ("应为 true 或 false", "must be true or false"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "int_from_float": ("应为整数", "must be a whole number"),
    "decimal_parsing": ("应为数字", "must be a number"),
    "decimal_type": ("应为数字", "must be a number"),
    "finite_number": ("应为有限数字", "must be a finite number"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "string_type": ("应为文字", "must be a string"),
    "string_pattern_mismatch": (
        "格式不正确（国籍为两位大写国家代码，如 CN）",
        "malformed (nationality: a two-letter country code such as CN)",
    ),
    "model_type": ("应为对象", "must be an object"),
    "model_attributes_type": ("应为对象", "must be an object"),
    "dict_type": ("应为对象（年份 → 金额）", "must be an object (year → amount)"),
    "list_type": ("应为数组", "must be a list"),
    "json_invalid": ("请求不是有效的 JSON", "the request is not valid JSON"),
    "date_format": ("日期格式应为 YYYY-MM-DD", "dates are written YYYY-MM-DD"),
    "impossible_date": ("日期不存在", "no such date"),
    "money_format": ("应为金额（元，数字或数字字符串）", "must be an amount in yuan (a number or a decimal string)"),
    "as_of_range": ("日期超出可办理范围", "date out of range"),
    "no_reference_wage": (
        "该日期没有可参照的月平均工资（须2018年及以后）",
        "no reference wage for this date (2018 or later)",
    ),
    "change_not_allowed": ("仅“个人证件基础信息变更”可填写变更类型", "only info_change takes a change"),
    "lease_end": ("租住房屋须填写租期截止日", "a lease end date is required for rented housing"),
    "district": ("已开户的须填写开户所在区", "the district of an open account is required"),
}


class InvalidRequest(Exception):
    """An invalid request: every bad field under its dotted path, with the message code and the numbers to show."""

    def __init__(self, fields: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__(", ".join(sorted(fields)))
        self.fields = fields

    def messages(self, lang: str = "zh") -> dict[str, str]:
        """`{path: message}` in the language asked (the contract's `fields` object)."""
        index = 1 if lang == "en" else 0
        out = {}
        for path, (code, values) in sorted(self.fields.items()):
            template = MESSAGES.get(code, (code, code))[index]
            out[path] = template.format(**values) if values else template
        return out

    def as_json_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {"error": "invalid_request", "fields": self.messages(lang)}


def _from_pydantic(error: ValidationError) -> InvalidRequest:
    fields: dict[str, tuple[str, dict[str, Any]]] = {}
    for item in error.errors(include_url=False):
        path = ".".join(str(part) for part in item["loc"] if part != "[key]") or "body"
        kind = item["type"]
        context = item.get("ctx") or {}
        if kind == "value_error":
            kind = str(context.get("error", "value_error"))
            values: dict[str, Any] = {}
        elif kind == "enum":
            values = {"expected": context.get("expected", "")}
        elif kind in ("greater_than_equal", "less_than_equal"):
            values = {key: context[key] for key in ("ge", "le") if key in context}
        else:
            values = {}
        if kind not in MESSAGES:
            kind, values = "invalid", {}
        fields.setdefault(path, (kind, values))
    return InvalidRequest(fields)


def _without(data: Any, location: tuple[Any, ...]) -> None:
    """Remove the value at a pydantic error location from a JSON-like document (in place), if it is there."""
    parts = [part for part in location if part != "[key]"]
    holder = data
    for part in parts[:-1]:
        if isinstance(holder, dict) and part in holder:
            holder = holder[part]
        elif isinstance(holder, dict) and str(part) in holder:
            holder = holder[str(part)]
        elif isinstance(holder, list) and isinstance(part, int) and 0 <= part < len(holder):
            holder = holder[part]
        else:
            return
    last = parts[-1] if parts else None
    if isinstance(holder, dict):
        holder.pop(last, None) if last in holder else holder.pop(str(last), None)
    elif isinstance(holder, list) and isinstance(last, int) and 0 <= last < len(holder):
        holder[last] = {}


def parse(
    raw: bytes | str | dict[str, Any] | AssessmentRequest,
) -> tuple[AssessmentRequest | None, dict[str, tuple[str, dict[str, Any]]]]:
    """Validate the shape of a request (JSON text, a JSON-like dict, or a model already built).

    On shape errors, the bad values are set aside and the rest is read again, so that what is *missing* can be
    reported together with what is *malformed* ("every bad field is named"); the model is None when even that fails.
    """
    from pydantic import ValidationError

    from wrp.policy.models import AssessmentRequest

    if isinstance(raw, AssessmentRequest):
        return raw, {}
    if not isinstance(raw, bytes | str | dict):
        return None, {"body": ("model_type", {})}
    try:
        if isinstance(raw, dict):
            return AssessmentRequest.model_validate(raw), {}
        return AssessmentRequest.model_validate_json(raw), {}
    except ValidationError as error:
        shape = _from_pydantic(error).fields
        try:
            data = copy.deepcopy(raw) if isinstance(raw, dict) else json.loads(raw)
        except ValueError:
            return None, shape
        if not isinstance(data, dict):
            return None, shape
        for item in error.errors(include_url=False):
            _without(data, tuple(item["loc"]))
        try:
            return AssessmentRequest.model_validate(data), shape
        except ValidationError:
            return None, shape


def read(
    raw: bytes | str | dict[str, Any] | AssessmentRequest,
) -> tuple[RequestFacts | None, dict[str, tuple[str, dict[str, Any]]]]:
    """The plain facts of a request and its shape problems (`parse`, but the models only when they are needed)."""
    facts = read_fast(raw)
    if facts is not None:
        return facts, {}
    request, problems = parse(raw)
    return (None if request is None else from_request_model(request)), problems


def _overlaps(path: str, reported: Iterable[str]) -> bool:
    return any(path == other or path.startswith(other + ".") or other.startswith(path + ".") for other in reported)


@dataclass(frozen=True, slots=True)
class _Path:
    """One dotted fact path, taken apart once."""

    path: str
    part: str
    field: str
    may_be_absent: bool
    nullable: bool
    inner: tuple[str, ...]


@cache
def _path(path: str) -> _Path:
    part, _, field = path.partition(".")
    return _Path(path, part, field, path in MAY_BE_ABSENT, path in NULLABLE, INNER_REQUIRED.get(path, ()))


@dataclass(slots=True)
class _Presence:
    request: RequestFacts
    problems: dict[str, tuple[str, dict[str, Any]]]

    def require(self, where: _Path) -> bool:
        """Check one dotted fact path; record what is wrong; True when it can be read."""
        path = where.path
        holder = getattr(self.request, where.part)
        if holder is None:
            self.problems.setdefault(where.part, ("missing", {}))
            return False
        if where.field not in holder.fields_set:
            if where.may_be_absent:
                return True
            self.problems.setdefault(path, ("missing", {}))
            return False
        value = getattr(holder, where.field)
        if value is None:
            if where.nullable:
                return True
            self.problems.setdefault(path, ("null", {}))
            return False
        for inner in where.inner:
            if getattr(value, inner) is None:
                code = "missing" if inner not in value.fields_set else "null"
                self.problems.setdefault(f"{path}.{inner}", (code, {}))
        return True


@cache
def _unconditional_reads(service: Service) -> tuple[str, ...]:
    paths = [path for rule_id, applies in ITEMS[service].rules if applies is None for path in RULES[rule_id].reads]
    if service in (Service.CHILDREN_CHANGE, Service.INFO_CHANGE, Service.RENEWAL):
        # the checklist asks whether the unit pays tax in Chaoyang while registered elsewhere (G5–G7 注意事项)
        paths += ["unit.tax_district", "unit.registered_district"]
    return tuple(dict.fromkeys(paths))


@cache
def _conditional_rules(service: Service) -> tuple[tuple[str, Applies], ...]:
    return tuple((rule_id, applies) for rule_id, applies in ITEMS[service].rules if applies is not None)


@cache
def _reads_housing(service: Service) -> bool:
    return any(rule_id == "A-HOUSING" for rule_id, _ in ITEMS[service].rules)


def _reads(probe: Context) -> tuple[str, ...]:
    """`service_reads` of the request a context was built from."""
    conditional = _conditional_rules(probe.service)
    if not conditional:
        return _unconditional_reads(probe.service)
    extra = [path for rule_id, applies in conditional if applies(probe) for path in RULES[rule_id].reads]
    return tuple(dict.fromkeys([*_unconditional_reads(probe.service), *extra]))


@cache
def _paths(paths: tuple[str, ...]) -> tuple[_Path, ...]:
    """Fact paths taken apart (a service reads one of a handful of path lists)."""
    return tuple(_path(path) for path in paths)


def _context(
    request: RequestFacts | AssessmentRequest, calendar: Calendar, wages: WageTable, time_limit: int
) -> Context:
    return Context(
        service=request.service,
        as_of=request.as_of,
        unit=request.unit or NO_UNIT,
        applicant=request.applicant or NO_APPLICANT,
        subtype=request.change.subtype if request.change else None,
        calendar=calendar,
        wages=wages,
        time_limit=time_limit,
    )


def service_reads(request: RequestFacts | AssessmentRequest) -> tuple[str, ...]:
    """The fact paths this request must state: what the rules that apply to it, and its checklist, read — each once.

    Whether a conditional rule applies (U-CAPITAL for legal-person enterprises, A-INCOME from 2021 and not for
    conditions 4–5, A-HOUSING for an address change, …) is decided on the facts given; a fact the condition itself
    needs is read by an unconditional rule and so reported there when missing.
    """
    if not _conditional_rules(request.service):
        return _unconditional_reads(request.service)
    # the applicability predicates read neither calendar nor wages
    return _reads(_context(request, Calendar.builtin(), builtin_table(), 0))


def needed_paths(request: RequestFacts, probe: Context | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every problem of presence for the service's rules and checklist (empty when the request is complete).

    `probe`: a context built from the request, if the caller has one (it decides which conditional rules apply).
    """
    presence = _Presence(request, {})
    if request.service == Service.INFO_CHANGE:
        if request.change is None:
            presence.problems["change"] = ("missing", {})
        elif request.change.subtype is None:
            presence.problems["change.subtype"] = ("missing", {})
    elif request.change is not None:
        presence.problems["change"] = ("change_not_allowed", {})
    unit = request.unit or NO_UNIT
    applicant = request.applicant or NO_APPLICANT
    for where in _paths(service_reads(request) if probe is None else _reads(probe)):
        presence.require(where)
    condition = applicant.talent_condition if request.service == Service.INITIAL else None
    if condition is not None:
        for where in _paths(CONDITION_READS[condition]):
            presence.require(where)
    housing = applicant.housing
    if (
        _reads_housing(request.service)
        and housing is not None
        and housing.kind in RENTED_HOUSING
        and housing.lease_end is None
    ):
        presence.problems.setdefault("applicant.housing.lease_end", ("lease_end", {}))
    for index, child in enumerate(applicant.children or ()):
        if child.case is None:
            code = "missing" if "case" not in child.fields_set else "null"
            presence.problems.setdefault(f"applicant.children.{index}.case", (code, {}))
    account = unit.account
    if account is not None and account.status == AccountStatus.OPEN and account.district is None:
        presence.problems.setdefault("unit.account.district", ("district", {}))
    return presence.problems


def needs_reference_wage(context: Context) -> bool:
    """Whether an income rule will run: A-INCOME (from 2021, not conditions 4–5) or condition 4/5 itself."""
    if context.service != Service.INITIAL:
        return False
    return general_income_applies(context) or context.applicant.talent_condition in (4, 5)


def validate(raw: bytes | str | dict[str, Any] | AssessmentRequest, *, calendar: Calendar, wages: WageTable) -> Context:
    """Parse and check a request; the `Context` the rules run in, or `InvalidRequest` naming every bad field."""
    request, problems = read(raw)
    if request is None:
        raise InvalidRequest(problems)
    context = _context(request, calendar, wages, ITEMS[request.service].time_limit)
    for path, problem in needed_paths(request, context).items():
        if not _overlaps(path, problems):
            problems[path] = problem
    if problems:
        raise InvalidRequest(problems)
    if needs_reference_wage(context) and wages.reference(context.as_of) is None:
        raise InvalidRequest({"as_of": ("no_reference_wage", {})})
    return context
