"""Quota of new permits (新办指标, POLICY §9): requests, grants and the ledger's reserve, consume and release.

A unit declares its need for a year (指标申报); the bureau grants a number, added to the unit-year ledger. A submitted
`initial` or `employer_change` reserves one unit, approval consumes it, rejection or withdrawal releases it. The
ledger keeps granted ≥ reserved + used by a database constraint. Reserve, consume and release are each one conditional
`UPDATE … RETURNING` (PostgreSQL, SQLite ≥ 3.35): the condition and the row lock the UPDATE takes until commit make
them safe under any race without a prior SELECT … FOR UPDATE; no row changed means nothing was left, which becomes
InvalidState("exhausted") (or "not_reserved"), never a server error — as does a change the constraint refuses.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from wrp.accounts.models import Role
from wrp.audit.services import (
    audit_batch_open,
    audit_chain_on_commit,
    audit_insert_params,
    audit_insert_select,
    audit_record,
)
from wrp.core.errors import Forbidden, Invalid, InvalidState, Message, NotFound
from wrp.quotas.models import QuotaLedger, QuotaRequest, QuotaRequestState
from wrp.units.models import Unit
from wrp.units.selectors import can_see_unit
from wrp.units.services import require_handler

EXHAUSTED = "exhausted"


def _exhausted() -> InvalidState:
    return InvalidState(EXHAUSTED, _("本年度指标已用完"), code="quota_exhausted")


def _require_atomic(name: str) -> None:
    # An assertion that survives `python -O`: without the caller's transaction the lock would end at once.
    if not transaction.get_connection().in_atomic_block:
        raise AssertionError(f"{name} must be called inside transaction.atomic()")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def quota_request_create(*, unit: Unit, actor: Any, year: int, requested: int, reason: str) -> QuotaRequest:
    """指标申报: a handler of the unit asks for `requested` permits for this year or next, with a reason."""
    require_handler(actor, unit)
    this_year = timezone.localdate().year
    errors: dict[str, Message] = {}
    if not _is_count(year) or year not in (this_year, this_year + 1):
        errors["year"] = format_lazy(_("只能申报{this_year}或{next_year}年度"), this_year=this_year, next_year=this_year + 1)
    if not _is_count(requested) or requested < 1:
        errors["requested"] = _("申报数量至少为1")
    elif requested > 1_000_000:
        errors["requested"] = _("申报数量过大")
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        errors["reason"] = _("请填写申报理由")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        request = QuotaRequest.objects.create(
            unit=unit, year=year, requested=requested, reason=text, state=QuotaRequestState.PENDING,
            requested_by=actor, requested_at=timezone.now(),
        )
        audit_record(actor=actor, action="quota.request", obj=request,
                     changes={"unit": unit.credit_code, "year": year, "requested": requested})
    return request


def quota_grant(*, request: QuotaRequest, actor: Any, granted: int) -> QuotaRequest:
    """下发指标: the bureau grants a number (0 or more) for a pending request; it is added to the unit-year ledger."""
    if getattr(actor, "role", None) != Role.BUREAU_APPROVER or not getattr(actor, "is_authenticated", False):
        if can_see_unit(actor, request.unit):
            raise Forbidden(_("只有区人社局可以下发指标。"), code="bureau_only")
        raise NotFound(code="quota_request_not_found")
    if not _is_count(granted) or granted < 0:
        raise Invalid({"granted": _("下发数量应为不小于0的整数")}, codes={"granted": "not_a_count"})
    if granted > 1_000_000:
        raise Invalid({"granted": _("下发数量过大")}, codes={"granted": "too_large"})
    with transaction.atomic():
        request = QuotaRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.pk)
        if request.state != QuotaRequestState.PENDING:
            raise InvalidState(request.state)
        ledger = quota_lock(unit=request.unit, year=request.year)
        QuotaLedger.objects.filter(pk=ledger.pk).update(granted=F("granted") + granted)
        request.state = QuotaRequestState.GRANTED
        request.granted = granted
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "granted", "decided_by", "decided_at"])
        audit_record(
            actor=actor, action="quota.grant", obj=request,
            changes={"state": [QuotaRequestState.PENDING, QuotaRequestState.GRANTED], "granted": granted,
                     "ledger_granted": [ledger.granted, ledger.granted + granted]},
        )
    return request


def quota_lock(*, unit: Unit, year: int) -> QuotaLedger:
    """The unit-year ledger, created if missing, locked until the caller's transaction ends.

    Must be called inside the caller's `transaction.atomic()`: the lock is what makes "assess, then reserve" safe.
    """
    _require_atomic("quota_lock")
    ledger, _created = QuotaLedger.objects.get_or_create(unit_id=unit.pk, year=year)
    return QuotaLedger.objects.select_for_update().get(pk=ledger.pk)


_TABLE = QuotaLedger._meta.db_table
_RETURNING = "RETURNING id, granted, reserved, used"
_LEDGER_TYPE = QuotaLedger._meta.label_lower  # "quotas.quotaledger", as audit_record(obj=ledger) names it

# What each change records: {field: [before, after]}, from the row as the UPDATE left it — in SQL for the single
# statement on PostgreSQL, in Python elsewhere.
_CHANGES_SQL = {
    "quota.reserve": "jsonb_build_object('reserved', jsonb_build_array(changed.reserved - 1, changed.reserved))",
    "quota.consume": "jsonb_build_object('reserved', jsonb_build_array(changed.reserved + 1, changed.reserved), "
                     "'used', jsonb_build_array(changed.used - 1, changed.used))",
    "quota.release": "jsonb_build_object('reserved', jsonb_build_array(changed.reserved + 1, changed.reserved))",
}


def _changes(action: str, ledger: QuotaLedger) -> dict[str, list[int]]:
    if action == "quota.reserve":
        return {"reserved": [ledger.reserved - 1, ledger.reserved]}
    if action == "quota.consume":
        return {"reserved": [ledger.reserved + 1, ledger.reserved], "used": [ledger.used - 1, ledger.used]}
    return {"reserved": [ledger.reserved + 1, ledger.reserved]}


def _ledger_change(unit_id: int, year: int, action: str, assignments: str, condition: str, actor: Any
                   ) -> QuotaLedger | None:
    """One conditional UPDATE of the unit-year row and its audit event: the ledger as it is afterwards, or None when
    no row met the condition (no ledger, or nothing left to take) — nothing changed, nothing audited. Its row lock
    lasts until the caller's transaction ends.

    On PostgreSQL the change and its event are one statement (a data-modifying CTE): outside a transaction it is its
    own, so a reservation is a single round trip to the database. Elsewhere, and inside an audited block (whose events
    go in together at its end, in order), the UPDATE … RETURNING, then `audit_record`, in one transaction."""
    update = f"UPDATE {_TABLE} SET {assignments} WHERE unit_id = %(unit)s AND year = %(year)s AND {condition}"
    try:
        if connection.vendor == "postgresql" and not audit_batch_open():
            row = _fetch_one(
                f"WITH changed AS ({update} {_RETURNING}), "
                f"audited AS ({audit_insert_select(changes_sql=_CHANGES_SQL[action])}) "
                "SELECT id, granted, reserved, used FROM changed",
                {**audit_insert_params(action=action, object_type=_LEDGER_TYPE, actor=actor), "unit": unit_id,
                 "year": year},
            )
            if row is not None:
                audit_chain_on_commit(1)
            return _ledger(unit_id, year, row)
        with transaction.atomic(savepoint=False):
            ledger = _ledger(unit_id, year, _fetch_one(f"{update} {_RETURNING}", {"unit": unit_id, "year": year}))
            if ledger is not None:
                audit_record(actor=actor, action=action, obj=ledger, changes=_changes(action, ledger))
            return ledger
    except IntegrityError:  # the constraint is the last guard; the condition should have stopped it first
        raise _exhausted() from None


def _fetch_one(sql: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _ledger(unit_id: int, year: int, row: tuple[Any, ...] | None) -> QuotaLedger | None:
    if row is None:
        return None
    pk, granted, reserved, used = row
    return QuotaLedger(pk=pk, unit_id=unit_id, year=year, granted=granted, reserved=reserved, used=used)


def quota_reserve_if_left(*, unit: Unit, year: int, actor: Any = None) -> QuotaLedger | None:
    """Reserve one unit of the unit-year quota if one is left, in one statement: the ledger after the reservation
    (its `remaining + 1` is what was left before), or None when none was left — nothing changed, nothing audited.

    In the caller's transaction when there is one (the reserved row stays locked until it ends, and a later refusal
    rolls the reservation back), else in its own.
    """
    return _reserve(unit.pk, year, actor)


def _reserve(unit_id: int, year: int, actor: Any) -> QuotaLedger | None:
    return _ledger_change(unit_id, year, "quota.reserve", "reserved = reserved + 1", "granted - reserved - used >= 1",
                          actor)


def quota_exhausted() -> InvalidState:
    """The refusal of a reservation when nothing is left (code `quota_exhausted`)."""
    return _exhausted()


def quota_reserve(*, ledger: QuotaLedger, actor: Any = None) -> None:
    """Reserve one unit on a ledger obtained from `quota_lock` (a submitted initial or employer_change); `ledger` is
    brought up to date. Refused as exhausted when none is left, whatever the (possibly stale) object says."""
    _require_atomic("quota_reserve")
    taken = _reserve(ledger.unit_id, ledger.year, actor)
    if taken is None:
        raise _exhausted()
    ledger.granted, ledger.reserved, ledger.used = taken.granted, taken.reserved, taken.used


def quota_consume(*, unit: Unit, year: int, actor: Any = None) -> None:
    """Turn one reserved unit into a used one (the case was approved). `year` is the year it was reserved in."""
    ledger = _ledger_change(unit.pk, year, "quota.consume", "reserved = reserved - 1, used = used + 1", "reserved >= 1",
                            actor)
    if ledger is None:  # nothing changed: refused without spoiling the caller's transaction
        raise InvalidState("not_reserved", _("没有占用中的指标"), code="quota_not_reserved")


def quota_release(*, unit: Unit, year: int, actor: Any = None) -> None:
    """Give a reserved unit back (the case was rejected or withdrawn); never below zero."""
    _ledger_change(unit.pk, year, "quota.release", "reserved = reserved - 1", "reserved >= 1", actor)
