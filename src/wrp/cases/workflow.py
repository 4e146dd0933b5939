"""The case state machine as a table (DESIGN.md §The case state machine): who may do what, from which state, to which.

```
draft ─(applicant submits; personal items)→ awaiting_unit ─(unit submits + books appointment)→ submitted
awaiting_unit ─(unit sends it back to the employee, with a message)→ draft
draft ─(unit submits: unit items, or a unit-started personal case)────────────────────────────→ submitted
submitted ─(clerk picks up)→ in_review ─(return for correction)→ returned ─(unit resubmits)→ in_review
in_review ─(clerk approves: window-only items)→ approved
in_review ─(clerk forwards: initial, renewal)→ pending_approval ─(bureau approves)→ approved
in_review | pending_approval ─(reject, with reasons)→ rejected
submitted | in_review ─(不予受理, outside the district's remit)→ rejected
draft | awaiting_unit | submitted | returned ─(withdraw)→ withdrawn
```

Each row names an action, the states it starts from, the state it leads to (None: the case stays where it is — the
filers' `edit` of answers and uploads, the clerk's `judge` of a material), the role and the relation to the case it
needs, the kinds it is for, and whether the bureau's separation of duties applies (the clerk who reviewed or forwarded
a case never decides it at bureau level). Services check through `require`, pages draw buttons and the API lists
`allowed_actions` from the same rows, and the state sets below are derived from them.

A refusal keeps the order the API's statuses depend on: the caller's role and relation (Forbidden), then the kind
(Forbidden), then the state (InvalidState), then a row's guard — acceptance (受理) and extension (延期) are acts recorded
on the case, not states, so `accept`, `refuse_acceptance` and `return` need the case not yet accepted and `extend` a
first extension before the due date (InvalidState with its message) — then separation of duties (Forbidden).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.cases.kinds import BUREAU_KINDS, KINDS, PERSONAL_KINDS, WINDOW_KINDS, KindSpec
from wrp.cases.models import Acceptance, Case, CaseState
from wrp.core.errors import Forbidden, InvalidState
from wrp.core.language import policy_text
from wrp.permits.models import PermitStatus
from wrp.permits.selectors import permit_facts, permit_of
from wrp.policy.codes import Outcome, Service
from wrp.policy.items import ITEMS
from wrp.policy.models import Applicant as ApplicantFacts
from wrp.policy.models import Unit as UnitFacts
from wrp.policy.rules.base import RULES, Context, run
from wrp.policy_runtime import policy_calendar, policy_wages
from wrp.units.selectors import is_handler


class Relation(StrEnum):
    ROLE = "role"  # anyone in the role (the district's staff)
    APPLICANT = "applicant"  # the case's own applicant
    HANDLER = "handler"  # a handler of the case's unit


def is_case_handler(user: Any, case: Case) -> bool:
    return getattr(user, "role", None) == Role.UNIT_HANDLER and is_handler(user, case.unit)


def is_case_applicant(user: Any, case: Case) -> bool:
    return getattr(user, "role", None) == Role.APPLICANT and case.applicant_id == user.pk


def is_case_filer(user: Any, case: Case) -> bool:
    """The case's applicant or a handler of its unit: those who file, edit and withdraw it."""
    return is_case_handler(user, case) or is_case_applicant(user, case)


def relations(case: Case, user: Any) -> frozenset[Relation]:
    """How the user stands to the case (ROLE always: staff rows need the role only)."""
    held = {Relation.ROLE}
    if is_case_applicant(user, case):
        held.add(Relation.APPLICANT)
    if is_case_handler(user, case):
        held.add(Relation.HANDLER)
    return frozenset(held)


# --- acceptance (POLICY §11 L-ACCEPT) and extension (L-EXTEND): acts recorded on the case, not states --------------
# Pure on the case's fields and today's date, so that a deemed acceptance holds the moment the 5th working day is
# over, before the daily job records it.

Refusal = tuple[str, Promise]  # (code, message)
AWAITING_ACCEPTANCE = frozenset({CaseState.SUBMITTED, CaseState.IN_REVIEW})


def deemed_accepted(case: Case, today: date) -> bool:
    """Neither accepted nor returned (nor refused) by the end of the 5th working day after the materials arrived: the
    case counts as accepted from the day they arrived (行政许可法第三十二条)."""
    return (
        case.accepted_at is None and case.acceptance != Acceptance.NOT_ACCEPTED and case.acceptance_due is not None
        and case.state in AWAITING_ACCEPTANCE and today > case.acceptance_due
    )


def is_accepted(case: Case, today: date) -> bool:
    """Accepted by a recorded act (explicit, with the decision, deemed by the job) or deemed by the date."""
    return case.accepted_at is not None or deemed_accepted(case, today)


ALREADY_ACCEPTED: Refusal = ("already_accepted", _("本案已受理，不能重复受理或不予受理。"))
ACCEPTED_NO_RETURN: Refusal = (
    "accepted_no_return", _("本案已受理（含逾期视为受理），不能再退回补正；可以批准、上报或作出不予通过的决定。")
)
EXTENDED_ONCE: Refusal = ("already_extended", _("本案已延期一次，办理期限只能延长一次。"))
PAST_DUE: Refusal = ("past_due", _("办理期限已届满，不能再延期。"))
NO_CLOCK: Refusal = ("no_clock", _("本案尚未开始计时，不能延期。"))


def _not_accepted_yet(case: Case, today: date) -> Refusal | None:
    return ALREADY_ACCEPTED if is_accepted(case, today) else None


def _returnable(case: Case, today: date) -> Refusal | None:
    return ACCEPTED_NO_RETURN if is_accepted(case, today) else None


def _extendable(case: Case, today: date) -> Refusal | None:
    if case.extended_at is not None:
        return EXTENDED_ONCE
    if case.due_on is None or case.paused_on is not None:
        return NO_CLOCK
    return PAST_DUE if today > case.due_on else None


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None
    role: str
    relation: Relation = Relation.ROLE
    kinds: frozenset[str] | None = None  # the services this row is for; None: every kind
    off_kind: tuple[str, Promise] | None = None  # (code, message) refusing a kind the row is not for
    separate: bool = False  # separation of duties: not the case's reviewer or forwarder
    guard: Callable[[Case, date], Refusal | None] | None = None  # a condition beyond the state (acceptance, extension)

    def opens_to(self, user: Any, held: frozenset[Relation]) -> bool:
        return getattr(user, "role", None) == self.role and self.relation in held

    def fits_kind(self, case: Case) -> bool:
        return self.kinds is None or case.kind in self.kinds


S = CaseState
FILING = frozenset({S.DRAFT, S.AWAITING_UNIT, S.RETURNED})
BEFORE_DECISION = frozenset({S.DRAFT, S.AWAITING_UNIT, S.SUBMITTED, S.RETURNED})
BUREAU_ITEM = ("bureau_item", _("初次申请和续签由区人社局审批，窗口不能直接批准。"))
WINDOW_ITEM = ("window_item", _("只有初次申请和续签报区人社局审批；其他事项由窗口审批。"))

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", frozenset({S.DRAFT}), S.AWAITING_UNIT, Role.APPLICANT, Relation.APPLICANT, PERSONAL_KINDS),
    Transition("submit", frozenset({S.DRAFT, S.AWAITING_UNIT}), S.SUBMITTED, Role.UNIT_HANDLER, Relation.HANDLER),
    Transition("send_back", frozenset({S.AWAITING_UNIT}), S.DRAFT, Role.UNIT_HANDLER, Relation.HANDLER),
    Transition("edit", FILING, None, Role.APPLICANT, Relation.APPLICANT),
    Transition("edit", FILING, None, Role.UNIT_HANDLER, Relation.HANDLER),
    Transition("start_review", frozenset({S.SUBMITTED}), S.IN_REVIEW, Role.WINDOW_CLERK),
    Transition("judge", frozenset({S.IN_REVIEW}), None, Role.WINDOW_CLERK),
    Transition("accept", AWAITING_ACCEPTANCE, None, Role.WINDOW_CLERK, guard=_not_accepted_yet),
    Transition("refuse_acceptance", AWAITING_ACCEPTANCE, S.REJECTED, Role.WINDOW_CLERK, guard=_not_accepted_yet),
    Transition("return", frozenset({S.IN_REVIEW}), S.RETURNED, Role.WINDOW_CLERK, guard=_returnable),
    Transition("resubmit", frozenset({S.RETURNED}), S.IN_REVIEW, Role.UNIT_HANDLER, Relation.HANDLER),
    Transition("forward", frozenset({S.IN_REVIEW}), S.PENDING_APPROVAL, Role.WINDOW_CLERK, kinds=BUREAU_KINDS,
               off_kind=WINDOW_ITEM),
    Transition("approve", frozenset({S.IN_REVIEW}), S.APPROVED, Role.WINDOW_CLERK, kinds=WINDOW_KINDS,
               off_kind=BUREAU_ITEM),
    Transition("approve", frozenset({S.PENDING_APPROVAL}), S.APPROVED, Role.BUREAU_APPROVER, separate=True),
    Transition("reject", frozenset({S.IN_REVIEW}), S.REJECTED, Role.WINDOW_CLERK),
    Transition("reject", frozenset({S.PENDING_APPROVAL}), S.REJECTED, Role.BUREAU_APPROVER, separate=True),
    Transition("extend", frozenset({S.SUBMITTED, S.IN_REVIEW, S.PENDING_APPROVAL}), None, Role.BUREAU_APPROVER,
               guard=_extendable),
    Transition("withdraw", BEFORE_DECISION, S.WITHDRAWN, Role.APPLICANT, Relation.APPLICANT),
    Transition("withdraw", BEFORE_DECISION, S.WITHDRAWN, Role.UNIT_HANDLER, Relation.HANDLER),
)
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(row.action for row in TRANSITIONS))
_ROWS: dict[str, tuple[Transition, ...]] = {action: tuple(row for row in TRANSITIONS if row.action == action)
                                            for action in ACTIONS}
# The actions with a row for a role in a state, in the order of ACTIONS: all that `allowed_actions` asks `require` of
_OPEN: dict[tuple[str, str], tuple[str, ...]] = {
    (role, state): tuple(action for action in ACTIONS
                         if any(row.role == role and state in row.sources for row in _ROWS[action]))
    for role, state in {(row.role, state) for row in TRANSITIONS for state in row.sources}
}

# Who may take an action, by the roles of its rows: the refusal's code and message.
WHO: dict[frozenset[str], tuple[str, Promise]] = {
    frozenset({Role.APPLICANT, Role.UNIT_HANDLER}): ("filers_only", _("只有本案的申请人或单位经办人可以进行此操作。")),
    frozenset({Role.UNIT_HANDLER}): ("unit_handlers_only", _("只有本案单位的经办人可以进行此操作。")),
    frozenset({Role.WINDOW_CLERK}): ("clerks_only", _("只有窗口工作人员可以进行此操作。")),
    frozenset({Role.WINDOW_CLERK, Role.BUREAU_APPROVER}): (
        "reviewers_only", _("只有窗口工作人员或区人社局审批人员可以进行此操作。")
    ),
    frozenset({Role.BUREAU_APPROVER}): ("approvers_only", _("只有区人社局审批人员可以进行此操作。")),
}
SEPARATION = ("separation_of_duties", _("审核或上报本案的人员不能审批本案。"))


def rows(action: str) -> tuple[Transition, ...]:
    """The rows of one action; KeyError for a name that is not an action."""
    return _ROWS[action]


def require_actor(case: Case, user: Any, action: str, *, held: frozenset[Relation] | None = None
                  ) -> tuple[Transition, ...]:
    """The rows of `action` open to this user by role and relation to the case; Forbidden when none is."""
    held = relations(case, user) if held is None else held
    mine = tuple(row for row in rows(action) if row.opens_to(user, held))
    if not mine:
        code, message = WHO[frozenset(row.role for row in rows(action))]
        raise Forbidden(message, code=code)
    return mine


def require(case: Case, user: Any, action: str, *, held: frozenset[Relation] | None = None) -> Transition:
    """The row by which this user may take `action` on the case as it is now, else the refusal, in this order:
    Forbidden for the role or relation, Forbidden for the kind, InvalidState for the state, Forbidden for separation
    of duties. Services call it on the locked case (and `require_actor` first where they check the role before
    taking the lock or reading the input)."""
    mine = require_actor(case, user, action, held=held)
    for_kind = tuple(row for row in mine if row.fits_kind(case))
    if not for_kind:
        code, message = next((row.off_kind for row in mine if row.off_kind), WHO[frozenset({mine[0].role})])
        raise Forbidden(message, code=code)
    now = tuple(row for row in for_kind if case.state in row.sources)
    if not now:
        raise InvalidState(case.state)
    row = now[0]
    refusal = row.guard(case, timezone.localdate()) if row.guard is not None else None
    if refusal is not None:
        code, message = refusal
        raise InvalidState(case.state, message, code=code)
    if row.separate and user.pk in (case.reviewed_by_id, case.forwarded_by_id):
        code, message = SEPARATION
        raise Forbidden(message, code=code)
    return row


def allowed_actions(case: Case, user: Any, *, held: Any = None) -> frozenset[str]:
    """The actions this user may take on the case now, by the table (a service may still refuse the input given).
    `held`: the user's relations to the case when the caller already read them (a list's annotation)."""
    if held is None:
        held = relations(case, user)
    allowed = set()
    # `require` refuses an action none of whose rows is for this role in this state (by role, kind or state): only
    # the others are asked, without building the refusals (a list asks this of every row)
    for action in _OPEN.get((getattr(user, "role", None), case.state), ()):
        try:
            require(case, user, action, held=held)
        except (Forbidden, InvalidState):
            continue
        allowed.add(action)
    return frozenset(allowed)


def require_opener(user: Any, kind: str | None = None) -> None:
    """Who may open a case: unit handlers (every kind) and applicants (personal kinds); `kind` None: the role only."""
    role = getattr(user, "role", None)
    if role not in (Role.APPLICANT, Role.UNIT_HANDLER):
        raise Forbidden(_("只有申请人和单位经办人可以新建案件。"), code="filers_only")
    if role == Role.APPLICANT and kind is not None and kind not in PERSONAL_KINDS:
        raise Forbidden(_("申请人只能办理个人事项。"), code="personal_items_only")


# --- the items a new case may be for ---------------------------------------------------------------------------------
# A new case offers the personal items the person can file, judged by the policy's own rules on the one fact the
# system keeps itself and no declaration changes — the permit it issued: a rule on it that fails today fails at
# submission whatever else is done (the policy still decides there). The renewal window (P-RENEWAL-WINDOW) is left
# to the case's assessment, so that a unit may prepare a renewal before the window opens.

STANDING_RULES = frozenset({"A-NO-PERMIT", "P-VALID", "P-TRANSFERABLE"})
PERMIT_HERE = _("工作居住证已在本单位，无需办理聘用单位变更。")


@dataclass(frozen=True)
class Offer:
    """A personal item as the choice of a new case; `refusal` says why it cannot be filed now (None: it can)."""

    spec: KindSpec
    refusal: Promise | None = None


def items_offered(applicant: Any, unit: Any, *, today: date) -> list[Offer]:
    """Every personal item (info_change by subtype), in the registry's order, each with the reason it cannot be filed
    for this applicant with this unit today: the first standing rule of the item that fails (in both languages, as
    the policy words it), or, for employer_change, a valid permit already held with this unit."""
    permit = permit_of(applicant)
    holder = ApplicantFacts.model_validate({"permit": permit_facts(permit)})
    calendar, wages = policy_calendar(), policy_wages()
    offers = []
    for spec in KINDS.values():
        if not spec.personal:
            continue
        item = ITEMS[spec.service]
        context = Context(service=spec.service, as_of=today, unit=UnitFacts(), applicant=holder, subtype=spec.subtype,
                          calendar=calendar, wages=wages, time_limit=item.time_limit)
        failed = next((
            result for result in (
                run(RULES[rule_id], context) for rule_id, applies in item.rules
                if rule_id in STANDING_RULES and (applies is None or applies(context))
            ) if result.outcome == Outcome.FAIL
        ), None)
        refusal = policy_text(failed.zh, failed.en) if failed is not None else None
        if (refusal is None and spec.service == Service.EMPLOYER_CHANGE and permit is not None
                and permit.unit_id == getattr(unit, "pk", None) and permit.status == PermitStatus.VALID):
            refusal = PERMIT_HERE
        offers.append(Offer(spec, refusal))
    return offers


# --- the state sets, derived from the table -------------------------------------------------------------------------


def sources(action: str) -> frozenset[str]:
    """The states an action starts from."""
    return frozenset().union(*(row.sources for row in rows(action)))


def _targets(action: str | None = None) -> frozenset[str]:
    return frozenset(row.target for row in TRANSITIONS if row.target and action in (None, row.action))


def _reachable(start: str) -> frozenset[str]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for row in TRANSITIONS:
            if state in row.sources and row.target is not None and row.target not in seen:
                seen.add(row.target)
                todo.append(row.target)
    return frozenset(seen)


def _states(values: Iterable[str]) -> frozenset[CaseState]:
    return frozenset(CaseState(value) for value in values)


FINAL_STATES = _states(_targets() - frozenset().union(*(row.sources for row in TRANSITIONS)))
(_FILED,) = _targets("submit") - sources("submit")  # where the district's work starts: submitted
OPEN_STATES = _states(_reachable(_FILED) - FINAL_STATES)  # submitted, in review, returned, pending approval
RUNNING = _states(OPEN_STATES - _targets("return"))  # the clock runs (it stops while returned)
WITHDRAWABLE = _states(sources("withdraw"))
EDITABLE = _states(sources("edit"))  # answers and uploads by the filers
