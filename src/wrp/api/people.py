"""People through the API (contracts/cases-api.md §Identity, §Applicants and associations, §Permits, slots of §Cases):
who am I, the applicant's profile, associations between applicants and units, permits, appointment slots.

Each endpoint is parse → selector → service → JSON. An object the caller may not see is 404 before any service is
asked (`association_for`, `permit_for`), so a role that sees it but may not act gets the service's 403 and nobody else
learns it exists. Administrators get 403 everywhere but /me (`actor`).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import P, Query, QueryEx, Router, Status
from ninja.decorators import decorate_view

from wrp.accounts.models import Role
from wrp.accounts.services import profile_save
from wrp.api.auth import AUTH, actor
from wrp.api.idempotency import idempotent
from wrp.api.schemas import (
    PAGE_SIZE,
    ApplicantProfile,
    AssociationOut,
    AssociationPage,
    AssociationReleaseIn,
    AssociationRequestIn,
    Day,
    MeOut,
    PermitOut,
    PermitPage,
    SlotOut,
    applicant_profile_request_schema,
    page_of,
    refusals,
)
from wrp.appointments.services import slots_between
from wrp.core.errors import Forbidden, Invalid, NotFound
from wrp.employment.selectors import association_for, associations_visible_to
from wrp.employment.services import association_accept, association_refuse, association_release, association_request
from wrp.permits.models import Permit
from wrp.permits.selectors import permit_for, permits_visible_to
from wrp.units.models import Association
from wrp.units.selectors import units_handled_by

router = Router(auth=AUTH, tags=["people"])

MAX_ID = 2**63 - 1  # ids are 64-bit: a larger number names nothing


def _object_id(value: int, what: str) -> int:
    if not 1 <= value <= MAX_ID:
        raise NotFound(code=f"{what}_not_found")
    return value


# --- who am I ------------------------------------------------------------------------------------------------------


@router.get("/me", response={200: MeOut, **refusals()}, summary="The signed-in user")
def me(request: HttpRequest) -> dict[str, Any]:
    user = actor(request, admin_allowed=True)
    units = list(units_handled_by(user).order_by("credit_code").values_list("credit_code", flat=True))
    return {"username": user.username, "role": user.role, "units": units}


# --- the applicant's profile ----------------------------------------------------------------------------------------


def _require_applicant(user: Any) -> None:
    if user.role != Role.APPLICANT:
        raise Forbidden(_("只有申请人有个人资料。"), code="applicants_only")


@router.get(
    "/me/profile", response={200: ApplicantProfile, **refusals(403, 404)}, exclude_unset=True,
    summary="The applicant's profile (404 before the first PUT)",
)
def profile_read(request: HttpRequest) -> dict[str, Any]:
    user = actor(request)
    _require_applicant(user)
    try:
        return dict(user.profile.facts)  # the caller's own profile, through their own user row
    except ObjectDoesNotExist:
        raise NotFound(code="profile_not_found") from None


@router.put(
    "/me/profile", response={200: ApplicantProfile, **refusals(403, 422)}, exclude_unset=True,
    summary="Replace the applicant's profile",
    description="The applicant facts of contracts/assessment.md except `permit` (kept by the system). Every bad field "
    "is named by its path in the body (`hukou`, `children.0.case`). Amounts come back as decimal strings.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": applicant_profile_request_schema()}}}
    },
)
def profile_replace(request: HttpRequest) -> dict[str, Any]:
    # The body is read here and checked by the service against the policy's own model, so its messages are the
    # policy's; the OpenAPI document still describes it.
    user = actor(request)
    _require_applicant(user)
    try:
        facts = json.loads(request.body or b"null")
    except RequestDataTooBig:
        raise Invalid({"body": _("请求过大")}, codes={"body": "too_large"}) from None
    except ValueError:
        raise Invalid({"body": _("请求不是有效的 JSON")}, codes={"body": "not_json"}) from None
    return dict(profile_save(user=user, facts=facts, actor=user).facts)


# --- associations ---------------------------------------------------------------------------------------------------


def association_json(association: Association) -> dict[str, Any]:
    return {
        "id": association.pk,
        "unit": association.unit.credit_code,
        "applicant": association.applicant.username,
        "state": association.state,
        "left_on": association.left_on,
        "late": association.late,
    }


@router.post(
    "/associations", response={201: AssociationOut, **refusals(403, 409, 422)},
    summary="Ask a unit to associate (applicant)",
)
@decorate_view(idempotent)
def association_create(request: HttpRequest, payload: AssociationRequestIn) -> Status:
    association = association_request(actor=actor(request), association_code=payload.association_code)
    return Status(201, association_json(association))


@router.get(
    "/associations", response={200: AssociationPage, **refusals(403, 422)},
    summary="Associations: the applicant's own, the handler's units', all for clerks and approvers",
)
def association_list(request: HttpRequest, page: QueryEx[int, P(ge=1, description="from 1; 20 items a page")] = 1) -> dict[str, Any]:
    associations = associations_visible_to(actor(request)).order_by("-requested_at", "-id")
    items, count = page_of(associations, page)
    return {"items": [association_json(a) for a in items], "count": count, "page": page, "page_size": PAGE_SIZE}


def _association(request: HttpRequest, association_id: int) -> tuple[Any, Association]:
    user = actor(request)
    return user, association_for(user, _object_id(association_id, "association"))


@router.post(
    "/associations/{association_id}/accept", response={200: AssociationOut, **refusals(403, 404, 409, 422)},
    summary="Accept a requested association (the unit's handlers)",
)
def association_accept_endpoint(request: HttpRequest, association_id: int) -> dict[str, Any]:
    user, association = _association(request, association_id)
    return association_json(association_accept(association=association, actor=user))


@router.post(
    "/associations/{association_id}/refuse", response={200: AssociationOut, **refusals(403, 404, 409, 422)},
    summary="Refuse a requested association (the unit's handlers)",
)
def association_refuse_endpoint(request: HttpRequest, association_id: int) -> dict[str, Any]:
    user, association = _association(request, association_id)
    return association_json(association_refuse(association=association, actor=user))


@router.post(
    "/associations/{association_id}/release", response={200: AssociationOut, **refusals(403, 404, 409, 422)},
    summary="Release an employee who left (the unit's handlers)",
    description="Late (`late: true`) when made more than 60 days after `left_on`; suspends the holder's permit.",
)
def association_release_endpoint(
    request: HttpRequest, association_id: int, payload: AssociationReleaseIn
) -> dict[str, Any]:
    user, association = _association(request, association_id)
    return association_json(association_release(association=association, actor=user, left_on=payload.left_on))


# --- permits --------------------------------------------------------------------------------------------------------


def permit_json(permit: Permit) -> dict[str, Any]:
    return {
        "number": permit.number,
        "status": permit.status,
        "issued_on": permit.issued_on,
        "valid_until": permit.valid_until,
        "unit": permit.unit.credit_code,
        "holder": permit.holder.username,
        "children": [
            {"name": child.name, "case": child.case, "added_on": child.added_on}
            for child in permit.children.order_by("added_on", "id")
        ],
    }


@router.get(
    "/permits", response={200: PermitPage, **refusals(403, 422)},
    summary="Permits: the holder's own, the handler's units', all for clerks and approvers",
)
def permit_list(request: HttpRequest, page: QueryEx[int, P(ge=1, description="from 1; 20 items a page")] = 1) -> dict[str, Any]:
    permits = permits_visible_to(actor(request)).prefetch_related("children").order_by("-issued_on", "-id")
    items, count = page_of(permits, page)
    return {"items": [permit_json(p) for p in items], "count": count, "page": page, "page_size": PAGE_SIZE}


@router.get("/permits/{number}", response={200: PermitOut, **refusals(403, 404)}, summary="A permit")
def permit_read(request: HttpRequest, number: str) -> dict[str, Any]:
    user = actor(request)
    if "\x00" in number or len(number) > Permit._meta.get_field("number").max_length:
        raise NotFound(code="permit_not_found")
    return permit_json(permit_for(user, number))


# --- appointment slots ----------------------------------------------------------------------------------------------


@router.get(
    "/slots", response={200: list[SlotOut], **refusals(403, 422)},
    summary="Free appointment slots between two dates (at most 92 days apart)",
)
def slot_list(
    request: HttpRequest, from_: QueryEx[Day, P(alias="from")], to: Query[Day]
) -> list[dict[str, Any]]:
    actor(request)
    return [
        {
            "id": slot.public_id,
            "start": timezone.localtime(slot.start),
            "end": timezone.localtime(slot.end),
            "capacity": slot.capacity,
            "booked": slot.booked,
        }
        for slot in slots_between(start=from_, end=to)
    ]

