"""The facts of a request as plain objects: what the rules read once a request has been validated.

A request is read once, into light objects with the same field names and value types as the pydantic models of
`wrp.policy.models`, plus `fields_set` (the keys the request stated, so that an absent fact can be told from an
explicit null). The rules then run on plain attribute reads, with no validation machinery on the way.

`read_fast` is the common case: a well-formed request (a JSON-like dict, or JSON text) is checked and converted in
one pass, without importing pydantic. It accepts only what the models accept and builds the same values; anything it
is not sure of (an unknown field, a wrong type, a value out of range, an odd JSON document) makes it give up
(`None`), and the caller reads the request through the models instead, which also name every bad field. So the
answers and error messages are those of the models whichever way a request is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from enum import StrEnum
from math import isfinite
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from pydantic import BaseModel

    from wrp.policy.models import AssessmentRequest

NOTHING: frozenset[str] = frozenset()


class Facts:
    """A part of a request: the facts it states as attributes, every other fact None (a class default).

    Read-only by convention (nothing assigns to a fact once read). Deliberately not a (frozen) dataclass: building one
    is a single dict update whatever the number of fields, and a request builds a few dozen of them.
    """

    fields_set: frozenset[str] = NOTHING  # the keys the request stated (an explicit null included)

    def __init__(self, fields_set: frozenset[str] = NOTHING, /, **values: Any) -> None:
        self.__dict__.update(values)
        self.fields_set = fields_set

    def __repr__(self) -> str:
        stated = ", ".join(f"{key}={value!r}" for key, value in self.__dict__.items() if key != "fields_set")
        return f"{type(self).__name__}({stated})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]


class AccountFacts(Facts):
    status: AccountStatus | None = None
    district: District | None = None


class UnitFacts(Facts):
    kind: UnitKind | None = None
    legal_person: bool | None = None
    registered_district: District | None = None
    tax_district: District | None = None
    tax_paid_since: date | None = None
    registered_capital: Decimal | None = None
    annual_tax: dict[int, Decimal] | None = None
    account: AccountFacts | None = None
    quota_remaining: int | None = None
    quota_frozen: bool | None = None
    penalty: Penalty | None = None
    qualifications: list[Qualification] | None = None


class HousingFacts(Facts):
    kind: HousingKind | None = None
    lease_end: date | None = None


class AwardFacts(Facts):
    level: AwardLevel | None = None
    grade: int | None = None


class IntellectualPropertyFacts(Facts):
    author_rank: int | None = None
    invention_patents: int | None = None
    other_patents: int | None = None
    software_copyrights: int | None = None
    commercialised_in_beijing: bool | None = None


class StartupFacts(Facts):
    self_investment_3y: Decimal | None = None
    equity_financing: Decimal | None = None
    avg_annual_tax_3y: Decimal | None = None
    shareholding_percent: Decimal | None = None
    shareholder_rank: int | None = None


class ChildFacts(Facts):
    case: ChildCase | None = None


class PermitFacts(Facts):
    status: PermitStatus | None = None
    valid_until: date | None = None


class ApplicantFacts(Facts):
    nationality: str | None = None
    hukou: Hukou | None = None
    dispatched: bool | None = None
    employment_start: date | None = None
    contract_end: date | None = None
    housing: HousingFacts | None = None
    talent_condition: int | None = None
    degree: Degree | None = None
    work_experience_years: Decimal | None = None
    professional_title: ProfessionalTitle | None = None
    award: AwardFacts | None = None
    ip: IntellectualPropertyFacts | None = None
    startup: StartupFacts | None = None
    annual_tax_paid: dict[int, Decimal] | None = None
    recommended_and_approved: bool | None = None
    overseas_qualification: bool | None = None
    taxable_income_12m: Decimal | None = None
    taxable_income_by_year: dict[int, Decimal] | None = None
    income_paid_by_unit: bool | None = None
    social_insurance_months_by_unit: int | None = None
    social_insurance_unit_matches: bool | None = None
    children: list[ChildFacts] | None = None
    accompanying_spouse: bool | None = None
    permit: PermitFacts | None = None


class ChangeFacts(Facts):
    subtype: ChangeSubtype | None = None


class RequestFacts(Facts):
    service: Service
    as_of: date

    def __init__(self, fields_set: frozenset[str], /, *, service: Service, as_of: date, **parts: Any) -> None:
        self.__dict__.update(parts)
        self.service = service
        self.as_of = as_of
        self.fields_set = fields_set

    change: ChangeFacts | None = None
    unit: UnitFacts | None = None
    applicant: ApplicantFacts | None = None


NO_UNIT = UnitFacts()  # what a request without a `unit` part reads as
NO_APPLICANT = ApplicantFacts()

# --- the fast reader -------------------------------------------------------------------------------------------------


class _GiveUp(Exception):
    """Not sure: let the models read this request."""


_GIVE_UP = _GiveUp()
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

Reader = Callable[[Any], Any]


def _enum(codes: type[StrEnum]) -> Reader:
    members: dict[str, StrEnum] = {member.value: member for member in codes}

    def read(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            member = members.get(value)
            if member is not None:
                return member
        elif kind is codes:
            return value
        raise _GIVE_UP

    return read


def _iso_date(value: Any) -> date:
    kind = type(value)
    if kind is str and len(value) == 10 and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _GIVE_UP from None
    if kind is date:
        return value  # type: ignore[no-any-return]
    raise _GIVE_UP


def _decimal(low: int, high: int | None) -> Reader:
    def read(value: Any) -> Decimal:
        kind = type(value)
        if kind is int or (kind is str and _DECIMAL.fullmatch(value)):
            number = Decimal(value)
        elif kind is float and isfinite(value):
            number = Decimal(repr(value))
        elif kind is Decimal and value.is_finite():
            number = value
        else:
            raise _GIVE_UP
        if number < low or (high is not None and number > high):
            raise _GIVE_UP
        return number

    return read


def _integer(low: int, high: int | None = None) -> Reader:
    def read(value: Any) -> int:
        if type(value) is int and value >= low and (high is None or value <= high):
            return value
        raise _GIVE_UP

    return read


def _boolean(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise _GIVE_UP


def _nationality(value: Any) -> str:
    if type(value) is str and len(value) == 2 and value[0] in _UPPER and value[1] in _UPPER:
        return value
    raise _GIVE_UP


_money = _decimal(0, None)


# The years a request may name (1900–2200), by the keys that name them: "2024" as JSON writes it, or 2024.
_YEARS: dict[str | int, int] = {**{str(year): year for year in range(1900, 2201)}, **{y: y for y in range(1900, 2201)}}


def _money_by_year(value: Any) -> dict[int, Decimal]:
    if type(value) is not dict:
        raise _GIVE_UP
    amounts = {}
    for key, amount in value.items():
        year = _YEARS.get(key) if type(key) is str or type(key) is int else None
        if year is None:
            raise _GIVE_UP
        amounts[year] = _money(amount)
    return amounts


def _list_of(item: Reader) -> Reader:
    def read(value: Any) -> list[Any]:
        if type(value) is not list:
            raise _GIVE_UP
        return [item(element) for element in value]

    return read


def _model(cls: type[Facts], readers: dict[str, Reader]) -> Reader:
    new = object.__new__

    def read(value: Any) -> Any:
        if type(value) is not dict:
            raise _GIVE_UP
        values: dict[str, Any] = {}
        for key, item in value.items():
            reader = readers.get(key) if type(key) is str else None
            if reader is None:
                raise _GIVE_UP
            values[key] = None if item is None else reader(item)
        facts = new(cls)
        stated = frozenset(values)
        values["fields_set"] = stated
        facts.__dict__ = values  # what Facts.__init__ does, without the call
        return facts

    return read


_district = _enum(District)
_count = _integer(0)
_read_account = _model(AccountFacts, {"status": _enum(AccountStatus), "district": _district})
_read_unit = _model(
    UnitFacts,
    {
        "kind": _enum(UnitKind),
        "legal_person": _boolean,
        "registered_district": _district,
        "tax_district": _district,
        "tax_paid_since": _iso_date,
        "registered_capital": _money,
        "annual_tax": _money_by_year,
        "account": _read_account,
        "quota_remaining": _count,
        "quota_frozen": _boolean,
        "penalty": _enum(Penalty),
        "qualifications": _list_of(_enum(Qualification)),
    },
)
_read_applicant = _model(
    ApplicantFacts,
    {
        "nationality": _nationality,
        "hukou": _enum(Hukou),
        "dispatched": _boolean,
        "employment_start": _iso_date,
        "contract_end": _iso_date,
        "housing": _model(HousingFacts, {"kind": _enum(HousingKind), "lease_end": _iso_date}),
        "talent_condition": _integer(1, 10),
        "degree": _enum(Degree),
        "work_experience_years": _decimal(0, 80),
        "professional_title": _enum(ProfessionalTitle),
        "award": _model(AwardFacts, {"level": _enum(AwardLevel), "grade": _integer(0, 3)}),
        "ip": _model(
            IntellectualPropertyFacts,
            {
                "author_rank": _integer(1),
                "invention_patents": _count,
                "other_patents": _count,
                "software_copyrights": _count,
                "commercialised_in_beijing": _boolean,
            },
        ),
        "startup": _model(
            StartupFacts,
            {
                "self_investment_3y": _money,
                "equity_financing": _money,
                "avg_annual_tax_3y": _money,
                "shareholding_percent": _decimal(0, 100),
                "shareholder_rank": _integer(1),
            },
        ),
        "annual_tax_paid": _money_by_year,
        "recommended_and_approved": _boolean,
        "overseas_qualification": _boolean,
        "taxable_income_12m": _money,
        "taxable_income_by_year": _money_by_year,
        "income_paid_by_unit": _boolean,
        "social_insurance_months_by_unit": _integer(0, 1200),
        "social_insurance_unit_matches": _boolean,
        "children": _list_of(_model(ChildFacts, {"case": _enum(ChildCase)})),
        "accompanying_spouse": _boolean,
        "permit": _model(PermitFacts, {"status": _enum(PermitStatus), "valid_until": _iso_date}),
    },
)
_read_change = _model(ChangeFacts, {"subtype": _enum(ChangeSubtype)})
_read_service = _enum(Service)
_PARTS: dict[str, Reader] = {"change": _read_change, "unit": _read_unit, "applicant": _read_applicant}


def _request(value: dict[Any, Any]) -> RequestFacts:
    service = _read_service(value.get("service"))
    as_of = _iso_date(value.get("as_of"))
    if not 1990 <= as_of.year <= 2200:
        raise _GIVE_UP
    parts: dict[str, Any] = {}
    for key, item in value.items():
        if key == "service" or key == "as_of":
            continue
        reader = _PARTS.get(key) if type(key) is str else None
        if reader is None:
            raise _GIVE_UP
        parts[key] = None if item is None else reader(item)
    return RequestFacts(frozenset(value), service=service, as_of=as_of, **parts)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise _GIVE_UP  # a key given twice: leave it to the models' JSON parser
    return document


def _constant(name: str) -> Any:
    raise _GIVE_UP  # NaN, Infinity: leave them to the models' JSON parser


def read_fast(raw: Any) -> RequestFacts | None:
    """The facts of a well-formed request (JSON text or a JSON-like dict); None when unsure (read it with the models)."""
    try:
        if type(raw) is dict:
            return _request(raw)
        if type(raw) is bytes:
            raw = raw.decode("utf-8")
        if type(raw) is str:
            document = json.loads(raw, object_pairs_hook=_pairs, parse_constant=_constant)
            if type(document) is dict:
                return _request(document)
    except (_GiveUp, ValueError, TypeError, RecursionError):
        pass
    return None


# --- from the models -------------------------------------------------------------------------------------------------


def _fields_of(cls: type[Facts]) -> tuple[str, ...]:
    return tuple(cls.__annotations__)


_NESTED: dict[str, type[Facts]] = {
    "account": AccountFacts,
    "housing": HousingFacts,
    "award": AwardFacts,
    "ip": IntellectualPropertyFacts,
    "startup": StartupFacts,
    "permit": PermitFacts,
    "change": ChangeFacts,
    "unit": UnitFacts,
    "applicant": ApplicantFacts,
}


def _from_model(cls: type[Facts], model: BaseModel) -> Any:
    values: dict[str, Any] = {}
    for name in _fields_of(cls):
        value = getattr(model, name, None)
        if value is not None:
            if name in _NESTED:
                value = _from_model(_NESTED[name], value)
            elif name == "children":
                value = [_from_model(ChildFacts, child) for child in value]
            elif isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = dict(value)
        values[name] = value
    return cls(frozenset(model.model_fields_set), **values)


def from_request_model(request: AssessmentRequest) -> RequestFacts:
    """The plain facts of a request the models have read."""
    facts: RequestFacts = _from_model(RequestFacts, request)
    return facts
