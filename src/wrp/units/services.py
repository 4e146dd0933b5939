"""State changes of units: registration and facts (checked by `wrp.units.facts`), handlers, association codes, the
account effects of approved `unit_opening` and `unit_transfer` cases, penalties (POLICY §9) and random employment
audits (G4.注意事项.6).

Who may act: a unit's own handlers change its facts, handlers and association code; window clerks apply the account
effects; bureau approvers impose and lift penalties and record audits. Anyone else who can see the unit (a clerk, an
approver, a handler of it) is Forbidden; anyone who cannot is told it does not exist (NotFound).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record
from wrp.core.errors import Forbidden, Invalid, InvalidState, Message, NotFound
from wrp.policy.codes import HOME_DISTRICT, District
from wrp.units.facts import clean_credit_code, clean_unit_facts
from wrp.units.models import AccountStatus, Audit, Penalty, PenaltyKind, Unit, UnitHandler
from wrp.units.selectors import can_see_unit, is_handler, normalised_code

ASSOCIATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by hand
ASSOCIATION_CODE_LENGTH = 8
REASON_REQUIRED = _("请填写理由")
PENALTY_ACTIVE = _("该处罚正在执行")


# ---------------------------------------------------------------------------------------------------------------------
# Access


def _role(user: Any) -> str:
    return str(getattr(user, "role", "")) if getattr(user, "is_authenticated", False) else ""


def require_unit_access(actor: Any, unit: Unit, *, allowed: Callable[[], bool]) -> None:
    """Let the action through if `allowed()`; else Forbidden to those who see the unit, NotFound to the rest."""
    if allowed():
        return
    if can_see_unit(actor, unit):
        raise Forbidden(_("您的角色不能对该单位进行此操作。"), code="unit_role_forbidden")
    raise NotFound(code="unit_not_found")


def require_handler(actor: Any, unit: Unit) -> None:
    require_unit_access(actor, unit, allowed=lambda: is_handler(actor, unit))


def _locked(unit: Unit) -> Unit:
    return Unit.objects.select_for_update().get(pk=unit.pk)



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
        raise Forbidden(_("只有单位经办人可以注册单位。"), code="unit_handlers_only")
    errors: dict[str, Message] = {}
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
        errors["account_elsewhere"] = _("请选择开户所在的其他区")
    if errors:
        raise Invalid(errors)
    duplicate = Invalid({"credit_code": _("该统一社会信用代码已注册")}, codes={"credit_code": "already_registered"})
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
            raise Invalid({"credit_code": _("统一社会信用代码不能修改")}, codes={"credit_code": "unchangeable"})
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
        raise Invalid({"user": _("只能添加单位经办人账户")}, codes={"user": "not_a_handler_account"})
    with transaction.atomic():
        unit = _locked(unit)
        if UnitHandler.objects.filter(unit=unit, user_id=user.pk).exists():
            raise Invalid({"user": _("该用户已是本单位经办人")}, codes={"user": "already_handler"})
        UnitHandler.objects.create(unit=unit, user=user)
        audit_record(actor=actor, action="unit.add_handler", obj=unit, changes={"handler_added": user.pk})


def unit_remove_handler(*, unit: Unit, actor: Any, user: Any) -> None:
    """A handler of the unit removes a handler (possibly themselves); the last handler cannot be removed."""
    require_handler(actor, unit)
    with transaction.atomic():
        unit = _locked(unit)
        link = UnitHandler.objects.filter(unit=unit, user_id=getattr(user, "pk", None)).first()
        if link is None:
            raise Invalid({"user": _("该用户不是本单位经办人")}, codes={"user": "not_handler"})
        if UnitHandler.objects.filter(unit=unit).count() == 1:
            raise InvalidState("last_handler", _("不能移除最后一名经办人"), code="last_handler")
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
            raise InvalidState("open", _("单位已开户"), code="account_already_open")
        _set_account(unit, actor=actor, action="unit.account_open")


def unit_account_transfer_in(*, unit: Unit, actor: Any) -> None:
    """跨区信息变更 (G2): the effect of an approved `unit_transfer`; the account moves to Chaoyang."""
    _require_clerk(actor, unit)
    with transaction.atomic():
        unit = _locked(unit)
        if unit.account_status == AccountStatus.OPEN and unit.account_district == HOME_DISTRICT:
            raise InvalidState("open", _("单位已在朝阳区开户"), code="account_already_open")
        _set_account(unit, actor=actor, action="unit.account_transfer_in")


# ---------------------------------------------------------------------------------------------------------------------
# Penalties and audits (bureau decisions)


def _require_approver(actor: Any, unit: Unit) -> None:
    require_unit_access(actor, unit, allowed=lambda: _role(actor) == Role.BUREAU_APPROVER)


def _clean_penalty_input(kind: Any, reason: Any) -> tuple[str, str]:
    errors: dict[str, Message] = {}
    if kind not in PenaltyKind.values:
        errors["kind"] = format_lazy(_("处罚类型无效：{value}"), value=repr(kind))
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors["reason"] = REASON_REQUIRED
    if errors:
        raise Invalid(errors)
    return str(kind), text


def penalty_impose(*, unit: Unit, actor: Any, kind: str, reason: str) -> Penalty:
    """冻结指标、终止服务、纳入黑名单 (POLICY §9): a reasoned bureau decision; one active penalty of a kind."""
    _require_approver(actor, unit)
    kind, reason = _clean_penalty_input(kind, reason)
    with transaction.atomic():
        unit = _locked(unit)
        if Penalty.objects.filter(unit=unit, kind=kind, active=True).exists():
            raise InvalidState("active", PENALTY_ACTIVE, code="penalty_active")
        try:
            with transaction.atomic():
                penalty = Penalty.objects.create(
                    unit=unit, kind=kind, reason=reason, decided_by=actor, decided_at=timezone.now(), active=True,
                )
        except IntegrityError:
            raise InvalidState("active", PENALTY_ACTIVE, code="penalty_active") from None
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
            raise InvalidState("inactive", _("该处罚未在执行"), code="penalty_inactive")
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
    errors: dict[str, Message] = {}
    text = findings.strip() if isinstance(findings, str) else ""
    if not text:
        errors["findings"] = _("请填写调查结果")
    if not isinstance(employment_confirmed, bool):
        errors["employment_confirmed"] = _("应为是或否")
    if permit is not None and permit.unit_id != unit.pk:
        errors["permit"] = _("该工作居住证不属于本单位")
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
