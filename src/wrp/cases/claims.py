"""Claims in the window's queue (认领 / 分配, issue 15 §3): a window clerk takes an open case to work on it, or gives
it to a colleague, so that no two clerks hold one case.

A case is held by at most one clerk (`Case.claimed_by`, since `claimed_at`). A clerk claims a case nobody holds (or
claims again one they hold: nothing changes); a case someone else holds is taken over only by assigning it, which any
window clerk may do — to a colleague or to themselves — and which records the previous holder. The holder releases
it. Each service locks the case row (two clerks claiming at once: the second sees the first's claim and is refused),
runs in one transaction and writes an audit event; bulk assignment locks its cases in id order. Holding a case
blocks no review action: the case page only warns a clerk who works on a case another holds. Claims end with the
queue: only open cases (`OPEN_STATES`) can be claimed or assigned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.models import Case
from wrp.cases.workflow import OPEN_STATES
from wrp.core.errors import Forbidden, Invalid, InvalidState

HELD_BY_OTHER = _("该案件已由其他工作人员认领；如需接手，请使用“分配给”。")
NOT_OPEN = _("该案件不在待审队列中，不能认领或分配。")
BULK_LIMIT = 200  # cases one bulk assignment takes


def _require_clerk(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.WINDOW_CLERK or not getattr(actor, "is_active", False):
        raise Forbidden(code="clerk_only")


def clerks() -> QuerySet[Any]:
    """The active window clerks a case can be assigned to, by name."""
    return get_user_model().objects.filter(role=Role.WINDOW_CLERK, is_active=True).order_by("real_name", "username")


def _clerk_to(to: Any) -> Any:
    if to is None or getattr(to, "role", None) != Role.WINDOW_CLERK or not getattr(to, "is_active", False):
        raise Invalid({"to": _("请选择一位在岗的窗口工作人员。")}, codes={"to": "not_a_clerk"})
    return to


def _locked_open(case: Case) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .only("id", "public_id", "state", "claimed_by", "claimed_at")
        .get(pk=case.pk)
    )
    if case.state not in OPEN_STATES:
        raise InvalidState(case.state, NOT_OPEN, code="not_in_queue")
    return case


def _hold(case: Case, *, actor: Any, to: Any, action: str) -> Case:
    before = case.claimed_by_id
    case.claimed_by, case.claimed_at = to, (timezone.now() if to is not None else None)
    case.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    audit_record(
        actor=actor, action=action, obj=case, changes={"claimed_by": [before, to.pk if to is not None else None]}
    )
    return case


def case_claim(*, case: Case, actor: Any) -> Case:
    """Take an open case nobody holds; a case the actor holds already stays as it is (no event); refused when
    another clerk holds it (they or a colleague may assign it)."""
    _require_clerk(actor)
    with audited_atomic():
        case = _locked_open(case)
        if case.claimed_by_id == actor.pk:
            return case
        if case.claimed_by_id is not None:
            raise InvalidState(case.state, HELD_BY_OTHER, code="claimed_by_other")
        return _hold(case, actor=actor, to=actor, action="case.claim")


def case_assign(*, case: Case, actor: Any, to: Any) -> Case:
    """Give an open case to a window clerk (a colleague, or the actor taking it over), whoever held it; the audit
    event names the previous holder."""
    _require_clerk(actor)
    _clerk_to(to)
    with audited_atomic():
        case = _locked_open(case)
        if case.claimed_by_id == to.pk:
            return case
        return _hold(case, actor=actor, to=to, action="case.assign")


def case_release(*, case: Case, actor: Any) -> Case:
    """Give back a case the actor holds (a case nobody holds stays as it is); refused for a case another holds."""
    _require_clerk(actor)
    with audited_atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .only("id", "public_id", "state", "claimed_by", "claimed_at")
            .get(pk=case.pk)
        )
        if case.claimed_by_id is None:
            return case
        if case.claimed_by_id != actor.pk:
            raise InvalidState(case.state, HELD_BY_OTHER, code="claimed_by_other")
        return _hold(case, actor=actor, to=None, action="case.release")


def cases_bulk_assign(*, public_ids: Iterable[str], actor: Any, to: Any) -> list[Case]:
    """Assign many open cases to one clerk in one transaction: the cases are locked together in id order (two bulk
    assignments never deadlock), those no longer open are skipped; one audit event per case that changes hands.
    Returns the open cases now held by `to`."""
    _require_clerk(actor)
    _clerk_to(to)
    wanted = list(dict.fromkeys(str(public_id) for public_id in public_ids))
    if not wanted:
        raise Invalid({"cases": _("请先勾选要分配的案件。")}, codes={"cases": "none_chosen"})
    if len(wanted) > BULK_LIMIT:
        raise Invalid({"cases": _("一次最多分配 200 件案件。")}, codes={"cases": "too_many"})
    assigned = []
    with audited_atomic():
        rows = (
            Case.objects.select_for_update(of=("self",))
            .filter(public_id__in=wanted, state__in=OPEN_STATES)
            .only("id", "public_id", "state", "claimed_by", "claimed_at")
            .order_by("pk")
        )
        for case in rows:
            assigned.append(
                case if case.claimed_by_id == to.pk else _hold(case, actor=actor, to=to, action="case.assign")
            )
    return assigned


def held_by_other(case: Case, user: Any) -> bool:
    """Whether another clerk holds the case (the case page's warning)."""
    return case.claimed_by_id is not None and case.claimed_by_id != getattr(user, "pk", None)


HELD_CHOICES = ("mine", "free", "all")


def by_holder(cases: QuerySet[Case], user: Any, held: str) -> QuerySet[Case]:
    """The queue narrowed by who holds each case: `mine` the user's, `free` nobody's, anything else every case."""
    if held == "mine":
        return cases.filter(claimed_by_id=user.pk)
    if held == "free":
        return cases.filter(claimed_by__isnull=True)
    return cases
