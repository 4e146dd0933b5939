"""Builders of the people and things tests need, written straight to the database (no service calls, no audit), so a
test states only what matters to it. Personas follow STYLE.md: applicant, other applicant, unit handler, other unit's
handler, clerk, approver, admin (the fixtures of tests/conftest.py hand them out).

Cases are the exception: `case_in_state` brings a case to a given state through the real services, by the persona
whose step each one is, so that a case in a state is one a user could have made.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wrp.accounts.models import Role, User
from wrp.cases.models import Case
from wrp.permits.models import Permit, PermitChild, PermitStatus
from wrp.policy.periods import add_years
from wrp.quotas.models import QuotaLedger
from wrp.units.models import AccountStatus, Association, AssociationState, Unit, UnitHandler

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ASSOCIATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

_sequence = itertools.count(1)
_salt = secrets.randbelow(31**2)  # keeps codes of separate runs apart


def credit_check_character(first17: str) -> str:
    """GB 32100-2015: check = alphabet[(31 − Σ value × weight mod 31) mod 31]."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def make_credit_code() -> str:
    """A valid, fresh unified social credit code: 9 (工商) 1 (企业), Chaoyang's region code, a serial, the check."""
    n = next(_sequence) * 31**2 + _salt
    serial = ""
    for _ in range(9):
        n, digit = divmod(n, 31)
        serial = CREDIT_ALPHABET[digit] + serial
    first17 = "91" + "110105" + serial
    return first17 + credit_check_character(first17)


def make_user(role: str, username: str | None = None, **kw: Any) -> User:
    """A user of the role; administrators are staff and superusers, as `accounts.services` makes them."""
    username = username or f"{role}{next(_sequence)}"
    password = kw.pop("password", None)
    if role == Role.ADMIN:
        kw = {"is_staff": True, "is_superuser": True, **kw}
    if role == Role.APPLICANT:  # documents print real names, never a login name (issue 12): applicants have one
        kw.setdefault("real_name", {"applicant": "张三丰", "other_applicant": "李四"}.get(username, f"王{username}"))
    return User.objects.create_user(username=username, password=password, role=role, **kw)


UNIT_DEFAULTS: dict[str, Any] = {
    "kind": "enterprise",
    "legal_person": True,
    "registered_district": "chaoyang",
    "tax_district": "chaoyang",
    "tax_paid_since": date(2019, 5, 1),
    "registered_capital": Decimal("5000000"),
    "annual_tax": {"2022": "300000", "2023": "250000", "2024": "280000"},
    "qualifications": [],
    "account_status": AccountStatus.NONE,
    "account_district": "",
}


def _association_code() -> str:
    return "".join(secrets.choice(_ASSOCIATION_ALPHABET) for _ in range(8))


def make_unit(handler: User | None = None, **facts: Any) -> Unit:
    """A unit with valid facts (account none unless given), handled by `handler` when given."""
    values = {**UNIT_DEFAULTS, **facts}
    values.setdefault("credit_code", make_credit_code())
    values.setdefault("name", f"北京测试科技有限公司{next(_sequence)}")
    values.setdefault("association_code", _association_code())
    unit = Unit.objects.create(**values)
    if handler is not None:
        UnitHandler.objects.create(unit=unit, user=handler)
    return unit


def make_open_unit(handler: User | None = None, **facts: Any) -> Unit:
    """A unit whose account is open in Chaoyang."""
    facts.setdefault("account_status", AccountStatus.OPEN)
    facts.setdefault("account_district", "chaoyang")
    return make_unit(handler, **facts)


def make_permit(holder: User, unit: Unit, **kw: Any) -> Permit:
    """A valid permit issued on `issued_on` (default today), valid 3 years, with `children` [{"name", "case"}]."""
    children = kw.pop("children", [])
    issued_on = kw.pop("issued_on", timezone.localdate())
    kw.setdefault("valid_until", add_years(issued_on, 3))
    kw.setdefault("status", PermitStatus.VALID)
    kw.setdefault("number", "WRP" + "".join(secrets.choice(_ASSOCIATION_ALPHABET) for _ in range(12)))
    permit = Permit.objects.create(holder=holder, unit=unit, issued_on=issued_on, **kw)
    for child in children:
        PermitChild.objects.create(permit=permit, name=child["name"], case=child["case"], added_on=issued_on)
    return permit


def make_association(applicant: User, unit: Unit, state: str = AssociationState.ACTIVE, **kw: Any) -> Association:
    now = timezone.now()
    kw.setdefault("requested_at", now)
    if state != AssociationState.REQUESTED:
        kw.setdefault("decided_at", now)
    return Association.objects.create(applicant=applicant, unit=unit, state=state, **kw)


def make_ledger(unit: Unit, year: int, granted: int = 0, reserved: int = 0, used: int = 0) -> QuotaLedger:
    return QuotaLedger.objects.create(unit=unit, year=year, granted=granted, reserved=reserved, used=used)


@dataclass
class Personas:
    applicant: User
    other_applicant: User
    handler: User
    other_handler: User
    clerk: User
    approver: User
    admin: User
    unit: Unit  # handled by `handler`, account open in Chaoyang
    other_unit: Unit  # handled by `other_handler`, account open in Chaoyang


def _named(user: User, real_name: str) -> User:
    """The applicants carry a real name (required before a case is submitted: no document prints a login name)."""
    if not user.real_name:
        user.real_name = real_name
        user.save(update_fields=["real_name"])
    return user


def make_personas(make: Callable[[str, str], User] = make_user) -> Personas:
    """The personas (usernames as the field names); `make(role, username)` makes each user — straight to the database
    unless told (tests/accounts makes them through the service)."""
    handler = make(Role.UNIT_HANDLER, "handler")
    other_handler = make(Role.UNIT_HANDLER, "other_handler")
    return Personas(
        applicant=_named(make(Role.APPLICANT, "applicant"), "张三"),
        other_applicant=_named(make(Role.APPLICANT, "other_applicant"), "李四"),
        handler=handler,
        other_handler=other_handler,
        clerk=make(Role.WINDOW_CLERK, "clerk"),
        approver=make(Role.BUREAU_APPROVER, "approver"),
        admin=make(Role.ADMIN, "admin"),
        unit=make_open_unit(handler, name="北京甲科技有限公司"),
        other_unit=make_open_unit(other_handler, name="北京乙科技有限公司"),
    )


# --- cases in each state, through the services ------------------------------------------------------------------------

CASE_STATES = (
    "draft", "awaiting_unit", "submitted", "in_review", "returned", "pending_approval", "approved", "rejected",
    "withdrawn",
)
CORRECTION = [{"material": None, "text": "请补充说明"}]


def case_in_state(
    people: Personas,
    state: str,
    *,
    kind: str = "initial",
    subtype: str | None = None,
    materials: Callable[..., Any] | None = None,
    by_applicant: bool = False,
    unit: Unit | None = None,
    handler: User | None = None,
) -> Case:
    """A case of `people.unit` (or `unit`, handled by `handler`), for `people.applicant` when the kind is personal,
    brought to `state` through the services, each step by the persona whose step it is.

    1. Opened by the handler with every material on file: `materials(case, by=handler)`, default `attach_all` of
       tests/cases (records without the upload pipeline). With `by_applicant`, the applicant opens it and submits
       their part first (`awaiting_unit`).
    2. `submitted`: the handler submits it (with a free slot when the kind is personal); `withdrawn`: then withdraws.
    3. `in_review`: the clerk starts the review and accepts every material.
    4. `returned`: the clerk returns it for correction; `pending_approval`: the clerk forwards it (bureau kinds).
    5. `approved` / `rejected`: decided at the window (window kinds) or by the approver after forwarding.
    """
    from tests.cases.conftest import attach_all, free_slot
    from wrp.cases import services
    from wrp.cases.kinds import kind_spec
    from wrp.cases.materials import case_checklist, material_verdict

    spec = kind_spec(kind, subtype)
    if state not in CASE_STATES or (state == "pending_approval" and not spec.to_bureau):
        raise ValueError(f"a {kind} case cannot be brought to {state!r}")
    unit, handler, clerk = unit or people.unit, handler or people.handler, people.clerk
    applicant = people.applicant if spec.personal else None
    if by_applicant:
        case = services.case_open(actor=people.applicant, kind=kind, unit=unit, subtype=subtype)
        case = services.case_submit(case=case, actor=people.applicant)
        if state == "awaiting_unit":
            return case
    else:
        case = services.case_open(actor=handler, kind=kind, unit=unit, applicant=applicant, subtype=subtype)
    (materials or attach_all)(case, by=handler)
    if state == "draft":
        return case
    case = services.case_submit(case=case, actor=handler, slot=free_slot() if spec.personal else None)
    if state in ("submitted", "withdrawn"):
        return services.case_withdraw(case=case, actor=handler) if state == "withdrawn" else case
    case = services.case_start_review(case=case, actor=clerk)
    for code in case_checklist(case):
        material_verdict(case=case, code=code, actor=clerk, accepted=True)
    if state == "in_review":
        return case
    if state == "returned":
        return services.case_return_for_correction(case=case, actor=clerk, problems=CORRECTION)
    decider = clerk
    if spec.to_bureau:
        case = services.case_forward(case=case, actor=clerk)
        if state == "pending_approval":
            return case
        decider = people.approver
    if state == "approved":
        return services.case_approve(case=case, actor=decider)
    return services.case_reject(case=case, actor=decider, reason="不符合条件")
