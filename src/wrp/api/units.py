"""Units, quotas and penalties through the API (contracts/cases-api.md §Units and quotas).

A unit is named by its credit code in the path; `unit_for` answers 404 to whoever may not see it (applicants, other
units' handlers), before any service is asked, so a role that sees the unit but may not act (a clerk editing its facts,
a handler imposing a penalty) gets the service's 403. Administrators get 403 everywhere (`actor`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import P, PathEx, QueryEx, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import Field

from wrp.api.auth import AUTH, actor
from wrp.api.idempotency import idempotent
from wrp.api.schemas import (
    PAGE_SIZE,
    PenaltyIn,
    PenaltyLiftIn,
    PenaltyOut,
    QuotaGrantIn,
    QuotaOut,
    QuotaRequestIn,
    QuotaRequestOut,
    UnitIn,
    UnitOut,
    refusals,
)
from wrp.cases.radar import DEFAULT_SORT, SORTS, WINDOW_STATES, RadarRow, radar_rows
from wrp.cases.renewals import renewal_drafts_open
from wrp.core.errors import Invalid, NotFound
from wrp.quotas.models import QuotaRequest
from wrp.quotas.selectors import quota_request_for, quota_status
from wrp.quotas.services import quota_grant, quota_request_create
from wrp.units.models import Penalty, PenaltyKind, Unit
from wrp.units.selectors import (
    active_penalties,
    decimal_str,
    is_handler,
    normalised_code,
    policy_penalty,
    unit_account,
    unit_for,
)
from wrp.units.services import penalty_impose, penalty_lift, unit_register, unit_update_facts

router = Router(auth=AUTH, tags=["units"])

_CREDIT_CODE_SHAPE = re.compile(r"[0-9A-Z]{18}")
MAX_ID = 2**63 - 1


def _unit(request: HttpRequest, credit_code: str) -> tuple[Any, Unit]:
    """The caller and the unit of the path; 404 for a unit they may not see or a code that names no unit."""
    user = actor(request)
    if "\x00" in credit_code or not _CREDIT_CODE_SHAPE.fullmatch(normalised_code(credit_code)):
        raise NotFound(code="unit_not_found")
    return user, unit_for(user, credit_code)


def unit_json(unit: Unit, *, viewer: Any) -> dict[str, Any]:
    """The unit facts, its account and active penalties with the two facts the assessment derives from them
    (`penalty`, `quota_frozen`, as `unit_facts` gives them to the policy); the association code for its handlers."""
    penalties = active_penalties(unit)
    body: dict[str, Any] = {
        "credit_code": unit.credit_code,
        "name": unit.name,
        "kind": unit.kind,
        "legal_person": unit.legal_person,
        "registered_district": unit.registered_district,
        "tax_district": unit.tax_district,
        "tax_paid_since": unit.tax_paid_since,
        "registered_capital": decimal_str(unit.registered_capital),
        "annual_tax": {str(year): decimal_str(amount) for year, amount in sorted((unit.annual_tax or {}).items())},
        "qualifications": list(unit.qualifications or []),
        "account": unit_account(unit),
        "penalties": penalties,
        "penalty": policy_penalty(penalties),
        "quota_frozen": PenaltyKind.QUOTA_FROZEN in penalties,
    }
    if is_handler(viewer, unit):
        body["association_code"] = unit.association_code
    return body


# --- units ----------------------------------------------------------------------------------------------------------


@router.post(
    "/units", response={201: UnitOut, **refusals(403, 422)}, exclude_unset=True,
    summary="Register a unit (unit_handler): account none, the caller its handler",
)
@decorate_view(idempotent)
def unit_create(request: HttpRequest, payload: UnitIn) -> Status:
    user = actor(request)
    unit = unit_register(actor=user, credit_code=payload.credit_code, **payload.facts())
    return Status(201, unit_json(unit, viewer=user))


@router.get(
    "/units/{credit_code}", response={200: UnitOut, **refusals(403, 404)}, exclude_unset=True,
    summary="A unit (its handlers, clerks, approvers)",
)
def unit_read(request: HttpRequest, credit_code: str) -> dict[str, Any]:
    user, unit = _unit(request, credit_code)
    return unit_json(unit, viewer=user)


@router.put(
    "/units/{credit_code}", response={200: UnitOut, **refusals(403, 404, 422)}, exclude_unset=True,
    summary="Replace a unit's facts (its handlers); the credit code cannot change",
)
def unit_replace(request: HttpRequest, credit_code: str, payload: UnitIn) -> dict[str, Any]:
    user, unit = _unit(request, credit_code)
    unit = unit_update_facts(unit=unit, actor=user, credit_code=payload.credit_code, **payload.facts())
    return unit_json(unit, viewer=user)


# --- quotas ---------------------------------------------------------------------------------------------------------


def quota_request_json(quota_request: QuotaRequest) -> dict[str, Any]:
    return {
        "id": quota_request.pk,
        "unit": quota_request.unit.credit_code,
        "year": quota_request.year,
        "requested": quota_request.requested,
        "reason": quota_request.reason,
        "state": quota_request.state,
        "granted": quota_request.granted,
        "requested_at": timezone.localtime(quota_request.requested_at),
        "decided_at": timezone.localtime(quota_request.decided_at) if quota_request.decided_at else None,
    }


@router.post(
    "/units/{credit_code}/quota-requests", response={201: QuotaRequestOut, **refusals(403, 404, 422)},
    summary="Declare the quota a unit needs for a year (its handlers)",
)
@decorate_view(idempotent)
def quota_request_create_endpoint(request: HttpRequest, credit_code: str, payload: QuotaRequestIn) -> Status:
    user, unit = _unit(request, credit_code)
    quota_request = quota_request_create(
        unit=unit, actor=user, year=payload.year, requested=payload.requested, reason=payload.reason
    )
    return Status(201, quota_request_json(quota_request))


@router.post(
    "/quota-requests/{request_id}/grant", response={200: QuotaRequestOut, **refusals(403, 404, 409, 422)},
    summary="Grant a quota request (bureau_approver)",
)
def quota_grant_endpoint(request: HttpRequest, request_id: int, payload: QuotaGrantIn) -> dict[str, Any]:
    user = actor(request)
    if not 1 <= request_id <= MAX_ID:
        raise NotFound(code="quota_request_not_found")
    quota_request = quota_grant(request=quota_request_for(user, request_id), actor=user, granted=payload.granted)
    return quota_request_json(quota_request)


@router.get(
    "/units/{credit_code}/quota/{year}", response={200: QuotaOut, **refusals(403, 404, 422)},
    summary="A unit's quota for a year (its handlers, clerks, approvers)",
)
def quota_read(request: HttpRequest, credit_code: str, year: PathEx[int, P(ge=1900, le=2200, description="calendar year")]) -> dict[str, Any]:
    _user, unit = _unit(request, credit_code)
    return quota_status(unit, year)


# --- penalties ------------------------------------------------------------------------------------------------------


def penalty_json(penalty: Penalty) -> dict[str, Any]:
    return {
        "unit": penalty.unit.credit_code,
        "kind": penalty.kind,
        "reason": penalty.reason,
        "active": penalty.active,
        "decided_by": penalty.decided_by.username,
        "decided_at": timezone.localtime(penalty.decided_at),
        "lifted_by": penalty.lifted_by.username if penalty.lifted_by else None,
        "lifted_at": timezone.localtime(penalty.lifted_at) if penalty.lifted_at else None,
        "lift_reason": penalty.lift_reason,
    }


@router.post(
    "/units/{credit_code}/penalties", response={201: PenaltyOut, **refusals(403, 404, 409, 422)},
    summary="Impose a penalty (bureau_approver); 409 with state `active` if it already is",
)
@decorate_view(idempotent)
def penalty_impose_endpoint(request: HttpRequest, credit_code: str, payload: PenaltyIn) -> Status:
    user, unit = _unit(request, credit_code)
    penalty = penalty_impose(unit=unit, actor=user, kind=payload.kind.value, reason=payload.reason)
    return Status(201, penalty_json(penalty))


@router.post(
    "/units/{credit_code}/penalties/{kind}/lift", response={200: PenaltyOut, **refusals(403, 404, 409, 422)},
    summary="Lift an active penalty (bureau_approver); 409 with state `inactive` if it is not active",
)
def penalty_lift_endpoint(
    request: HttpRequest, credit_code: str, kind: PenaltyKind, payload: PenaltyLiftIn
) -> dict[str, Any]:
    user, unit = _unit(request, credit_code)
    return penalty_json(penalty_lift(unit=unit, actor=user, kind=kind.value, reason=payload.reason))


# --- expiry radar and renewal drafts (issue 10 §4) ---------------------------------------------------------------------


class RadarCaseOut(Schema):
    id: str
    kind: str
    state: str


class RadarItemOut(Schema):
    permit: str = Field(description="permit number")
    holder: str = Field(description="username")
    status: str = Field(description="valid | suspended | expired")
    valid_until: date
    days_to_expiry: int = Field(description="negative once expired")
    window: str = Field(description="before | open | closing | expired")
    window_opens: date
    open_cases: list[RadarCaseOut]
    next_step: str = Field(description="wait | open_renewal | complete_renewal | answer_correction | await_decision | "
                                       "apply_initial | employer_change")
    selectable: bool = Field(description="a renewal draft can be opened for it now")


class RadarPage(Schema):
    items: list[RadarItemOut]
    count: int
    page: int
    page_size: int


class RenewalsIn(Schema):
    permits: list[str] = Field(description="permit numbers, each in its renewal window")


class RenewalMaterialOut(Schema):
    code: str
    reason: str = Field(description="dated | not_on_file | contract_changed")


class RenewalDraftOut(Schema):
    id: str
    kind: str
    state: str
    permit: str
    applicant: str
    copied_from: str | None = Field(description="the last approved case it was prefilled from")
    reused: list[str] = Field(description="materials carried over from that case")
    anew: list[RenewalMaterialOut] = Field(description="materials to upload anew, with the reason")


class RenewalsOut(Schema):
    items: list[RenewalDraftOut]


def radar_item_json(row: RadarRow) -> dict[str, Any]:
    return {
        "permit": row.permit.number, "holder": row.permit.holder.username, "status": row.permit.status,
        "valid_until": row.permit.valid_until, "days_to_expiry": row.days_to_expiry, "window": row.window,
        "window_opens": row.opens_on, "next_step": row.next_step, "selectable": row.selectable,
        "open_cases": [{"id": case.public_id, "kind": case.kind, "state": case.state} for case in row.open_cases],
    }


@router.get(
    "/units/{credit_code}/radar", response={200: RadarPage, **refusals(403, 404, 422)},
    summary="The expiry radar (its handlers): the employees' permits, soonest expiry first",
)
def radar_list(
    request: HttpRequest, credit_code: str,
    window: QueryEx[str, P(description="before | open | closing | expired | in_window")] = "",
    sort: QueryEx[str, P(description="days | -days | name")] = DEFAULT_SORT,
    page: QueryEx[int, P(ge=1, description="from 1; 20 items a page")] = 1,
) -> dict[str, Any]:
    user, unit = _unit(request, credit_code)
    if window and window not in (*WINDOW_STATES, "in_window"):
        raise Invalid({"window": _("未知的续签期状态。")}, codes={"window": "unknown_window"})
    if sort not in SORTS:
        raise Invalid({"sort": _("未知的排序方式。")}, codes={"sort": "unknown_sort"})
    rows = radar_rows(user=user, unit=unit, today=timezone.localdate(), window=window, sort=sort)
    start = (page - 1) * PAGE_SIZE
    return {"items": [radar_item_json(row) for row in rows[start:start + PAGE_SIZE]], "count": len(rows),
            "page": page, "page_size": PAGE_SIZE}


@router.post(
    "/units/{credit_code}/renewals", response={201: RenewalsOut, **refusals(403, 404, 422)},
    summary="Open prefilled renewal drafts for permits in their window (its handlers), all or nothing",
)
@decorate_view(idempotent)
def renewals_open(request: HttpRequest, credit_code: str, payload: RenewalsIn) -> Status:
    user, unit = _unit(request, credit_code)
    rows = {row.permit.number: row for row in
            radar_rows(user=user, unit=unit, today=timezone.localdate(), numbers=list(payload.permits))}
    unknown = {f"permits.{i}": number for i, number in enumerate(payload.permits) if number not in rows}
    if unknown:
        raise Invalid({path: _("该证件不属于本单位在职员工。") for path in unknown},
                      codes={path: "permit_not_found" for path in unknown})
    cases = renewal_drafts_open(actor=user, permits=[rows[number].permit for number in payload.permits])
    items = []
    for case, number in zip(cases, payload.permits, strict=True):
        plan = case.prefill
        items.append({"id": case.public_id, "kind": case.kind, "state": case.state, "permit": number,
                      "applicant": case.applicant.username, "copied_from": plan["from"], "reused": plan["reused"],
                      "anew": plan["anew"]})
    return Status(201, {"items": items})
