"""Request and response schemas of the v1 API (contracts/cases-api.md), shared by its routers.

They describe the JSON in and out, so that the OpenAPI document (/api/v1/openapi.json) is the contract a client can
generate code from. Shape only: whether a value is allowed (a free credit code, a year a quota may be asked for) is the
services' business, and their refusals name the same field paths. Schemas here are added to, never renamed: other
routers import them. A value refused here is named in the language of the request (pydantic wants the text itself, so
it is translated when the value is checked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    create_model,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from wrp.core.keyset import capped_count, counted_with, cursor_for, keyset_ordered, keyset_page, listed_total
from wrp.policy.codes import District, Qualification, UnitKind
from wrp.policy.models import Applicant
from wrp.units.models import PenaltyKind

PAGE_SIZE = 20  # contracts/cases-api.md §Errors: lists are 20 a page
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
MAX_AMOUNT = Decimal("9999999999999999.99")  # the unit columns: 18 digits, 2 after the point

# ---------------------------------------------------------------------------------------------------------------------
# Value types


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store U+0000 in text; refuse it as bad input rather than fail on the write.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", gettext("不能包含 NUL 字符。"))
    return value


def _money(value: Any) -> Any:
    """An amount is a JSON number or a decimal string, never a boolean (as in contracts/assessment.md)."""
    if isinstance(value, bool):
        raise PydanticCustomError("money_format", gettext("应为金额（元）。"))
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _date_in_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_range", gettext("日期超出范围（1900–2199年）。"))
    return value


Text = Annotated[str, AfterValidator(_no_nul), Field(max_length=4000)]
ShortText = Annotated[str, AfterValidator(_no_nul), Field(max_length=200)]
Amount = Annotated[
    Decimal,
    BeforeValidator(_money),
    Field(ge=0, le=MAX_AMOUNT, decimal_places=2, allow_inf_nan=False, description="yuan: a number or decimal string"),
]
TaxYear = Annotated[int, Field(ge=1949, le=2200)]
Day = Annotated[date, AfterValidator(_date_in_range)]

# ---------------------------------------------------------------------------------------------------------------------
# Errors (contracts/cases-api.md §Errors), for the documentation of each endpoint's refusals


class ErrorOut(Schema):
    """401 unauthenticated, 403 forbidden, 404 not_found, 429 rate_limited."""

    error: str


class InvalidStateOut(Schema):
    error: str = "invalid_state"
    state: str


class InvalidRequestOut(Schema):
    error: str = "invalid_request"
    fields: dict[str, str]


_ERROR_SCHEMAS: dict[int, type[Schema]] = {
    401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: InvalidStateOut, 422: InvalidRequestOut, 429: ErrorOut,
}


def refusals(*statuses: int) -> dict[int, type[Schema]]:
    """The error bodies an endpoint can answer with, for its `response=`: 401 and 429 always (signed-in endpoints)."""
    return {status: _ERROR_SCHEMAS[status] for status in sorted({401, 429, *statuses})}


# ---------------------------------------------------------------------------------------------------------------------
# Lists


def page_of(queryset: QuerySet[Any], page: int) -> tuple[list[Any], int]:
    """The objects of page `page` (from 1) and the total count; a page past the end is empty."""
    count = queryset.count()
    start = (page - 1) * PAGE_SIZE
    objects = list(queryset[start:start + PAGE_SIZE]) if start < count else []
    return objects, count


PageNumber = Annotated[int, Field(ge=1, description="page number, from 1; 20 items a page")]
MAX_PAGE_SIZE = 100
COUNT_CAP = 10_000  # a list counts at most this many rows (then `count_capped` is true), never the whole table
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="items a page (an extension of the contract): "
                                "1 to 100, default 20")]
Cursor = Annotated[str, AfterValidator(_no_nul), Field(
    min_length=1, max_length=1000,
    description="the `next` of the previous page (an extension of the contract): the items after it, in the "
    "list's order, however deep (keyset pagination; `page` is then ignored)",
)]


@dataclass(frozen=True)
class ListWindow:
    """One page of a list: its items, the cursor of the next page (None on the last), and the capped count."""

    items: list[Any]
    next: str | None
    count: int
    count_capped: bool


def first_page(queryset: QuerySet[Any], *, order: tuple[str, ...], size: int,
               shown: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None) -> QuerySet[Any]:
    """The query of `list_window`'s first page: its `size + 1` rows in `order`, each with what `shown` adds and the
    list's capped count (to compile once for `first=`)."""
    rows = counted_with(shown(queryset) if shown else queryset, queryset, COUNT_CAP)
    return keyset_ordered(rows, order=order)[:size + 1]


def list_window(
    queryset: QuerySet[Any], *, order: tuple[str, ...], page: int, after: str | None, size: int = PAGE_SIZE,
    shown: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None, first: Callable[[], list[Any]] | None = None,
) -> ListWindow:
    """A page of an ordered list by keyset when `after` is given, else by page number (compatibility: an OFFSET over
    the ids, then the page's rows; it still grows with the depth); both give `next`, the cursor to go on by keyset.
    The count is capped at COUNT_CAP (a LIMITed subquery, read with the page's rows): no exact COUNT(*) over a large
    table. A bad cursor is 422 naming `after`. `shown` adds what each row carries (joins, annotations) to the query of
    the page's rows alone: the count and the OFFSET over the ids read the bare list. `first`: how the first page's
    `size + 1` rows (each carrying the count) are read, when a statement compiled once reads them."""
    rows_of = shown or (lambda rows: rows)
    if after is not None:
        counted = counted_with(rows_of(queryset), queryset, COUNT_CAP)  # a page's rows carry the list's count
        keyed = keyset_page(counted, order=order, after=after, size=size)
        return ListWindow(keyed.items, keyed.next_cursor, *listed_total(keyed.items, queryset, COUNT_CAP))
    start = (page - 1) * size
    if start == 0:
        rows = first() if first else list(first_page(queryset, order=order, size=size, shown=shown))
        count, capped = listed_total(rows, queryset, COUNT_CAP)
    else:
        rows = []
        count, capped = capped_count(queryset, cap=COUNT_CAP)
        if capped or start < count:
            # OFFSET over the ids alone (the index serving the order, no wide row read or joined), then those rows
            ids = list(keyset_ordered(queryset, order=order).values_list("pk", flat=True)[start:start + size + 1])
            rows = list(keyset_ordered(rows_of(queryset.filter(pk__in=ids)), order=order))
    items = rows[:size]
    following = cursor_for(items[-1], order=order) if len(rows) > size else None
    return ListWindow(items, following, count, capped)


# ---------------------------------------------------------------------------------------------------------------------
# People


class MeOut(Schema):
    username: str
    role: str
    units: list[str] = Field(description="credit codes of the units the user handles")


def _profile_fields() -> dict[str, Any]:
    return {name: (info.annotation, info) for name, info in Applicant.model_fields.items() if name != "permit"}


# The applicant facts of contracts/assessment.md except `permit`, field for field those of the policy's model.
ApplicantProfile = create_model("ApplicantProfile", __base__=Schema, **_profile_fields())


def applicant_profile_request_schema() -> dict[str, Any]:
    """The request body of PUT /me/profile for the OpenAPI document (no other field is accepted). Its parts (Housing,
    Award, …) are the policy's models, which the document carries as components for POST /assessments."""
    schema = ApplicantProfile.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
    schema.pop("$defs", None)
    schema["additionalProperties"] = False
    return schema


class AssociationRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    association_code: ShortText


class AssociationReleaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    left_on: Day = Field(description="the employee's last day (not after today)")


class AssociationOut(Schema):
    id: int
    unit: str = Field(description="credit code")
    applicant: str = Field(description="username")
    state: str = Field(description="requested | active | refused | released")
    left_on: date | None
    late: bool


class AssociationPage(Schema):
    items: list[AssociationOut]
    count: int
    page: int
    page_size: int


class PermitChildOut(Schema):
    name: str
    case: str
    added_on: date


class PermitOut(Schema):
    number: str
    status: str = Field(description="valid | suspended | expired | revoked")
    issued_on: date
    valid_until: date
    unit: str = Field(description="credit code")
    holder: str = Field(description="username")
    children: list[PermitChildOut]


class PermitPage(Schema):
    items: list[PermitOut]
    count: int
    page: int
    page_size: int


class SlotOut(Schema):
    id: str
    start: datetime
    end: datetime
    capacity: int
    booked: int


# ---------------------------------------------------------------------------------------------------------------------
# Units, quotas, penalties

SYSTEM_KEPT_FACTS = ("account", "quota_remaining", "quota_frozen", "penalty")


class UnitIn(Schema):
    """A unit's facts as its handler declares them: those of contracts/assessment.md `unit` that the system does not
    keep. What `unit_opening` reads is required (`tax_paid_since` may be null); `registered_capital` is required for a
    legal-person enterprise; `annual_tax` and `qualifications` default to none."""

    model_config = ConfigDict(extra="forbid")

    credit_code: ShortText = Field(description="unified social credit code (GB 32100-2015), 18 characters")
    name: ShortText
    kind: UnitKind
    legal_person: StrictBool
    registered_district: District
    tax_district: District
    tax_paid_since: Day | None = Field(description="since when the unit pays tax in Chaoyang; null if it does not")
    registered_capital: Amount | None = Field(None, validate_default=True)
    annual_tax: dict[TaxYear, Amount] = Field(default_factory=dict, description="yuan by calendar year")
    qualifications: list[Qualification] = Field(default_factory=list)
    # Kept by the system: named in a 422 when sent.
    account: SkipJsonSchema[Any] = Field(None, exclude=True)
    quota_remaining: SkipJsonSchema[Any] = Field(None, exclude=True)
    quota_frozen: SkipJsonSchema[Any] = Field(None, exclude=True)
    penalty: SkipJsonSchema[Any] = Field(None, exclude=True)

    @field_validator(*SYSTEM_KEPT_FACTS, mode="before")
    @classmethod
    def _kept_by_system(cls, value: Any) -> Any:
        raise PydanticCustomError("system_kept", gettext("该项由系统维护，不能提交"))

    @field_validator("registered_capital", mode="after")
    @classmethod
    def _capital_of_enterprise(cls, value: Decimal | None, info: Any) -> Decimal | None:
        if value is None and info.data.get("kind") == UnitKind.ENTERPRISE and info.data.get("legal_person") is True:
            raise PydanticCustomError("missing", gettext("具有法人资格的企业须填写注册资本。"))
        return value

    def facts(self) -> dict[str, Any]:
        """The facts as the unit services take them (JSON values; credit code left out)."""
        facts = self.model_dump(mode="json", exclude={"credit_code"})
        if facts["registered_capital"] is None:
            facts["registered_capital"] = "0"
        return facts


class UnitAccountOut(Schema):
    status: str = Field(description="none | open | closed")
    district: str | None


class UnitOut(Schema):
    credit_code: str
    name: str
    kind: str
    legal_person: bool
    registered_district: str
    tax_district: str
    tax_paid_since: date | None
    registered_capital: str = Field(description="yuan, a decimal string")
    annual_tax: dict[str, str] = Field(description="yuan by calendar year, decimal strings")
    qualifications: list[str]
    account: UnitAccountOut
    penalties: list[str] = Field(description="kinds of the active penalties")
    penalty: str | None = Field(
        description="the assessment's `penalty`, derived from `penalties`: blacklisted if active, else "
        "service_terminated if active, else null"
    )
    quota_frozen: bool = Field(description="the assessment's `quota_frozen`: true while a quota_frozen penalty is active")
    association_code: str | None = Field(None, description="present for the unit's handlers only")


class QuotaRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: StrictInt = Field(description="this year or next")
    requested: StrictInt = Field(description="at least 1")
    reason: Text


class QuotaGrantIn(Schema):
    model_config = ConfigDict(extra="forbid")

    granted: StrictInt = Field(description="0 or more")


class QuotaRequestOut(Schema):
    id: int
    unit: str
    year: int
    requested: int
    reason: str
    state: str = Field(description="pending | granted")
    granted: int | None
    requested_at: datetime
    decided_at: datetime | None


class QuotaOut(Schema):
    year: int
    granted: int
    reserved: int
    used: int
    remaining: int
    frozen: bool


class PenaltyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: PenaltyKind
    reason: Text


class PenaltyLiftIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text


class PenaltyOut(Schema):
    unit: str
    kind: str
    reason: str
    active: bool
    decided_by: str
    decided_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None
    lift_reason: str
