"""Employee imports through the API (issue 15 §1): the same as the page's upload.

`POST /imports` — multipart: `file` (the .xlsx template or a .csv with its headers) and `unit` (a credit code the caller
handles) → 202 `{"id", "state": "validating", …}`; the worker checks every row. `GET /imports/{id}` → its state,
progress and errors (row, column, field, code, message in the request's language). `POST /imports/{id}/confirm`
`{"only_valid": false}` → 202, the worker creates the association invitations (a sheet with errors only with
`only_valid: true`: its valid rows alone). Only the unit's handlers see an import (404 for anyone else).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from wrp.api.auth import AUTH, actor
from wrp.api.schemas import refusals
from wrp.core.errors import Invalid, NotFound
from wrp.core.language import page_language
from wrp.imports.invitations import invitation_accept, invitation_decline, invitation_for, invitations_for
from wrp.imports.models import ImportBatch, Invitation
from wrp.imports.services import import_confirm, import_for, import_upload
from wrp.imports.sheet import MAX_BYTES
from wrp.units.selectors import normalised_code, units_handled_by

router = Router(auth=AUTH, tags=["imports"])


class ImportErrorOut(Schema):
    row: int = Field(description="the sheet's row number (the header is row 1); 0 for the file as a whole")
    column: str = Field(description="the column's letter in the uploaded sheet, empty if the column is absent")
    field: str = Field(description="name, id_number, mobile, email or an applicant fact path of assessment.md")
    code: str
    message: str


class ImportOut(Schema):
    id: str
    unit: str
    state: str = Field(description="validating | invalid | valid | importing | imported | failed")
    total_rows: int
    processed: int
    percent: int
    valid_rows: int
    error_rows: int
    error_count: int
    errors: list[ImportErrorOut] = Field(description="at most 2,000; error_count counts them all")
    duplicates: list[dict[str, Any]] = Field(description="rows naming someone already associated or invited")
    only_valid: bool
    result: dict[str, Any] = Field(description='once imported: {"invited": n, "skipped": [{"row", "code"}]}')


class ConfirmIn(Schema):
    only_valid: bool = False


def import_json(batch: ImportBatch) -> dict[str, Any]:
    english = page_language() == "en"
    return {
        "id": batch.public_id,
        "unit": batch.unit.credit_code,
        "state": batch.state,
        "total_rows": batch.total_rows,
        "processed": batch.processed,
        "percent": batch.percent,
        "valid_rows": batch.valid_rows,
        "error_rows": batch.error_rows,
        "error_count": batch.error_count,
        "errors": [
            {
                "row": e["row"],
                "column": e["column"],
                "field": e["field"],
                "code": e["code"],
                "message": e["en"] if english else e["zh"],
            }
            for e in batch.errors
        ],
        "duplicates": list(batch.notes),
        "only_valid": batch.only_valid,
        "result": dict(batch.result or {}),
    }


@router.post(
    "/imports",
    response={202: ImportOut, **refusals(403, 422)},
    summary="Upload a sheet of employees",
    description="Multipart: `file` (.xlsx from the template, or .csv UTF-8/GB18030 with the same headers; "
    "at most 10 MB and 5,000 rows) and `unit` (credit code). The worker checks every row; follow "
    "`GET /imports/{id}`.",
)
def upload(request: HttpRequest, file: File[UploadedFile], unit: Form[str]) -> Status[dict[str, Any]]:
    user = actor(request)
    found = units_handled_by(user).filter(credit_code=normalised_code(unit)).first() if unit else None
    if found is None:
        raise Invalid({"unit": _("不是您经办的单位。")}, codes={"unit": "not_your_unit"})
    data = file.read(MAX_BYTES + 1)
    batch = import_upload(actor=user, unit=found, data=data, original_name=file.name or "")
    return Status(202, import_json(batch))


@router.get("/imports/{import_id}", response={200: ImportOut, **refusals(403, 404)}, summary="An import's state")
def detail(request: HttpRequest, import_id: str) -> dict[str, Any]:
    return import_json(import_for(actor(request), import_id))


@router.post(
    "/imports/{import_id}/confirm",
    response={202: ImportOut, **refusals(403, 404, 409)},
    summary="Import the checked sheet",
    description='`{"only_valid": false}`: the whole sheet, which must be valid (409 otherwise); '
    "`true`: only its valid rows. The worker creates one association invitation per row.",
)
def confirm(request: HttpRequest, import_id: str, body: ConfirmIn | None = None) -> Status[dict[str, Any]]:
    user = actor(request)
    batch = import_confirm(batch=import_for(user, import_id), actor=user, only_valid=bool(body and body.only_valid))
    return Status(202, import_json(batch))


# --- the invited employee ------------------------------------------------------------------------------------------


class InvitationOut(Schema):
    id: int
    unit: str = Field(description="credit code")
    unit_name: str
    start_date: str
    state: str = Field(description="pending | accepted | declined | cancelled")
    association: int | None = Field(description="the association the confirmation made")


class InvitationList(Schema):
    items: list[InvitationOut]


def invitation_json(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "unit": invitation.unit.credit_code,
        "unit_name": invitation.unit.name,
        "start_date": invitation.start_date.isoformat(),
        "state": invitation.state,
        "association": invitation.association_id,
    }


@router.get(
    "/invitations",
    response={200: InvitationList, **refusals(403)},
    summary="The association invitations addressed to me",
    description="An applicant's pending invitations (matched by their resident ID number); empty for other roles.",
)
def invitations(request: HttpRequest) -> dict[str, Any]:
    return {"items": [invitation_json(item) for item in invitations_for(actor(request))]}


@router.post(
    "/invitations/{invitation_id}/{answer}",
    response={200: InvitationOut, **refusals(403, 404, 409)},
    summary="Confirm (`accept`) or `decline` an invitation",
    description="`accept` makes an active association with the unit (409 `active` while another one is active).",
)
def invitation_answer(request: HttpRequest, invitation_id: int, answer: str) -> dict[str, Any]:
    user = actor(request)
    if answer not in ("accept", "decline"):
        raise NotFound(code="not_found")
    invitation = invitation_for(user, invitation_id)
    if answer == "accept":
        invitation_accept(invitation=invitation, actor=user)
    else:
        invitation_decline(invitation=invitation, actor=user)
    invitation.refresh_from_db()
    return invitation_json(invitation)
