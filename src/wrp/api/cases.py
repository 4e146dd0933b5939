"""Cases through the API (contracts/cases-api.md §Cases): open, list, read, upload and judge materials; the
transitions of the state machine (`POST /cases/{id}/{action}`) are in `wrp.api.case_actions`.

Each endpoint is parse → selector → service → the case as JSON. A case the caller may not see is 404 before any
service is asked (`case_for`), so a role that sees the case but may not act gets the service's 403 and nobody else
learns the case exists. Refusals are `wrp.core.errors`, turned into the contract's bodies by `wrp.api.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from wrp.api.auth import AUTH, actor
from wrp.api.errors import message_language
from wrp.api.idempotency import idempotent
from wrp.api.material_uploads import CheckingOut, check_answer, check_wait
from wrp.api.schemas import (
    PAGE_SIZE,
    Cursor,
    PageNumber,
    PageSize,
    ShortText,
    Text,
    first_page,
    list_window,
    refusals,
)
from wrp.audit.services import audit_note
from wrp.cases import clock
from wrp.cases.acceptance import acceptance_view, extension_view
from wrp.cases.material_checks import material_check_for, material_upload_start
from wrp.cases.materials import case_checklist, material_verdict
from wrp.cases.models import Case, CaseEvent, CaseState
from wrp.cases.selectors import (
    CASE_LIST_ORDER,
    ListedRows,
    case_applicant_for,
    case_events,
    case_for,
    case_materials,
    case_permit,
    case_unit_for,
    cases_for_api_list,
    cases_listed,
    listed_events,
    listed_materials,
    listed_parties,
    listed_permit_number,
    listed_relations,
    listed_rows,
    material_file_for,
)
from wrp.cases.services import (
    case_open,
)
from wrp.cases.workflow import allowed_actions, require_opener
from wrp.core.errors import Invalid, NotFound
from wrp.core.prepared import PreparedEach
from wrp.documents.pdfcheck import MAX_BYTES
from wrp.documents.services import open_file
from wrp.policy.codes import Service
from wrp.units.selectors import handled_unit_ids

router = Router(auth=AUTH, tags=["cases"])

UNKNOWN_UNIT = _("单位不存在，或您不能为其办理。")
UNKNOWN_APPLICANT = _("申请人不存在，或未与您的单位关联。")
NO_CASE = _("未找到该案件，或您无权查看。")
NO_MATERIAL = _("未找到该材料。")


# --- schemas (shared ones from wrp.api.schemas) -------------------------------------------------------------------


class SubmissionRefusalOut(Schema):
    """422: `invalid_request` with `fields`, `ineligible` with the full `assessment`, `materials_missing` with the
    codes `missing`, `file_refused` with its `reason`."""

    error: str
    fields: dict[str, str] | None = None
    assessment: dict[str, Any] | None = None
    missing: list[str] | None = None
    reason: str | None = None


# The case's answers (MaterialOut … CasePage) are plain pydantic models, not ninja Schemas: they are built as dicts
# of their exact shape, which pydantic checks in one pass; a Schema reads every field of every nested object through
# ninja's DjangoGetter (made for model instances): 2.7 ms of CPU to check a list of 20 cases, against 0.2 (issue 14).


class MaterialOut(BaseModel):
    code: str
    required: bool
    status: str = Field(description="missing | uploaded | accepted | rejected")
    reason: str


class ClockOut(BaseModel):
    time_limit_working_days: int | None
    accepted_on: str | None
    due: str | None
    paused: bool
    working_days_left: int | None
    provisional: bool | None = Field(None, description="present (true) only when a date needs an unloaded year")


class AcceptanceOut(BaseModel):
    due: str | None = Field(description="the last day to accept or return for correction: the 5th working day after "
                            "the materials arrived (the unit's latest submission or resubmission)")
    accepted_on: str | None = Field(description="the day of acceptance; for deemed acceptance, the day the "
                                    "materials arrived")
    how: str | None = Field(description="explicit | with_decision | deemed | not_accepted; null while awaited")


class ExtensionOut(BaseModel):
    days: int
    reason: str
    extended_on: str
    previous_due: str | None
    due: str | None


class EventOut(BaseModel):
    at: str
    action: str
    actor_role: str
    from_: str | None = Field(..., alias="from")
    to: str


class CaseOut(BaseModel):
    id: str
    kind: str
    subtype: str | None
    state: str
    unit: str = Field(description="credit code")
    applicant: str | None = Field(description="username")
    assessment: dict[str, Any] | None = Field(description="frozen at submission, in the caller's language")
    materials: list[MaterialOut]
    clock: ClockOut
    permit: str | None = Field(description="number of the permit the case concerns or produced")
    events: list[EventOut]
    acceptance: AcceptanceOut = Field(description="the acceptance duty (受理, POLICY §11 L-ACCEPT): an extension")
    extension: ExtensionOut | None = Field(description="the bureau's one extension (延期, L-EXTEND), or null")
    allowed_actions: list[str] = Field(
        description="what the caller may do with the case now, sorted (an extension of the contract): submit, "
        "start_review, return, resubmit, forward, approve, reject, withdraw, `send_back` (the unit's handler returns an "
        "employee's case to them); `edit` (answers and uploads by its "
        "filers), `judge` (the clerk's verdicts on materials), `accept`, `refuse_acceptance` (window clerk, "
        "before acceptance) and `extend` (bureau approver, once, before the due date)"
    )


class CasePage(BaseModel):
    items: list[CaseOut]
    count: int = Field(description="the cases listed, counted up to 10,000 (see `count_capped`)")
    page: int
    page_size: int
    next: str | None = Field(description="an extension of the contract: the cursor of the next page (pass it as "
                             "`?after=`), null on the last page")
    count_capped: bool = Field(description="an extension of the contract: true when there are more than `count`")


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ShortText
    subtype: ShortText | None = None
    unit: ShortText = Field(description="credit code")
    applicant: ShortText | None = Field(None, description="username; for a personal kind opened by a handler")
    answers: dict[str, Any] | None = Field(
        None,
        description="the case's own answers (an extension of the contract): `children` [{name, case}] for initial "
        "(the accompanying children) and children_change (the children the permit carries after the change: those it "
        "keeps and those added; a child left out is removed; at least one remains); `housing` {kind, lease_end, "
        "address} for info_change/address (the new home; `address` down to the house number); `real_name`, `hukou` "
        "for info_change/name_or_hukou; `degree` for info_change/education. A change that carries none of these "
        "takes them from the applicant's profile; what a change lacks is 422 naming `answers.<name>` when the case "
        "is opened (what it carries) or submitted (by the applicant or the unit), never at approval",
    )


class CaseFilters(Schema):
    page: PageNumber = 1
    state: CaseState | None = None
    kind: Service | None = None
    after: Cursor | None = None
    limit: PageSize = PAGE_SIZE


class UploadOut(Schema):
    code: str
    status: str
    sha256: str
    pages: int
    warnings: list[dict[str, Any]]


class VerdictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    accepted: StrictBool
    reason: Text = Field("", description="required when not accepted")


def _responses(success: int, schema: Any, *statuses: int) -> dict[int, Any]:
    responses: dict[int, Any] = {success: schema, **refusals(*statuses)}
    if 422 in statuses:
        responses[422] = SubmissionRefusalOut
    return responses


CASE_ACTION = _responses(200, CaseOut, 403, 404, 409, 422)
CASE_STEP = _responses(200, CaseOut, 403, 404, 409)  # actions without a body or a check that can refuse it


# --- the case as JSON ---------------------------------------------------------------------------------------------


def _materials(case: Case) -> list[dict[str, Any]]:
    return [
        {key: row[key] for key in ("code", "required", "status", "reason")}
        for row in case_materials(case, case_checklist(case))
    ]


def _events(case: Case) -> list[dict[str, Any]]:
    zone = timezone.get_current_timezone()
    return [_event_json(event, zone) for event in case_events(case)]


def _event_json(event: CaseEvent | Any, zone: tzinfo) -> dict[str, Any]:
    """An event as JSON, from a CaseEvent or a listed row with the same fields (`listed_events`)."""
    return {
        "at": event.at.astimezone(zone).isoformat(),
        "action": event.action,
        "actor_role": event.actor_role,
        "from": event.from_state or None,
        "to": event.to_state,
    }


def _case_body(
    case: Case, *, language: str, today: date, unit: str, applicant: str | None, materials: list[dict[str, Any]],
    events: list[dict[str, Any]], permit: str | None, actions: frozenset[str],
) -> dict[str, Any]:
    extension = extension_view(case)
    return {
        "id": case.public_id,
        "kind": case.kind,
        "subtype": case.subtype or None,
        "state": case.state,
        "unit": unit,
        "applicant": applicant,
        "assessment": case.assessment[language] if case.assessment else None,
        "materials": materials,
        "clock": clock.view(case, today=today).as_json_dict(),
        "permit": permit,
        "events": events,
        "acceptance": acceptance_view(case, today=today).as_json_dict(),
        "extension": extension.as_json_dict() if extension is not None else None,
        "allowed_actions": sorted(actions),
    }


def case_json(case: Case, request: HttpRequest) -> dict[str, Any]:
    """The case of contracts/cases-api.md §Cases, its assessment in the caller's language, and what the caller may do
    with it (`allowed_actions`, by `wrp.cases.workflow`)."""
    permit = case_permit(case)
    return _case_body(
        case, language=message_language(request), today=timezone.localdate(),
        unit=case.unit.credit_code, applicant=case.applicant.username if case.applicant_id else None,
        materials=_materials(case), events=_events(case),
        permit=permit.number if permit is not None else None,
        actions=allowed_actions(case, request.auth),  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class ListedPage:
    """What the JSON of every case of a list page shares, read once a page: the caller, the page's materials and
    events (`listed_rows`), the assessment's language, today and the time zone of the events' times."""

    user: Any
    rows: ListedRows
    language: str
    today: date
    zone: tzinfo


def listed_page(request: HttpRequest, user: Any, cases: list[Case]) -> ListedPage:
    return ListedPage(
        user=user, rows=listed_rows(cases), language=message_language(request), today=timezone.localdate(),
        zone=timezone.get_current_timezone(),
    )


def case_list_json(case: Case, page: ListedPage) -> dict[str, Any]:
    """`case_json` of a case read by `cases_for_api_list`, without a query of its own: materials from the stored rows
    (a draft's are those on file; its own GET assesses it afresh), events from the page's `listed_rows`; unit,
    applicant, permit and relation annotated."""
    unit, applicant = listed_parties(case)
    return _case_body(
        case, language=page.language, today=page.today, unit=unit, applicant=applicant,
        materials=listed_materials(case, page.rows),
        events=[_event_json(event, page.zone) for event in listed_events(case, page.rows)],
        permit=listed_permit_number(case),
        actions=allowed_actions(case, page.user, held=listed_relations(case, page.user)),
    )


def _material_json(case: Case, code: str) -> dict[str, Any]:
    return next(row for row in _materials(case) if row["code"] == code)


# --- cases ----------------------------------------------------------------------------------------------------------


def visible_case(user: Any, case_id: str) -> Case:
    """The case if the caller may see it, else 404 (a path that cannot name a case, too: PostgreSQL refuses NUL)."""
    if "\x00" in case_id:
        raise NotFound(NO_CASE, code="case_not_found")
    return case_for(user, case_id)


def _material_code(code: str) -> str:
    if "\x00" in code:
        raise NotFound(NO_MATERIAL, code="material_not_found")
    return code


@router.post(
    "/cases", response=_responses(201, CaseOut, 403, 422), exclude_unset=True, by_alias=True,
    summary="Open a case (draft)",
    description="A unit handler opens any kind for a unit they handle (a personal kind for an applicant actively "
    "associated with it); an applicant opens a personal kind for the unit they are actively associated with. An "
    "unknown unit or applicant, or one the caller may not use, is 422 naming `unit` or `applicant`.",
)
@decorate_view(idempotent)
def create_case(request: HttpRequest, payload: CaseIn) -> Status[dict[str, Any]]:
    user = actor(request)
    require_opener(user)  # before the references, so staff get 403 rather than 422
    unit = case_unit_for(user, payload.unit)
    applicant = case_applicant_for(user, payload.applicant) if payload.applicant else None
    fields, codes = {}, {}
    if unit is None:
        fields["unit"], codes["unit"] = UNKNOWN_UNIT, "unknown_unit"
    if payload.applicant and applicant is None:
        fields["applicant"], codes["applicant"] = UNKNOWN_APPLICANT, "unknown_applicant"
    if fields:
        raise Invalid(fields, codes=codes)
    case = case_open(
        actor=user, kind=payload.kind, unit=unit, applicant=applicant, subtype=payload.subtype, answers=payload.answers
    )
    return Status(201, case_json(case, request))


_FIRST_PAGES: dict[tuple[str, int], PreparedEach[Case]] = {}


def first_page_of(role: str, size: int) -> PreparedEach[Case]:
    """The statement of the list's first page of `size` cases when nothing narrows it (the page HR systems poll),
    for a caller of `role`: compiled once per process (wrp.core.prepared), the caller's id and their units' ids bound
    (a handler's; staff see every case), what `list_window` reads with `shown=cases_for_api_list`."""
    key = (role, size)
    if key not in _FIRST_PAGES:
        def build(handled: list[int], user: int) -> QuerySet[Case]:
            caller = get_user_model().stand_in(user, role)
            return first_page(cases_listed(caller, handled=handled), order=CASE_LIST_ORDER, size=size,
                              shown=lambda rows: cases_for_api_list(rows, caller))

        _FIRST_PAGES.setdefault(key, PreparedEach(build, unused=("user",), user=int))
    return _FIRST_PAGES[key]


@router.get(
    "/cases", response=_responses(200, CasePage, 403, 422), exclude_unset=True, by_alias=True,
    summary="The cases you may see",
    description="Own (applicant), their units' (handler), every case (clerk, approver); newest first, 20 a page "
    "(`limit` up to 100). `next` is the cursor of the next page: `?after=<next>` goes on from there at the same cost "
    "however deep (keyset pagination; `page` is then ignored; a cursor not made by this list is 422 naming `after`). "
    "`count` counts at most 10,000 cases (`count_capped` says when there are more). A draft's `materials` here are "
    "those on file; `GET /cases/{id}` lists its checklist from a fresh assessment.",
)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    user = actor(request)
    handled = handled_unit_ids(user)
    cases = cases_listed(
        user,
        state=filters.state.value if filters.state else None,
        kind=filters.kind.value if filters.kind else None,
        handled=handled,
    )
    unfiltered = not filters.state and not filters.kind
    window = list_window(
        cases, order=CASE_LIST_ORDER, page=filters.page, after=filters.after, size=filters.limit,
        shown=lambda rows: cases_for_api_list(rows, user),
        first=(lambda: first_page_of(user.role, filters.limit).rows(handled, user=user.pk)) if unfiltered else None,
    )
    page = listed_page(request, user, window.items)
    return {
        "items": [case_list_json(case, page) for case in window.items],
        "count": window.count,
        "page": filters.page,
        "page_size": filters.limit,
        "next": window.next,
        "count_capped": window.count_capped,
    }


@router.get(
    "/cases/{case_id}", response=_responses(200, CaseOut, 403, 404), exclude_unset=True, by_alias=True,
    summary="A case",
)
def get_case(request: HttpRequest, case_id: str) -> dict[str, Any]:
    return case_json(visible_case(actor(request), case_id), request)


# --- materials ------------------------------------------------------------------------------------------------------


@router.post(
    "/cases/{case_id}/materials/{code}",
    response={**_responses(201, UploadOut, 403, 404, 409, 422), 202: CheckingOut},
    summary="Upload (or replace) the PDF of one material",
    description="The case's applicant or its unit's handlers, while `draft`, `awaiting_unit` or `returned`. One "
    "multipart field `file`: a PDF of at most 20 MB and 200 pages, not encrypted (else 422 `file_refused`). The file "
    "is checked by the task queue's worker: the answer waits for its verdict up to UPLOAD_API_WAIT_SECONDS, else it "
    "is 202 `{\"code\", \"status\": \"checking\", \"check\"}` (ask `…/checks/{check}` later).",
)
def upload_material(
    request: HttpRequest, case_id: str, code: str, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    user = actor(request)
    case = visible_case(user, case_id)
    data = file.read(MAX_BYTES + 1)  # one byte past the limit is enough to refuse it as too large
    code = _material_code(code)
    check = material_upload_start(case=case, code=code, actor=user, data=data, original_name=file.name or "")
    return check_answer(check_wait(check), code, accepted_status=201)


@router.get(
    "/cases/{case_id}/materials/{code}/checks/{check_id}",
    response={**_responses(200, UploadOut, 403, 404, 409, 422), 202: CheckingOut, 410: CheckingOut},
    summary="The check of one upload",
    description="For those who may see the case: 202 while the file is being checked, then 200 with the material as "
    "the upload answers it, 410 `\"status\": \"replaced\"` once a later upload replaced it, or 422 `file_refused`.",
)
def upload_check(request: HttpRequest, case_id: str, code: str, check_id: int) -> Status[dict[str, Any]]:
    check = material_check_for(actor(request), case_id, _material_code(code), check_id)
    return check_answer(check, code, accepted_status=200)


@router.get(
    "/cases/{case_id}/materials/{code}/file",
    response={200: None, **refusals(403, 404)},
    summary="The stored PDF of one material",
    description="For those who may see the case; 404 for a material never uploaded.",
    openapi_extra={"responses": {200: {"description": "the PDF", "content": {"application/pdf": {}}}}},
)
def download_material(request: HttpRequest, case_id: str, code: str) -> HttpResponse:
    user = actor(request)
    if "\x00" in case_id:
        raise NotFound(NO_CASE, code="case_not_found")
    stored = material_file_for(user, case_id, _material_code(code))  # 404 for a case the caller may not see
    response = HttpResponse(open_file(stored), content_type="application/pdf")
    audit_note(actor=user, action="file.download", obj=stored, changes={"case": case_id, "code": code})
    response["Content-Disposition"] = f'attachment; filename="{case_id}-{code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@router.post(
    "/cases/{case_id}/materials/{code}/verdict",
    response=_responses(200, MaterialOut, 403, 404, 409, 422),
    summary="The window clerk's verdict on one uploaded material",
    description="window_clerk, case `in_review`; `reason` is required when not accepted; a material never uploaded "
    "is 409.",
)
def judge_material(request: HttpRequest, case_id: str, code: str, payload: VerdictIn) -> dict[str, Any]:
    user = actor(request)
    case = visible_case(user, case_id)
    material_verdict(
        case=case, code=_material_code(code), actor=user, accepted=payload.accepted, reason=payload.reason
    )
    return _material_json(case, code)
