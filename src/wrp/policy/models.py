"""Request and response models of the assessment contract (`contracts/assessment.md`).

Every fact is optional at this level: which facts a request must carry depends on the service (a field is required
when a rule that applies reads it), and that is decided by `wrp.policy.facts`, which also tells a field that is
*absent* from one that is explicitly *null* (they mean different things for `contract_end`). Shapes are strict: a
wrong type, an unknown code, a negative amount, a malformed date or an unknown field is an invalid request.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, field_validator

from wrp.policy.codes import (
    AccountStatus,
    AwardLevel,
    ChangeSubtype,
    ChildCase,
    Decision,
    Degree,
    District,
    HousingKind,
    Hukou,
    Outcome,
    Penalty,
    PermitStatus,
    ProfessionalTitle,
    Qualification,
    Reviewer,
    Service,
    UnitKind,
)
from wrp.policy.response import Assessment, Check, Income

__all__ = [
    "Account", "Applicant", "Assessment", "AssessmentRequest", "AssessmentSchema", "Award", "Change", "Check",
    "CheckSchema", "Child", "Housing", "Income", "IncomeSchema", "IntellectualProperty", "Permit", "Startup", "Unit",
]  # fmt: skip

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Accept a date or an ISO `YYYY-MM-DD` string only (no timestamps, no datetimes)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("impossible_date") from None
    raise ValueError("date_format")


def _money(value: Any) -> Any:
    """Money is a JSON number or a decimal string, never a boolean."""
    if isinstance(value, bool):
        raise ValueError("money_format")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Money = Annotated[Decimal, BeforeValidator(_money), Field(ge=0, allow_inf_nan=False)]
Count = Annotated[StrictInt, Field(ge=0)]
Year = Annotated[int, Field(ge=1900, le=2200)]


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Account(_Facts):
    status: AccountStatus | None = None
    district: District | None = None


class Unit(_Facts):
    kind: UnitKind | None = None
    legal_person: StrictBool | None = None
    registered_district: District | None = None
    tax_district: District | None = None
    tax_paid_since: IsoDate | None = None
    registered_capital: Money | None = None
    annual_tax: dict[Year, Money] | None = None
    account: Account | None = None
    quota_remaining: Count | None = None
    quota_frozen: StrictBool | None = None
    penalty: Penalty | None = None
    qualifications: list[Qualification] | None = None


class Housing(_Facts):
    kind: HousingKind | None = None
    lease_end: IsoDate | None = None


class Award(_Facts):
    level: AwardLevel | None = None
    grade: Annotated[StrictInt, Field(ge=0, le=3)] | None = None


class IntellectualProperty(_Facts):
    author_rank: Annotated[StrictInt, Field(ge=1)] | None = None
    invention_patents: Count | None = None
    other_patents: Count | None = None
    software_copyrights: Count | None = None
    commercialised_in_beijing: StrictBool | None = None


class Startup(_Facts):
    self_investment_3y: Money | None = None
    equity_financing: Money | None = None
    avg_annual_tax_3y: Money | None = None
    shareholding_percent: Annotated[Decimal, BeforeValidator(_money), Field(ge=0, le=100)] | None = None
    shareholder_rank: Annotated[StrictInt, Field(ge=1)] | None = None


class Child(_Facts):
    case: ChildCase | None = None


class Permit(_Facts):
    status: PermitStatus | None = None
    valid_until: IsoDate | None = None


class Applicant(_Facts):
    nationality: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    hukou: Hukou | None = None
    dispatched: StrictBool | None = None
    employment_start: IsoDate | None = None
    contract_end: IsoDate | None = None
    housing: Housing | None = None
    talent_condition: Annotated[StrictInt, Field(ge=1, le=10)] | None = None
    degree: Degree | None = None
    work_experience_years: Annotated[Decimal, BeforeValidator(_money), Field(ge=0, le=80)] | None = None
    professional_title: ProfessionalTitle | None = None
    award: Award | None = None
    ip: IntellectualProperty | None = None
    startup: Startup | None = None
    annual_tax_paid: dict[Year, Money] | None = None
    recommended_and_approved: StrictBool | None = None
    overseas_qualification: StrictBool | None = None
    taxable_income_12m: Money | None = None
    taxable_income_by_year: dict[Year, Money] | None = None
    income_paid_by_unit: StrictBool | None = None
    social_insurance_months_by_unit: Annotated[StrictInt, Field(ge=0, le=1200)] | None = None
    social_insurance_unit_matches: StrictBool | None = None
    children: list[Child] | None = None
    accompanying_spouse: StrictBool | None = None
    permit: Permit | None = None


class Change(_Facts):
    subtype: ChangeSubtype | None = None


class AssessmentRequest(_Facts):
    """What the engine is asked: the service, the declaration date and the facts the service's rules read."""

    service: Service
    as_of: IsoDate
    change: Change | None = None
    unit: Unit | None = None
    applicant: Applicant | None = None

    @field_validator("as_of")
    @classmethod
    def _as_of_in_range(cls, value: date) -> date:
        if not 1990 <= value.year <= 2200:
            raise ValueError("as_of_range")
        return value


# --- response -------------------------------------------------------------------------------------------------------
# The engine returns the light dataclasses of `wrp.policy.response` (re-exported here); the pydantic `*Schema` twins
# below describe the same JSON for the OpenAPI document.


class CheckSchema(BaseModel):
    rule: str = Field(description="rule ID of POLICY.md, e.g. A-INCOME")
    outcome: Outcome
    clause: str = Field(description="the guide's clause, e.g. G3.申请条件.2")
    message: str


class IncomeSchema(BaseModel):
    reference_year: int
    reference_monthly_wage: str
    multiplier: str
    monthly_threshold: str
    annual_threshold: str


class AssessmentSchema(BaseModel):
    """The response of contracts/assessment.md (OpenAPI description of `Assessment.as_json_dict()`)."""

    service: Service
    as_of: date
    decision: Decision
    checks: list[CheckSchema]
    manual_checks: list[str]
    income: IncomeSchema | None
    materials: list[str]
    time_limit_working_days: int
    decision_due: date
    review_chain: list[Reviewer]
    provisional: bool | None = Field(default=None, description="present (true) only when decision_due is provisional")
