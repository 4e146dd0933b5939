"""State changes of units: registration and facts, handlers, association codes, the account effects of approved
`unit_opening` / `unit_transfer` cases, penalties (POLICY §9) and random employment audits (G4.注意事项.6).

Who may act: a unit's own handlers change its facts, handlers and association code; window clerks apply the account
effects; bureau approvers impose and lift penalties and record audits. Anyone else who can see the unit (a clerk, an
approver, a handler of it) is Forbidden; anyone who cannot is told it does not exist (NotFound).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, InvalidState, NotFound
from wrp.policy.codes import HOME_DISTRICT, District, Qualification, UnitKind
from wrp.policy.identifiers import credit_code_problem
from wrp.units.models import AccountStatus, Audit, Penalty, PenaltyKind, Unit, UnitHandler
from wrp.units.selectors import can_see_unit, decimal_str, is_handler, normalised_code

ASSOCIATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by hand
ASSOCIATION_CODE_LENGTH = 8

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


# ---------------------------------------------------------------------------------------------------------------------
# Access


def _role(user: Any) -> str:
    return str(getattr(user, "role", "")) if getattr(user, "is_authenticated", False) else ""


def require_unit_access(actor: Any, unit: Unit, *, allowed: Callable[[], bool]) -> None:
    """Let the action through if `allowed()`; else Forbidden to those who see the unit, NotFound to the rest."""
    if allowed():
        return
    if can_see_unit(actor, unit):
        raise Forbidden("this role may not take this action on the unit")
    raise NotFound("unit")


def require_handler(actor: Any, unit: Unit) -> None:
    require_unit_access(actor, unit, allowed=lambda: is_handler(actor, unit))


def _locked(unit: Unit) -> Unit:
    return Unit.objects.select_for_update().get(pk=unit.pk)


# ---------------------------------------------------------------------------------------------------------------------
# Facts


def _clean_choice(value: Any, choices: type, field: str, zh: str, en: str, errors: dict[str, str]) -> str | None:
    if isinstance(value, str) and value in {c.value for c in choices}:
        return value
    errors[field] = f"{zh}代码无效：{value!r} / unknown {en} code: {value!r}"
    return None


def _clean_amount(value: Any, field: str, errors: dict[str, str], *, zh: str, en: str) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        errors[field] = f"{zh}应为金额（元） / {en} must be an amount in yuan"
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors[field] = f"{zh}应为金额（元） / {en} must be an amount in yuan"
        return None
    if not amount.is_finite() or amount < 0:
        errors[field] = f"{zh}不能为负数 / {en} cannot be negative"
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors[field] = f"{zh}最多保留两位小数 / {en} has at most two decimal places"
        return None
    if amount > _MAX_CAPITAL:
        errors[field] = f"{zh}超出范围 / {en} is too large"
        return None
    return amount


def _clean_date(value: Any, field: str, errors: dict[str, str], *, today: date) -> date | None:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            errors[field] = "日期格式应为 YYYY-MM-DD / a date must be YYYY-MM-DD"
            return None
    if not isinstance(value, date) or hasattr(value, "hour"):
        errors[field] = "日期格式应为 YYYY-MM-DD / a date must be YYYY-MM-DD"
        return None
    if value > today:
        errors[field] = "在朝阳区纳税起始日不能晚于今天 / tax_paid_since cannot be after today"
        return None
    return value


def _clean_annual_tax(value: Any, errors: dict[str, str], *, today: date) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        errors["annual_tax"] = "各年度纳税额应为 {年度: 金额} / annual_tax must map years to amounts"
        return None
    cleaned: dict[str, str] = {}
    for key, amount in value.items():
        year_text = str(key).strip()
        path = f"annual_tax.{year_text}"
        if isinstance(key, bool) or not year_text.isdigit() or not _EARLIEST_TAX_YEAR <= int(year_text) <= today.year:
            errors[path] = f"年度无效：{key!r} / not a year: {key!r}"
            continue
        checked = _clean_amount(amount, path, errors, zh="纳税额", en="the tax amount")
        if checked is not None:
            cleaned[str(int(year_text))] = decimal_str(checked)
    return dict(sorted(cleaned.items()))


def _clean_qualifications(value: Any, errors: dict[str, str]) -> list[str] | None:
    if not isinstance(value, list | tuple):
        errors["qualifications"] = "单位资质应为列表 / qualifications must be a list"
        return None
    cleaned: list[str] = []
    for index, code in enumerate(value):
        checked = _clean_choice(code, Qualification, f"qualifications.{index}", "单位资质", "qualification", errors)
        if checked is not None and checked not in cleaned:
            cleaned.append(checked)
    return cleaned


def _clean_fact(field: str, value: Any, errors: dict[str, str], *, today: date) -> Any:
    if field == "name":
        name = value.strip() if isinstance(value, str) else ""
        if not name:
            errors["name"] = "请填写单位名称 / the unit's name is required"
        elif len(name) > Unit._meta.get_field("name").max_length:
            errors["name"] = "单位名称过长（最多200字） / the name is too long (200 characters at most)"
        return name
    if field == "kind":
        return _clean_choice(value, UnitKind, "kind", "单位类型", "unit kind", errors)
    if field == "legal_person":
        if not isinstance(value, bool):
            errors["legal_person"] = "是否具有法人资格应为是或否 / legal_person must be true or false"
        return value
    if field in ("registered_district", "tax_district"):
        return _clean_choice(value, District, field, "区", "district", errors)
    if field == "tax_paid_since":
        return None if value is None else _clean_date(value, field, errors, today=today)
    if field == "registered_capital":
        return _clean_amount(value, field, errors, zh="注册资本", en="registered_capital")
    if field == "annual_tax":
        return _clean_annual_tax({} if value is None else value, errors, today=today)
    if field == "qualifications":
        return _clean_qualifications([] if value is None else value, errors)
    raise AssertionError(field)


def clean_unit_facts(facts: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
    """The facts, validated and normalised; Invalid naming every bad field. With `required`, all must be given."""
    today = timezone.localdate()
    errors: dict[str, str] = {}
    for field in facts:
        if field in SYSTEM_FIELDS:
            errors[field] = "该项由系统维护，不能提交 / this field is kept by the system and cannot be sent"
        elif field not in FACT_FIELDS and field != "credit_code":
            errors[field] = "未知字段 / unknown field"
    if required:
        for field in FACT_FIELDS:
            if field not in facts:
                errors[field] = "必填 / required"
    cleaned = {
        field: _clean_fact(field, facts[field], errors, today=today) for field in FACT_FIELDS if field in facts
    }
    if errors:
        raise Invalid(errors)
    return cleaned


def clean_credit_code(value: Any) -> str:
    """The credit code in stored form; Invalid({"credit_code": …}) naming the problem (GB 32100-2015)."""
    if not isinstance(value, str):
        raise Invalid({"credit_code": "统一社会信用代码无效：应为18位字符 / invalid credit code: 18 characters expected"})
    problem = credit_code_problem(value)
    if problem is not None:
        raise Invalid({"credit_code": f"统一社会信用代码无效：{problem.zh} / invalid credit code: {problem.en}"})
    return normalised_code(value)


# ---------------------------------------------------------------------------------------------------------------------
# Registration and facts


def new_association_code() -> str:
    """A fresh random association code, not used by any unit."""
    for _attempt in range(20):
        code = "".join(secrets.choice(ASSOCIATION_CODE_ALPHABET) for _ in range(ASSOCIATION_CODE_LENGTH))
        if not Unit.objects.filter(association_code=code).exists():
            return code
    raise RuntimeError("could not find a free association code")  # 31^8 codes: never in practice


def unit_register(
    *,
    actor: Any,
    credit_code: str,
    name: str,
    kind: str,
    legal_person: bool,
    registered_district: str,
    tax_district: str,
    tax_paid_since: date | None,
    registered_capital: Decimal,
    annual_tax: Mapping[int | str, Decimal],
    qualifications: list[str],
    account_elsewhere: str | None = None,
) -> Unit:
    """Register a unit (account none) with the acting handler as its first handler.

    1. Only a unit_handler registers. 2. The credit code is valid (GB 32100) and not yet registered; the facts use
    the policy's codes. 3. The unit gets a random association code. 4. Audit.
    `account_elsewhere` names the district of an account the unit already holds in another district (G2): recorded
    as open there, for the cross-district transfer; the window checks it against the city system when reviewing.
    """
    if _role(actor) != Role.UNIT_HANDLER:
        raise Forbidden("only a unit handler registers a unit")
    errors: dict[str, str] = {}
    try:
        code = clean_credit_code(credit_code)
    except Invalid as invalid:
        errors.update(invalid.fields)
        code = ""
    try:
        facts = clean_unit_facts(
            {
                "name": name, "kind": kind, "legal_person": legal_person, "registered_district": registered_district,
                "tax_district": tax_district, "tax_paid_since": tax_paid_since,
                "registered_capital": registered_capital, "annual_tax": annual_tax, "qualifications": qualifications,
            },
            required=True,
        )
    except Invalid as invalid:
        errors.update(invalid.fields)
        facts = {}
    if account_elsewhere is not None and (
        account_elsewhere not in District._value2member_map_ or account_elsewhere == District.CHAOYANG
    ):
        errors["account_elsewhere"] = "请选择开户所在的其他区 / choose the other district of the account"
    if errors:
        raise Invalid(errors)
    duplicate = Invalid({"credit_code": "该统一社会信用代码已注册 / this credit code is already registered"})
    with transaction.atomic():
        if Unit.objects.filter(credit_code=code).exists():
            raise duplicate
        try:
            with transaction.atomic():
                unit = Unit.objects.create(
                    credit_code=code, association_code=new_association_code(),
                    account_status=AccountStatus.OPEN if account_elsewhere else AccountStatus.NONE,
                    account_district=account_elsewhere or "", **facts,
                )
        except IntegrityError:
            raise duplicate from None  # registered at the same moment by someone else
        UnitHandler.objects.create(unit=unit, user=actor)
        audit_record(
            actor=actor, action="unit.register", obj=unit,
            changes={"credit_code": code, "kind": unit.kind, "handler_added": actor.pk,
                     "account_elsewhere": account_elsewhere},
        )
    return unit


def unit_update_facts(*, unit: Unit, actor: Any, **facts: Any) -> Unit:
    """Change the given facts of a unit (its handlers only); the credit code cannot change."""
    require_handler(actor, unit)
    if "credit_code" in facts:
        given = facts["credit_code"]
        if not isinstance(given, str) or normalised_code(given) != unit.credit_code:
            raise Invalid({"credit_code": "统一社会信用代码不能修改 / the credit code cannot change"})
    cleaned = clean_unit_facts(facts, required=False)
    with transaction.atomic():
        unit = _locked(unit)
        changes: dict[str, Any] = {}
        for field, value in cleaned.items():
            old = getattr(unit, field)
            if old != value:
                changes[field] = [old, value]
                setattr(unit, field, value)
        if changes:
            unit.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action="unit.update_facts", obj=unit, changes=changes)
    return unit


def unit_regenerate_association_code(*, unit: Unit, actor: Any) -> str:
    """A new association code for the unit (its handlers only); the old one stops working at once."""
    require_handler(actor, unit)
    with transaction.atomic():
        unit = _locked(unit)
        unit.association_code = new_association_code()
        unit.save(update_fields=["association_code", "updated_at"])
        audit_record(actor=actor, action="unit.regenerate_association_code", obj=unit,
                     changes={"association_code": "changed"})
    return unit.association_code


def unit_add_handler(*, unit: Unit, actor: Any, user: Any) -> None:
    """An existing handler of the unit adds another unit_handler user as a handler."""
    require_handler(actor, unit)
    if _role(user) != Role.UNIT_HANDLER:
        raise Invalid({"user": "只能添加单位经办人账户 / only a unit handler account can be added"})
    with transaction.atomic():
        unit = _locked(unit)
        if UnitHandler.objects.filter(unit=unit, user_id=user.pk).exists():
            raise Invalid({"user": "该用户已是本单位经办人 / this user already handles the unit"})
        UnitHandler.objects.create(unit=unit, user=user)
        audit_record(actor=actor, action="unit.add_handler", obj=unit, changes={"handler_added": user.pk})


def unit_remove_handler(*, unit: Unit, actor: Any, user: Any) -> None:
    """A handler of the unit removes a handler (possibly themselves); the last handler cannot be removed."""
    require_handler(actor, unit)
    with transaction.atomic():
        unit = _locked(unit)
        link = UnitHandler.objects.filter(unit=unit, user_id=getattr(user, "pk", None)).first()
        if link is None:
            raise Invalid({"user": "该用户不是本单位经办人 / this user does not handle the unit"})
        if UnitHandler.objects.filter(unit=unit).count() == 1:
            raise InvalidState("last_handler", "不能移除最后一名经办人 / the last handler cannot be removed")
        link.delete()
        audit_record(actor=actor, action="unit.remove_handler", obj=unit, changes={"handler_removed": user.pk})


# ---------------------------------------------------------------------------------------------------------------------
# Account effects of approved unit cases


def _require_clerk(actor: Any, unit: Unit) -> None:
    require_unit_access(actor, unit, allowed=lambda: _role(actor) == Role.WINDOW_CLERK)


def _set_account(unit: Unit, *, actor: Any, action: str) -> None:
    old = [unit.account_status, unit.account_district or None]
    unit.account_status = AccountStatus.OPEN
    unit.account_district = HOME_DISTRICT.value
    unit.save(update_fields=["account_status", "account_district", "updated_at"])
    audit_record(
        actor=actor, action=action, obj=unit,
        changes={"account_status": [old[0], unit.account_status], "account_district": [old[1], unit.account_district]},
    )


def unit_account_open(*, unit: Unit, actor: Any) -> None:
    """开户 (G1): the effect of an approved `unit_opening`; the account becomes open in Chaoyang."""
    _require_clerk(actor, unit)
    with transaction.atomic():
        unit = _locked(unit)
        if unit.account_status == AccountStatus.OPEN:
            raise InvalidState("open", "单位已开户 / the unit's account is already open")
        _set_account(unit, actor=actor, action="unit.account_open")


def unit_account_transfer_in(*, unit: Unit, actor: Any) -> None:
    """跨区信息变更 (G2): the effect of an approved `unit_transfer`; the account moves to Chaoyang."""
    _require_clerk(actor, unit)
    with transaction.atomic():
        unit = _locked(unit)
        if unit.account_status == AccountStatus.OPEN and unit.account_district == HOME_DISTRICT:
            raise InvalidState("open", "单位已在朝阳区开户 / the unit's account is already open in Chaoyang")
        _set_account(unit, actor=actor, action="unit.account_transfer_in")


# ---------------------------------------------------------------------------------------------------------------------
# Penalties and audits (bureau decisions)


def _require_approver(actor: Any, unit: Unit) -> None:
    require_unit_access(actor, unit, allowed=lambda: _role(actor) == Role.BUREAU_APPROVER)


def _clean_penalty_input(kind: Any, reason: Any) -> tuple[str, str]:
    errors: dict[str, str] = {}
    if kind not in PenaltyKind.values:
        errors["kind"] = f"处罚类型无效：{kind!r} / unknown penalty kind: {kind!r}"
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors["reason"] = "请填写理由 / a reason is required"
    if errors:
        raise Invalid(errors)
    return str(kind), text


def penalty_impose(*, unit: Unit, actor: Any, kind: str, reason: str) -> Penalty:
    """冻结指标 / 终止服务 / 纳入黑名单 (POLICY §9): a reasoned bureau decision; one active penalty of a kind."""
    _require_approver(actor, unit)
    kind, reason = _clean_penalty_input(kind, reason)
    with transaction.atomic():
        unit = _locked(unit)
        if Penalty.objects.filter(unit=unit, kind=kind, active=True).exists():
            raise InvalidState("active", "该处罚正在执行 / this penalty is already active")
        try:
            with transaction.atomic():
                penalty = Penalty.objects.create(
                    unit=unit, kind=kind, reason=reason, decided_by=actor, decided_at=timezone.now(), active=True,
                )
        except IntegrityError:
            raise InvalidState("active", "该处罚正在执行 / this penalty is already active") from None
        audit_record(actor=actor, action="unit.penalty_impose", obj=penalty,
                     changes={"unit": unit.credit_code, "kind": kind, "active": [False, True]})
    return penalty


def penalty_lift(*, unit: Unit, actor: Any, kind: str, reason: str) -> Penalty:
    """Lift an active penalty, with the decider, the date and the reason recorded."""
    _require_approver(actor, unit)
    kind, reason = _clean_penalty_input(kind, reason)
    with transaction.atomic():
        unit = _locked(unit)
        penalty = Penalty.objects.select_for_update().filter(unit=unit, kind=kind, active=True).first()
        if penalty is None:
            raise InvalidState("inactive", "该处罚未在执行 / this penalty is not active")
        penalty.active = False
        penalty.lifted_by = actor
        penalty.lifted_at = timezone.now()
        penalty.lift_reason = reason
        penalty.save(update_fields=["active", "lifted_by", "lifted_at", "lift_reason"])
        audit_record(actor=actor, action="unit.penalty_lift", obj=penalty,
                     changes={"unit": unit.credit_code, "kind": kind, "active": [True, False]})
    return penalty


def employment_audit_record(
    *, actor: Any, unit: Unit, findings: str, employment_confirmed: bool, permit: Any = None
) -> Audit:
    """A random audit of real employment (G4.注意事项.6) on a unit, or on one of its permits, with its findings."""
    _require_approver(actor, unit)
    errors: dict[str, str] = {}
    text = findings.strip() if isinstance(findings, str) else ""
    if not text:
        errors["findings"] = "请填写调查结果 / the findings are required"
    if not isinstance(employment_confirmed, bool):
        errors["employment_confirmed"] = "应为是或否 / employment_confirmed must be true or false"
    if permit is not None and permit.unit_id != unit.pk:
        errors["permit"] = "该工作居住证不属于本单位 / the permit is not held with this unit"
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        audit = Audit.objects.create(
            unit=unit, permit=permit, findings=text, employment_confirmed=employment_confirmed, by=actor,
            at=timezone.now(),
        )
        audit_record(
            actor=actor, action="unit.employment_audit", obj=audit,
            changes={"unit": unit.credit_code, "permit": getattr(permit, "number", None),
                     "employment_confirmed": employment_confirmed},
        )
    return audit
