"""Who may see which case (and its files). A view or endpoint never fetches a case by id without asking here."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.cases.kinds import kind_of
from wrp.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseSnapshot,
    CaseState,
    MaterialStatus,
    queue_sort_keys,
)
from wrp.cases.workflow import OPEN_STATES, Relation
from wrp.cases.workflow import is_case_applicant as is_case_applicant  # re-exported (cases/standing.py)
from wrp.cases.workflow import is_case_handler as is_case_handler  # re-exported (cases/standing.py)
from wrp.core.errors import NotFound
from wrp.core.prepared import Prepared, PreparedEach
from wrp.documents.models import StoredFile
from wrp.permits.models import Permit
from wrp.permits.selectors import permit_of, standing_permits
from wrp.policy.codes import Service
from wrp.units.documents import STANDING_CODES, unit_documents
from wrp.units.models import AssociationState, Unit, UnitHandler
from wrp.units.selectors import handled_unit_ids, normalised_code, units_handled_by


def cases_visible_to(user: Any, *, units_read_first: bool = False, handled: list[int] | None = None) -> QuerySet[Case]:
    """Own cases (applicant), their units' cases (handler), every case (clerk, approver); none for anyone else.

    `units_read_first` (lists): a handler's units are read first (one small query), so the database sees
    `unit_id = X` and pages a unit's cases through the index (unit, created_at, id) rather than sorting them all (and
    plans the query in a fifth of the time). `handled`: those units' ids, when the caller has read them already (a
    page that shows the units too) — `units_handled_by(user)`'s, never any others."""
    cases = Case.objects.select_related("unit", "applicant")
    if not getattr(user, "is_authenticated", False):
        return cases.none()
    if user.role == Role.APPLICANT:
        return cases.filter(applicant=user)
    if user.role == Role.UNIT_HANDLER:
        if handled is not None:
            return cases.filter(unit_id__in=handled)
        return cases.filter(unit__in=handled_unit_ids(user) if units_read_first else units_handled_by(user))
    if user.role in (Role.WINDOW_CLERK, Role.BUREAU_APPROVER):
        return cases
    return cases.none()


SEEN_BY = "_wrp_seen_by"  # on a Case instance `case_for` fetched: the user whose visibility it came through


class CaseLookup:
    """How `case_for` reads a case: with these annotations (a page's flags of what it has) and these rows joined
    (`select_related`). The statement is the same for every user of a role, so each role's is compiled once per
    process (wrp.core.prepared), at its first use: built from `cases_visible_to` for a stand-in of that role, the
    user's id (where the role's visibility names it) and the case's address bound at each call. A module constant
    (the case page's, `PLAIN`); a lookup made per request would compile every time."""

    def __init__(self, *, annotate: dict[str, Any] | None = None, related: tuple[str, ...] = ()) -> None:
        self.annotate, self.related = annotate or {}, related
        self._by_role: dict[str, Prepared[Case]] = {}

    def _prepared(self, role: str) -> Prepared[Case]:
        def build(user: int, public_id: str) -> QuerySet[Case]:
            cases = cases_visible_to(get_user_model().stand_in(user, role)).filter(public_id=public_id)
            return cases.annotate(**self.annotate).select_related(*self.related).order_by()[:1]

        # staff see every case: their statement has no user in it; a role that sees none has no statement at all
        return Prepared(build, unused=("user",), user=int, public_id=str)

    def __call__(self, user: Any, public_id: str) -> Case | None:
        """The case, or None when it is missing or the user may not see it."""
        if not getattr(user, "is_authenticated", False):
            return None  # cases_visible_to gives them none
        role = user.role
        prepared = self._by_role.get(role) or self._by_role.setdefault(role, self._prepared(role))
        return prepared.first(user=user.pk, public_id=public_id)


PLAIN = CaseLookup()


def case_for(user: Any, public_id: str, *, lookup: CaseLookup = PLAIN) -> Case:
    """The case if the user may see it; NotFound whether it is missing or someone else's. `lookup`: what is read
    with it (the case page's flags and joins), PLAIN by default."""
    case = lookup(user, public_id)
    if case is None:
        raise NotFound(_("未找到该案件，或您无权查看。"), code="case_not_found")
    setattr(case, SEEN_BY, getattr(user, "pk", None))  # this instance came through the user's visibility
    return case


def visible_to(user: Any, case: Case) -> bool:
    """Whether the user may see the case: known without a query for an instance `case_for` gave this user."""
    seen_by = getattr(case, SEEN_BY, None)
    if seen_by is not None and seen_by == getattr(user, "pk", None):
        return True
    return cases_visible_to(user).filter(pk=case.pk).exists()


def material_file_for(user: Any, public_id: str, code: str) -> StoredFile:
    """The stored PDF of a case's material, for those who may see the case."""
    case = case_for(user, public_id)
    material = CaseMaterial.objects.filter(case=case, code=code).select_related("file").first()
    if material is None or material.file is None:
        raise NotFound(_("未找到该材料。"), code="material_not_found")
    return material.file


def case_materials(case: Case, checklist: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
    """The checklist with each material's status: `missing` until uploaded (contract: cases-api.md §Cases)."""
    return materials_on_file(checklist, CaseMaterial.objects.filter(case=case).select_related("file"))


def materials_on_file(
    checklist: list[str] | tuple[str, ...], materials: Iterable[CaseMaterial] | Iterable[ListedMaterial], *,
    sha256: bool = True,
) -> list[dict[str, Any]]:
    """`case_materials` from rows already read (a list's prefetch); `sha256` needs the rows' `file` joined (without
    it the rows have no `sha256`)."""
    rows = {material.code: material for material in materials}
    out = []
    for code in dict.fromkeys([*checklist, *(c for c, m in rows.items() if m.file_id)]):
        row = rows.get(code)
        material = {
            "code": code,
            "required": code in checklist,
            "status": row.status if row else MaterialStatus.MISSING.value,
            "reason": row.reason if row else "",
        }
        if sha256:
            material["sha256"] = row.file.sha256 if row and row.file_id else None
        out.append(material)
    return out


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def case_changes(case: Case) -> dict[str, Any]:
    """What the latest submission changed against the one before (the clerk's diff on resubmission):
    {"version", "facts": {path: [old, new]}, "materials": {code: "replaced" | "added" | "removed"}}; empty before
    a resubmission (a case submitted once has one snapshot at most: nothing to read)."""
    if case.version < 2:
        return {"version": case.version, "facts": {}, "materials": {}}
    snapshots = list(CaseSnapshot.objects.filter(case=case).order_by("-version")[:2])
    if len(snapshots) < 2:
        return {"version": snapshots[0].version if snapshots else 0, "facts": {}, "materials": {}}
    new, old = snapshots
    old_facts, new_facts = _flatten({k: v for k, v in old.facts.items() if k != "as_of"}), _flatten(
        {k: v for k, v in new.facts.items() if k != "as_of"}
    )
    facts = {
        path: [old_facts.get(path), new_facts.get(path)]
        for path in sorted(set(old_facts) | set(new_facts))
        if old_facts.get(path) != new_facts.get(path)
    }
    materials: dict[str, str] = {}
    for code in sorted(set(old.materials) | set(new.materials)):
        before, after = old.materials.get(code), new.materials.get(code)
        if code not in old.materials:
            materials[code] = "added"
        elif code not in new.materials:
            materials[code] = "removed"
        elif before != after:
            materials[code] = "replaced"
    return {"version": new.version, "facts": facts, "materials": materials}


def cases_listed(user: Any, *, state: str | None = None, kind: str | None = None,
                 handled: list[int] | None = None) -> QuerySet[Case]:
    """The cases the user may see, newest first (the id breaks ties of cases opened in the same instant):
    CASE_LIST_ORDER, which the (created_at, id) indexes serve. `handled`: as `cases_visible_to` takes it."""
    cases = cases_visible_to(user, units_read_first=True, handled=handled)
    if state:
        cases = cases.filter(state=state)
    if kind:
        cases = cases.filter(kind=kind)
    return cases.order_by(*CASE_LIST_ORDER)


# --- lists ---------------------------------------------------------------------------------------------------------
# A list reads a page of cases in a fixed number of queries whatever its size: the rows without the wide JSON columns
# it never shows, their unit and applicant joined, and what each row shows of its materials and events in one query
# each. Deep pages go by keyset (wrp.core.keyset) in the order of an index (cases/models.py Meta.indexes):
# CASE_LIST_ORDER for the lists newest first, QUEUE_ORDER over `queue_ordered` for the window's queue.

CASE_LIST_ORDER: tuple[str, ...] = ("-created_at", "-id")  # indexes case_created, case_unit_created, case_applicant_created
QUEUE_ORDER: tuple[str, ...] = ("queue_paused", "queue_due", "queue_accepted", "id")  # `by_due_date`; case_queue_due

# What no list shows: the frozen facts and answers, reasons, the unit's tax history and qualifications, the
# applicant's encrypted ID number. (`assessment` too, but the API's list shows it: see `cases_for_api_list`.)
LIST_DEFERRED: tuple[str, ...] = (
    "answers", "frozen_facts", "review_reasons", "decision_reason", "acceptance_reason",
    "unit__annual_tax", "unit__qualifications", "applicant__id_number_encrypted",
)


def cases_slim(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with their unit and applicant joined and without the wide columns a list row never shows
    (LIST_DEFERRED and `assessment`); reading a deferred field later costs a query per row, so a page must not."""
    return cases.select_related("unit", "applicant").defer(*LIST_DEFERRED, "assessment")


def queue_ordered(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases annotated for a keyset page in QUEUE_ORDER (the order of `by_due_date`, which the partial index
    case_queue_due serves over the queue's states): `keyset_page(queue_ordered(clerk_queue(user)), order=QUEUE_ORDER,
    …)`. The annotations (cases/models.py `queue_sort_keys`): `queue_paused` the clock stopped (returned for
    correction), `queue_due` and `queue_accepted` the due and acceptance days (date.max when missing)."""
    return cases.annotate(**queue_sort_keys())


# Columns of a case the API's list never reads (besides LIST_DEFERRED): who created, decided, accepted, extended or
# claimed it, its version, quota year, overdue flag and last change. Each read column is converted and set on every
# row; a deferred one read later costs a query a row (tests/api/cases/test_list_cases.py counts them).
API_LIST_UNREAD: tuple[str, ...] = (
    "created_by", "version", "overdue", "quota_year", "decided_by", "accepted_by", "extended_by", "claimed_by",
    "claimed_at", "updated_at",
)


def cases_for_api_list(cases: QuerySet[Case], user: Any) -> QuerySet[Case]:
    """What the API's list shows of each case (contracts/cases-api.md §Cases): the cases (without LIST_DEFERRED and
    API_LIST_UNREAD) and, annotated, what the list shows of the related rows — the unit's credit code, the applicant's
    username, the number of the permit the case produced and of the applicant's current permit — and whether the
    caller handles the unit; no related model instance is built. The names are joined: apply this to the query of the page's rows alone, not
    to the one that counts or pages the list (`list_window(shown=…)`). With `listed_rows` of the page, four queries
    whatever its size. Read the rows with `listed_parties`, `listed_materials`, `listed_events`,
    `listed_permit_number` and `listed_relations`."""
    current_permit = standing_permits(OuterRef("applicant_id")).order_by("-issued_on", "-id").values("number")[:1]
    handles = (
        Exists(UnitHandler.objects.filter(unit_id=OuterRef("unit_id"), user_id=user.pk))
        if getattr(user, "role", None) == Role.UNIT_HANDLER else Value(False)
    )
    return (
        cases.select_related(None)
        .defer(*(name for name in LIST_DEFERRED if "__" not in name), *API_LIST_UNREAD)
        .annotate(
            listed_unit=F("unit__credit_code"), listed_applicant=F("applicant__username"),
            listed_own_permit=F("permit__number"),
            listed_applicant_permit=Subquery(current_permit),
            listed_caller_handles=handles,
        )
    )


def listed_parties(case: Case) -> tuple[str, str | None]:
    """The credit code of a listed case's unit and its applicant's username (None without one), as annotated."""
    return case.listed_unit, case.listed_applicant  # type: ignore[attr-defined]


class ListedMaterial(NamedTuple):
    """A listed case's material as the list shows it (`listed_rows`)."""

    case_id: int
    code: str
    status: str
    reason: str
    file_id: int | None


class ListedEvent(NamedTuple):
    """A listed case's event as the list shows it (`listed_rows`)."""

    case_id: int
    at: datetime
    action: str
    actor_role: str
    from_state: str
    to_state: str


@dataclass(frozen=True)
class ListedRows:
    """The materials and events of a page of listed cases, by case id, as plain rows (`ListedMaterial`,
    `ListedEvent`): a prefetch would build a model instance and a queryset for each."""

    materials: dict[int, list[ListedMaterial]]
    events: dict[int, list[ListedEvent]]


# The statements of `listed_rows`, one per number of cases on the page (their SQL compiled once: wrp.core.prepared)
LISTED_MATERIALS = PreparedEach(
    lambda ids: CaseMaterial.objects.filter(case_id__in=ids).order_by("id").values(*ListedMaterial._fields))
LISTED_EVENTS = PreparedEach(
    lambda ids: CaseEvent.objects.filter(case_id__in=ids).order_by("at", "id").values(*ListedEvent._fields))


def listed_rows(cases: list[Case]) -> ListedRows:
    """The materials (by id) and events (oldest first) of the listed cases, in one query each (none for no case)."""
    ids = [case.pk for case in cases]
    materials: dict[int, list[ListedMaterial]] = {pk: [] for pk in ids}
    events: dict[int, list[ListedEvent]] = {pk: [] for pk in ids}
    if ids:
        for material in LISTED_MATERIALS.rows(ids):
            materials[material["case_id"]].append(ListedMaterial(**material))
        for event in LISTED_EVENTS.rows(ids):
            events[event["case_id"]].append(ListedEvent(**event))
    return ListedRows(materials, events)


def listed_materials(case: Case, rows: ListedRows) -> list[dict[str, Any]]:
    """A listed case's materials from its stored rows: the frozen checklist once submitted; for a draft, the rows on
    file (the single case's page assesses the draft afresh; a list does not run the policy for every draft). Each is
    `{"code", "required", "status", "reason"}`."""
    stored = rows.materials[case.pk]
    checklist = list(case.assessment["zh"]["materials"]) if case.assessment else [row.code for row in stored]
    return materials_on_file(checklist, stored, sha256=False)


def listed_events(case: Case, rows: ListedRows) -> list[Any]:
    """A listed case's history, oldest first: rows with `at`, `action`, `actor_role`, `from_state`, `to_state`."""
    return rows.events[case.pk]


def listed_permit_number(case: Case) -> str | None:
    """`case_permit(case).number` of a listed case, from its joined permit or the annotated current permit."""
    if case.permit_id is not None:
        return getattr(case, "listed_own_permit", None)
    if case.applicant_id is None or not kind_of(case).on_permit:
        return None
    return getattr(case, "listed_applicant_permit", None)


def listed_relations(case: Case, user: Any) -> frozenset[Relation]:
    """`wrp.cases.workflow.relations` of a listed case, without a query per row (the handler's is annotated)."""
    held = {Relation.ROLE}
    if is_case_applicant(user, case):
        held.add(Relation.APPLICANT)
    if getattr(user, "role", None) == Role.UNIT_HANDLER and getattr(case, "listed_caller_handles", False):
        held.add(Relation.HANDLER)
    return frozenset(held)


def case_events(case: Case) -> QuerySet[CaseEvent]:
    """The case's history, oldest first."""
    return CaseEvent.objects.filter(case=case).order_by("at", "id")


def case_permit(case: Case) -> Permit | None:
    """The permit the case produced or concerns: its own once approved; before that, for a personal kind that acts
    on an existing permit (every kind but `initial`), the applicant's current permit."""
    if case.permit_id is not None:
        return case.permit
    if case.applicant_id is None or not kind_of(case).on_permit:
        return None
    return permit_of(case.applicant)


def case_unit_for(user: Any, credit_code: Any) -> Unit | None:
    """The unit a new case of the user may name: one they handle (handler), the one they are actively associated
    with (applicant); None for an unknown unit and for any other, which are never told apart."""
    if not isinstance(credit_code, str) or not credit_code.strip():
        return None
    units = Unit.objects.filter(credit_code=normalised_code(credit_code))
    role = getattr(user, "role", None)
    if role == Role.UNIT_HANDLER:
        return units.filter(pk__in=units_handled_by(user)).first()
    if role == Role.APPLICANT:
        return units.filter(associations__applicant_id=user.pk, associations__state=AssociationState.ACTIVE).first()
    return None


def case_applicant_for(user: Any, username: Any) -> Any | None:
    """The applicant a new case of the user may name: an applicant with an active association with one of the
    handler's units; the applicant themselves. None for an unknown user and for anyone else alike."""
    if not isinstance(username, str) or not username.strip():
        return None
    role = getattr(user, "role", None)
    if role == Role.APPLICANT:
        return user if username.strip() == user.username else None
    if role != Role.UNIT_HANDLER:
        return None
    return (
        get_user_model()
        .objects.filter(
            username=username.strip(), role=Role.APPLICANT, is_active=True,
            associations__unit__in=units_handled_by(user), associations__state=AssociationState.ACTIVE,
        )
        .distinct()
        .first()
    )


def cases_filtered(
    user: Any, *, kind: str | None = None, state: str | None = None, unit: str | None = None
) -> QuerySet[Case]:
    """The cases the user may see, narrowed by kind, state and unit (a part of its name or of its credit code)."""
    cases = cases_visible_to(user)
    if kind:
        cases = cases.filter(kind=kind)
    if state:
        cases = cases.filter(state=state)
    if unit and unit.strip():
        typed = unit.strip()
        cases = cases.filter(Q(unit__name__icontains=typed) | Q(unit__credit_code__icontains=normalised_code(typed)))
    return cases


def by_due_date(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Soonest due first; cases whose clock is paused (returned for correction: waiting on the unit, their due date
    suspended) after every running clock; cases without a clock last; the id keeps the order stable. QUEUE_ORDER on
    `queue_sort_keys`, which the partial indexes case_queue_due / case_queue_state_due serve over the queue's states."""
    return cases.alias(**queue_sort_keys()).order_by(*QUEUE_ORDER)


def clerk_queue(
    user: Any, *, kind: str | None = None, state: str | None = None, unit: str | None = None
) -> QuerySet[Case]:
    """The window's work queue: the open cases (submitted, in review, returned, pending approval) by due date."""
    cases = cases_filtered(user, kind=kind, state=state, unit=unit).filter(state__in=OPEN_STATES)
    return by_due_date(cases)


def _local_day(moment: Any) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def units_transferred_on(user: Any) -> dict[int, date]:
    """The day each unit the user sees last had its account transferred into the district (its approved
    unit_transfer case was decided)."""
    moved: dict[int, date] = {}
    for case in cases_visible_to(user).filter(kind=Service.UNIT_TRANSFER, state=CaseState.APPROVED):
        moved[case.unit_id] = max(moved.get(case.unit_id, date.min), _local_day(case.decided_at) or date.min)
    return moved


def standing_documents(unit: Unit, *, transferred_on: date | None) -> list[dict[str, Any]]:
    """The unit's standing documents (系统附件管理), each with the day it was last updated and whether it is stale: a
    unit transferred into the district must renew every standing document it has not updated since the transfer."""
    documents = unit_documents(unit)
    rows = []
    for code in STANDING_CODES:
        document = documents.get(code)
        updated_on = _local_day(getattr(document, "updated_at", None))
        stale = transferred_on is not None and (updated_on is None or updated_on < transferred_on)
        rows.append({"code": code, "document": document, "updated_on": updated_on, "stale": stale})
    return rows


# --- the public case tracker ------------------------------------------------------------------------------------------

TRACK_DUMMY = "\x00\x00\x00\x00"  # compared against when there is nothing to compare, so every answer costs the same


def _tracking_key(case: Case) -> str:
    """What proves a right to follow the case in public: the last four characters of the applicant's resident ID
    number (personal kinds; read from its stored mask, never decrypted) or of the unit's credit code (unit items)."""
    if kind_of(case).personal:
        masked = case.applicant.id_number_masked if case.applicant_id else ""
        return masked[-4:].upper() if len(masked) >= 4 and "*" not in masked[-4:] else ""
    return (case.unit.credit_code or "")[-4:].upper()


def case_tracked(public_id: Any, last4: Any) -> Case | None:
    """The case the public tracker may show for this pair (case number, last four characters); None alike for an
    unknown number, a wrong pair and a case not yet filed (a draft). The four characters are compared in constant
    time."""
    number = public_id.strip().upper() if isinstance(public_id, str) else ""
    given = last4.strip().upper() if isinstance(last4, str) else ""
    case = None
    if number and len(number) <= 20:
        case = (
            Case.objects.select_related("unit", "applicant").exclude(state=CaseState.DRAFT)
            .filter(public_id=number).first()
        )
    expected = _tracking_key(case) if case is not None else ""
    matches = hmac.compare_digest((given or TRACK_DUMMY).encode(), (expected or TRACK_DUMMY).encode())
    if case is None or not expected or len(given) != 4 or not matches:
        return None
    return case
