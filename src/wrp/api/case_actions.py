"""The transitions of the state machine through the API (contracts/cases-api.md §Cases): `POST /cases/{id}/{action}`
→ 200 with the case. Each sees the case first (404 for someone else's, `wrp.api.cases.visible_case`), then lets the
service decide (403, 409, 422). Mounted after `wrp.api.cases.router`: its last route answers 404 for any other action.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from wrp.api.auth import AUTH, actor
from wrp.api.cases import CASE_ACTION, CASE_STEP, case_json, visible_case
from wrp.api.schemas import ShortText, Text, refusals
from wrp.cases.acceptance import case_accept, case_extend, case_refuse_acceptance
from wrp.cases.services import (
    case_approve,
    case_forward,
    case_reject,
    case_resubmit,
    case_return_for_correction,
    case_send_back,
    case_start_review,
    case_submit,
    case_withdraw,
)
from wrp.core.errors import NotFound

router = Router(auth=AUTH, tags=["cases"])


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    slot: ShortText | None = Field(
        None, description="a slot id from GET /slots: the unit's submission of a personal kind"
    )


class Problem(Schema):
    model_config = ConfigDict(extra="forbid")

    material: ShortText | None = Field(None, description="material code, or null for a problem of the case")
    text: Text = ""


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")

    problems: list[Problem] = Field(default_factory=list)


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    review_reasons: dict[ShortText, Text] = Field(
        default_factory=dict, description="{rule: reason} for each `review` outcome of the assessment"
    )


class SendBackIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message: Text = Field("", description="required: what the employee should change (at most 1000 characters)")


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", description="required")


# --- actions --------------------------------------------------------------------------------------------------------


def _act(request: HttpRequest, case_id: str, transition: Any, **arguments: Any) -> dict[str, Any]:
    """See the case first (404 for someone else's), then let the service decide (403, 409, 422)."""
    user = actor(request)
    case = transition(case=visible_case(user, case_id), actor=user, **arguments)
    return case_json(case, request)


@router.post(
    "/cases/{case_id}/submit", response=CASE_ACTION, exclude_unset=True, by_alias=True, summary="Submit",
    description="The applicant passes a personal case to the unit (`draft` → `awaiting_unit`); the unit's handler "
    "submits it (`draft`, `awaiting_unit` → `submitted`), with `{\"slot\": id}` for a personal kind. The unit's "
    "submission checks every required material uploaded, then the slot, then the policy (holding the quota lock).",
)
def submit_case(request: HttpRequest, case_id: str, payload: SubmitIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_submit, slot=(payload or SubmitIn()).slot)


@router.post(
    "/cases/{case_id}/send_back", response=CASE_ACTION, exclude_unset=True, by_alias=True,
    summary="Send back to the employee",
    description="The unit's handler: `awaiting_unit` → `draft`, with `{\"message\"}` (required, at most 1000 "
    "characters) telling the employee what to change; the employee is notified and submits it to the unit again.",
)
def send_back_case(request: HttpRequest, case_id: str, payload: SendBackIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_send_back, message=(payload or SendBackIn()).message)


@router.post(
    "/cases/{case_id}/start_review", response=CASE_STEP, exclude_unset=True, by_alias=True, summary="Start the review",
    description="window_clerk: `submitted` → `in_review`.",
)
def start_review(request: HttpRequest, case_id: str) -> dict[str, Any]:
    return _act(request, case_id, case_start_review)


@router.post(
    "/cases/{case_id}/return", response=CASE_ACTION, exclude_unset=True, by_alias=True, summary="Return for correction",
    description="window_clerk: `in_review` → `returned`, one notice with every problem; the clock stops. Only before "
    "acceptance: a case accepted (explicitly, with a decision, or deemed after 5 working days) is 409 "
    "`accepted_no_return`.",
)
def return_case(request: HttpRequest, case_id: str, payload: ReturnIn | None = None) -> dict[str, Any]:
    problems = [problem.model_dump() for problem in (payload or ReturnIn()).problems]
    return _act(request, case_id, case_return_for_correction, problems=problems)


@router.post(
    "/cases/{case_id}/resubmit", response=CASE_ACTION, exclude_unset=True, by_alias=True, summary="Resubmit",
    description="The unit's handler: `returned` → `in_review`; the clock resumes with the days that were left.",
)
def resubmit_case(request: HttpRequest, case_id: str) -> dict[str, Any]:
    return _act(request, case_id, case_resubmit)


@router.post(
    "/cases/{case_id}/forward", response=CASE_ACTION, exclude_unset=True, by_alias=True,
    summary="Forward to the bureau",
    description="window_clerk: `in_review` → `pending_approval` (initial, renewal); every required material "
    "accepted and a reason for each `review` outcome.",
)
def forward_case(request: HttpRequest, case_id: str, payload: ReviewIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_forward, review_reasons=(payload or ReviewIn()).review_reasons)


@router.post(
    "/cases/{case_id}/approve", response=CASE_ACTION, exclude_unset=True, by_alias=True, summary="Approve",
    description="window_clerk: `in_review` → `approved` for the five window kinds (with `review_reasons`); "
    "bureau_approver, not the clerk who reviewed it: `pending_approval` → `approved`.",
)
def approve_case(request: HttpRequest, case_id: str, payload: ReviewIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_approve, review_reasons=(payload or ReviewIn()).review_reasons)


@router.post(
    "/cases/{case_id}/reject", response=CASE_ACTION, exclude_unset=True, by_alias=True, summary="Reject",
    description="window_clerk (`in_review`) or bureau_approver (`pending_approval`) → `rejected`; `reason` required.",
)
def reject_case(request: HttpRequest, case_id: str, payload: RejectIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_reject, reason=(payload or RejectIn()).reason)


@router.post(
    "/cases/{case_id}/withdraw", response=CASE_STEP, exclude_unset=True, by_alias=True, summary="Withdraw",
    description="The applicant or the unit's handler: `draft`, `awaiting_unit`, `submitted`, `returned` → "
    "`withdrawn`; a reserved quota unit and the booking are freed.",
)
def withdraw_case(request: HttpRequest, case_id: str) -> dict[str, Any]:
    return _act(request, case_id, case_withdraw)


@router.post(
    "/cases/{case_id}/accept", response=CASE_STEP, exclude_unset=True, by_alias=True, summary="Accept (受理)",
    description="window_clerk, case `submitted` or `in_review` not yet accepted (409 `already_accepted` otherwise, "
    "also once it is deemed accepted): records the acceptance and issues the 受理通知书 with the decision's due date. "
    "The state does not change.",
)
def accept_case(request: HttpRequest, case_id: str) -> dict[str, Any]:
    return _act(request, case_id, case_accept)


@router.post(
    "/cases/{case_id}/refuse_acceptance", response=CASE_ACTION, exclude_unset=True, by_alias=True,
    summary="Refuse acceptance (不予受理)",
    description="window_clerk, case `submitted` or `in_review` not yet accepted, for a matter outside the district's "
    "remit: `{\"reason\"}` required → `rejected` with `acceptance.how` `not_accepted`; the quota unit and booking are "
    "released and a 不予受理通知书 is issued instead of a decision letter.",
)
def refuse_acceptance(request: HttpRequest, case_id: str, payload: RejectIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_refuse_acceptance, reason=(payload or RejectIn()).reason)


@router.post(
    "/cases/{case_id}/extend", response=CASE_ACTION, exclude_unset=True, by_alias=True,
    summary="Extend the time limit (延期)",
    description="bureau_approver, case `submitted`, `in_review` or `pending_approval` with a running clock: "
    "`{\"reason\"}` required; the due date moves 10 working days later and a 延期通知书 is issued. Only once "
    "(409 `already_extended`) and not after the due date (409 `past_due`).",
)
def extend_case(request: HttpRequest, case_id: str, payload: RejectIn | None = None) -> dict[str, Any]:
    return _act(request, case_id, case_extend, reason=(payload or RejectIn()).reason)


@router.post("/cases/{case_id}/{action}", response=refusals(404), include_in_schema=False)
def unknown_action(request: HttpRequest, case_id: str, action: str) -> None:
    """Registered after every action: any other name is not an endpoint."""
    raise NotFound(_("没有这个操作。"), code="action_not_found")
