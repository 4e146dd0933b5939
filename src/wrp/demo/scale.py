"""The scale data set (`wrp demo --scale N`): N more cases on top of the demo's, with the units, people and permits
they need, for the benchmarks of bench/ (issue 14) and for trying the lists at a district's full size.

The cases are spread over the past two years: those opened in the last `RECENT_DAYS` are in every state (drafts,
waiting at the window, in review, returned, at the bureau, and some already decided); older ones are decided. Every
kind comes in realistic proportions (`KIND_WEIGHTS`). Each case is a clone of the demo's case of its kind and state
(`wrp.demo.scale_cases`) with its own applicant (a new person with an encrypted resident ID number) at a unit of the
district: a share at the demo's two units (so `hr` and `hr2` see many), the rest at `units` new units, half of them
opened within the two years through a `unit_opening` or `unit_transfer` case of their own. Holders of the permits the
changes and renewals act on were issued theirs before; an approved initial application issues one; a renewal adds
three years, an employer change moves the permit to the new unit; a holder who left a unit has a suspended permit, one
whose permit passed its validity an expired one (as after tonight's sweep). Up to `permits` (default N) more holders
have permits and no case. The demo's applicant `applicant` gets a few decided applications of the past.

Invariants held as the services hold them: granted ≥ reserved + used on every quota ledger, reserved = the open
quota cases of the unit and year (their `quota_year` set), used = the approved ones; one open case per purpose; one
current permit per holder; one active association per applicant. Decisions and issued permits have their audit
events (chained like any other). Written in bulk (`wrp.demo.bulk`: COPY on PostgreSQL) in one transaction.
"""

from __future__ import annotations

import bisect
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, IntegerField
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from wrp.audit import services as audit_services
from wrp.audit.models import AuditEvent
from wrp.cases.kinds import kind_spec
from wrp.cases.models import Case, CaseState
from wrp.demo.bulk import insert, reserve_ids
from wrp.demo.dataset import UNIT_STATES, states_of
from wrp.demo.scale_cases import CaseWriter, templates
from wrp.demo.scale_world import Table, UnitPlan, World, local_day, moment
from wrp.permits.models import PermitStatus
from wrp.policy.periods import add_years
from wrp.quotas.models import QuotaLedger, QuotaRequest, QuotaRequestState
from wrp.units.models import AccountStatus, Unit

DAYS = 730  # the cases' created_at spread over the past two years
RECENT_DAYS = 45  # opened since: still being worked on (or just decided); before: decided
SETTLING_DAYS = 21  # opened since: most still open; between the two, most decided already
KIND_WEIGHTS = {
    ("initial", ""): 45, ("renewal", ""): 18, ("employer_change", ""): 10, ("children_change", ""): 7,
    ("info_change", "address"): 8, ("info_change", "name_or_hukou"): 4, ("info_change", "education"): 8,
}
RECENT_STATES = {
    CaseState.DRAFT: 12, CaseState.AWAITING_UNIT: 5, CaseState.SUBMITTED: 18, CaseState.IN_REVIEW: 22,
    CaseState.RETURNED: 10, CaseState.PENDING_APPROVAL: 10, CaseState.APPROVED: 13, CaseState.REJECTED: 4,
    CaseState.WITHDRAWN: 6,
}
DECIDED_STATES = {CaseState.APPROVED: 84, CaseState.REJECTED: 7, CaseState.WITHDRAWN: 9}
DEMO_UNIT_SHARES = (("hr", 0.04), ("hr2", 0.01))  # of the personal cases, at the demo's two units
CASES_PER_UNIT = 40
SUSPENDED_SHARE = 0.04  # of the valid permits: the holder left, the unit released them
OPEN = ("submitted", "in_review", "returned", "pending_approval")


def build(n: int, *, permits: int | None = None, audit: bool = True, today: date | None = None,
          seed: int = 14) -> dict[str, int]:
    """Add `n` cases (and `permits` permits in all, default n) to a database that has the demo; the rows made, by
    table. `audit=False` leaves out the audit events of the decisions and issued permits (and the time the trail's
    chainer takes over them)."""
    if n < 1:
        raise ValueError("the scale data set has at least one case")
    with transaction.atomic():
        made = _Build(n, permits=n if permits is None else permits, today=today or timezone.localdate(), seed=seed)
        return made.run(audit=audit)


class _Build:
    def __init__(self, n: int, *, permits: int, today: date, seed: int) -> None:
        self.n, self.permits_wanted, self.today, self.now = n, permits, today, timezone.now()
        self.rng = random.Random(seed * 1_000_003 + Case.objects.count())
        self.staff = _demo_users("clerk", "approver", "applicant", "hr", "hr2")
        self.templates = templates()
        users = get_user_model().objects.filter(username__regex=r"^s[ah][0-9]{7}$")
        last = users.annotate(serial=Cast(Substr("username", 3), IntegerField())).order_by("-serial").first()
        self.world = World(self.rng, today, serial=getattr(last, "serial", 0),
                           unit_serial=100_000 + Unit.objects.count())
        self.quota: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])  # reserved, used
        self.audit: list[dict[str, Any]] = []
        self.made_permits = 0

    def run(self, *, audit: bool) -> dict[str, int]:
        unit_count = max(4, self.n // CASES_PER_UNIT)
        new_units = min(unit_count // 2, self.n // 4)
        plans = sorted((self._personal_plan() for _ in range(self.n - new_units)), key=lambda plan: plan[3])
        tried = min(50, 3 + self.n // 2000, len(plans))
        for index in range(tried):  # the demo's applicant applied before, without success
            plans[index] = ("initial", "", self.rng.choice((CaseState.REJECTED, CaseState.WITHDRAWN)), plans[index][3])
        holders = sum(1 for kind, _s, state, _d in plans if kind != "initial" or state == CaseState.APPROVED)
        extra = max(0, self.permits_wanted - holders)
        self.world.reserve(users=unit_count + len(plans) + extra, units=unit_count, permits=holders + extra)
        self.cases = CaseWriter(self.rng, today=self.today, now=self.now, ids=reserve_ids(Case, self.n),
                                taken=set(Case.objects.values_list("public_id", flat=True)))
        self._units(unit_count, new_units)
        for index, plan in enumerate(plans):
            self._personal(*plan, demo_applicant=index < tried)
        for _ in range(extra):
            self._holder_without_case()
        counts = self.world.write()
        counts.update(self.cases.write())
        counts.update(self._quotas())
        counts["audit_events"] = _audit_append(self.audit) if audit else 0
        return {"cases": self.n, **counts}

    # --- units ---------------------------------------------------------------------------------------------------

    def _units(self, count: int, new: int) -> None:
        """Units open before the two years (no case), units opened within them by a case of their own, and the
        demo's two units; `self.open_units` by the day they opened, for the personal cases to choose from."""
        opened: list[tuple[date, UnitPlan]] = []
        for index in range(count):
            if index >= new:
                day = self.today - timedelta(days=DAYS + self.rng.randint(30, 2000))
                opened.append((day, self.world.unit(day, transferred=False, account_open=True)))
                continue
            day = self.today - timedelta(days=self.rng.randint(1, DAYS))
            transferred = self.rng.random() < 0.1
            unit = self.world.unit(day, transferred=transferred, account_open=False)
            kind = "unit_transfer" if transferred else "unit_opening"
            state = self._state(kind, "", day)
            row = self.cases.clone(self.templates[(kind, "", state)], opened=moment(day, self._minutes()),
                                   unit_id=unit.id, handler_id=unit.handler_id, applicant_id=None)
            self._audit_decision(row)
            if state == CaseState.APPROVED:
                self.world.units.rows[-1].update(account_status=AccountStatus.OPEN, account_district="chaoyang")
                unit.opened_on = local_day(row["decided_at"])
                opened.append((unit.opened_on, unit))
        opened.sort(key=lambda pair: (pair[0], pair[1].id))
        self.open_days = [day for day, _unit in opened]
        self.open_units = [unit for _day, unit in opened]
        self.demo_units = [(_demo_unit(self.staff[handler]), share) for handler, share in DEMO_UNIT_SHARES]

    def _unit_on(self, day: date) -> UnitPlan:
        draw = self.rng.random()
        for unit, share in self.demo_units:
            if draw < share:
                return unit
            draw -= share
        known = bisect.bisect_right(self.open_days, day)
        return self.open_units[self.rng.randrange(known)] if known else self.demo_units[0][0]

    # --- personal cases ------------------------------------------------------------------------------------------

    def _personal_plan(self) -> tuple[str, str, str, datetime]:
        kind, subtype = self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        day = self.today - timedelta(days=self.rng.randint(0, DAYS))
        opened = moment(day, self._minutes())
        if opened >= self.now:
            opened = self.now - timedelta(hours=self.rng.uniform(1, 8))
        return kind, subtype, self._state(kind, subtype, local_day(opened)), opened

    def _personal(self, kind: str, subtype: str, state: str, opened: datetime, *, demo_applicant: bool) -> None:
        day = local_day(opened)
        if demo_applicant and kind == "initial" and state in (CaseState.REJECTED, CaseState.WITHDRAWN):
            unit = self.demo_units[0][0]
            self._clone(kind, subtype, state, opened, unit, self.staff["applicant"])
            return
        unit = self._unit_on(day)
        if kind == "initial":
            self._initial(state, opened, unit)
            return
        if kind == "employer_change":
            self._employer_change(state, opened, unit)
            return
        if kind == "renewal":
            valid_until = day + timedelta(days=self.rng.randint(1, 59))  # inside the renewal window
            issued_on = add_years(valid_until, -3)
        else:
            issued_on = day - timedelta(days=self.rng.randint(60, 1000))
            valid_until = add_years(issued_on, 3)
        holder = self.world.applicant(moment(issued_on - timedelta(days=40), 10))
        self.world.associate(holder, unit.id, moment(issued_on - timedelta(days=30), 20))
        permit = self._permit(holder, unit, issued_on, valid_until)
        row = self._clone(kind, subtype, state, opened, unit, holder, permit_id=permit["id"])
        if kind == "renewal" and state == CaseState.APPROVED:
            old, permit["valid_until"] = permit["valid_until"], add_years(permit["valid_until"], 3)
            self.world.permit_event(permit, local_day(row["decided_at"]), "extended", PermitStatus.VALID,
                                    PermitStatus.VALID, row["decided_by_id"],
                                    note=f"{old.isoformat()} → {permit['valid_until'].isoformat()}")
        self.world.permit_settle(permit)

    def _initial(self, state: str, opened: datetime, unit: UnitPlan) -> None:
        applicant = self.world.applicant(opened - timedelta(days=12), children=[])
        self.world.associate(applicant, unit.id, opened - timedelta(days=10), left_on=None)
        row = self._clone("initial", "", state, opened, unit, applicant, quota=True)
        if state != CaseState.APPROVED:
            return
        issued_on = local_day(row["decided_at"])
        permit = self._permit(applicant, unit, issued_on, add_years(issued_on, 3), actor_id=row["decided_by_id"])
        row["permit_id"] = permit["id"]
        room = (self.today - issued_on).days
        if room > 40 and self.rng.random() < SUSPENDED_SHARE:  # left the unit since, released 20 days after
            left_on = issued_on + timedelta(days=self.rng.randint(10, room - 25))
            self.world.associations.rows[-1].update(state="released", left_on=left_on,
                                                    released_at=moment(left_on + timedelta(days=20), 60))
            self.world.permit_settle(permit, suspended_on=left_on + timedelta(days=20))
        else:
            self.world.permit_settle(permit)

    def _employer_change(self, state: str, opened: datetime, unit: UnitPlan) -> None:
        """A holder who left another unit (released, permit suspended) files with the new one."""
        day = local_day(opened)
        former = self._unit_on(day - timedelta(days=400))
        if former.id == unit.id:
            former = self.open_units[0] if self.open_units[0].id != unit.id else self.demo_units[0][0]
        issued_on = day - timedelta(days=self.rng.randint(180, 900))
        left_on = day - timedelta(days=self.rng.randint(25, 60))
        holder = self.world.applicant(moment(issued_on - timedelta(days=40), 10))
        self.world.associate(holder, former.id, moment(issued_on - timedelta(days=30), 20), left_on=left_on)
        self.world.associate(holder, unit.id, opened - timedelta(days=3))
        permit = self._permit(holder, former, issued_on, add_years(issued_on, 3))
        released = left_on + timedelta(days=20)
        permit.update(status=PermitStatus.SUSPENDED, suspended_on=released)
        self.world.permit_event(permit, released, "suspended", PermitStatus.VALID, PermitStatus.SUSPENDED, None)
        row = self._clone("employer_change", "", state, opened, unit, holder, permit_id=permit["id"], quota=True)
        if state == CaseState.APPROVED:
            permit.update(unit_id=unit.id, status=PermitStatus.VALID, suspended_on=None)
            self.world.permit_event(permit, local_day(row["decided_at"]), "transferred", PermitStatus.SUSPENDED,
                                    PermitStatus.VALID, row["decided_by_id"],
                                    note=f"{former.credit_code} → {unit.credit_code}")
        self.world.permit_settle(permit)

    def _holder_without_case(self) -> None:
        """A holder whose permit came before the platform or needed no case since: valid, suspended or expired."""
        issued_on = self.today - timedelta(days=self.rng.randint(0, 5 * 365))
        unit = self._unit_on(issued_on)
        holder = self.world.applicant(moment(issued_on - timedelta(days=40), 10), profile=False)
        valid_until = add_years(issued_on, 3)
        permit = self._permit(holder, unit, issued_on, valid_until, audit=False)
        if valid_until >= self.today and self.rng.random() < SUSPENDED_SHARE:
            left_on = self.today - timedelta(days=self.rng.randint(21, 55))
            self.world.associate(holder, unit.id, moment(issued_on - timedelta(days=30), 20), left_on=left_on)
            self.world.permit_settle(permit, suspended_on=left_on + timedelta(days=20))
            return
        self.world.associate(holder, unit.id, moment(issued_on - timedelta(days=30), 20))
        self.world.permit_settle(permit)

    # --- shared steps --------------------------------------------------------------------------------------------

    def _clone(self, kind: str, subtype: str, state: str, opened: datetime, unit: UnitPlan, applicant: int,
               *, permit_id: int | None = None, quota: bool = False) -> dict[str, Any]:
        row = self.cases.clone(self.templates[(kind, subtype, state)], opened=opened, unit_id=unit.id,
                               handler_id=unit.handler_id, applicant_id=applicant, permit_id=permit_id,
                               quota=quota and kind_spec(kind, subtype or None).needs_quota)
        if row["quota_year"] is not None:
            self.quota[(unit.id, row["quota_year"])][0] += 1
        elif quota and state == CaseState.APPROVED and row["accepted_on"] is not None:
            self.quota[(unit.id, row["accepted_on"].year)][1] += 1
        self._audit_decision(row)
        return row

    def _permit(self, holder: int, unit: UnitPlan, issued_on: date, valid_until: date, *,
                actor_id: int | None = None, audit: bool = True) -> dict[str, Any]:
        actor = actor_id or self.staff["approver"]
        permit = self.world.permit(holder_id=holder, unit_id=unit.id, issued_on=issued_on, valid_until=valid_until,
                                   actor_id=actor)
        if audit:
            self.audit.append(_event(moment(issued_on, 121), actor, "bureau_approver", "permit.issued",
                                     "permits.permit", permit["id"], {"status": [None, "valid"],
                                     "unit": unit.credit_code, "valid_until": valid_until.isoformat()}))
        return permit

    def _audit_decision(self, row: dict[str, Any]) -> None:
        if row["decided_at"] is None:
            return
        last = self.cases.events.rows[-1]
        self.audit.append(_event(row["decided_at"], last["actor_id"], last["actor_role"], f"case.{last['action']}",
                                 "cases.case", row["id"], {"state": [last["from_state"], last["to_state"]]}))

    def _state(self, kind: str, subtype: str, day: date) -> str:
        age = (self.today - day).days
        allowed = set(UNIT_STATES if kind.startswith("unit_") else states_of(kind))
        weights = {state: weight * (1 if age <= SETTLING_DAYS or state in DECIDED_STATES else 0.25)
                   for state, weight in (RECENT_STATES if age <= RECENT_DAYS else DECIDED_STATES).items()
                   if state in allowed and (kind, subtype, state) in self.templates}
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _minutes(self) -> float:
        return self.rng.uniform(0, 8.5 * 60)  # office hours, 09:00–17:30

    # --- quotas --------------------------------------------------------------------------------------------------

    def _quotas(self) -> dict[str, int]:
        """A granted request and a ledger per unit and year that covers what its cases reserved and used (with
        some room left); the demo's ledgers grow by as much."""
        requests = Table(QuotaRequest, with_id=False)
        ledgers = Table(QuotaLedger, with_id=False)
        existing = {(ledger.unit_id, ledger.year): ledger for ledger in QuotaLedger.objects.all()}
        handlers = {unit.id: unit.handler_id for unit in [*self.open_units, *(u for u, _s in self.demo_units)]}
        for (unit_id, year), (reserved, used) in sorted(self.quota.items()):
            granted = reserved + used + max(2, (reserved + used) // 5)
            asked = moment(max(date(year, 1, 5), self.today - timedelta(days=DAYS + 30)), 30)
            requests.add(unit_id=unit_id, year=year, requested=granted + 5, reason="年度引进人才计划（演示数据）",
                         state=QuotaRequestState.GRANTED, granted=granted, requested_by_id=handlers[unit_id],
                         requested_at=asked, decided_by_id=self.staff["approver"], decided_at=asked + timedelta(days=7))
            if (unit_id, year) in existing:
                QuotaLedger.objects.filter(pk=existing[(unit_id, year)].pk).update(
                    granted=F("granted") + granted, reserved=F("reserved") + reserved, used=F("used") + used)
            else:
                ledgers.add(unit_id=unit_id, year=year, granted=granted, reserved=reserved, used=used)
        return {"quota_requests": requests.write(), "quota_ledgers": ledgers.write()}


def _demo_users(*usernames: str) -> dict[str, int]:
    found = dict(get_user_model().objects.filter(username__in=usernames).values_list("username", "pk"))
    missing = sorted(set(usernames) - set(found))
    if missing:
        from django.core.management.base import CommandError

        raise CommandError(f"the scale data set goes on top of the demo's (missing: {', '.join(missing)}): "
                           "run `wrp demo` first")
    return found


def _demo_unit(handler_id: int) -> UnitPlan:
    unit = Unit.objects.filter(unithandler__user_id=handler_id).order_by("id").first()
    assert unit is not None, "every demo handler has a unit"
    return UnitPlan(unit.pk, handler_id, unit.created_at.date(), unit.credit_code)


def _event(at: datetime, actor: int | None, role: str, action: str, object_type: str, object_id: int,
           changes: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "actor_id": actor, "actor_role": role or ("system" if actor is None else ""), "action": action,
            "object_type": object_type, "object_id": str(object_id), "outcome": "ok", "request_id": "",
            "changes": changes, "scheme": AuditEvent.KEYED}


def _audit_append(events: list[dict[str, Any]]) -> int:
    """Append the events to the audit trail in the order of their moments, chained as every other event is: by the
    trail's chainer when it has one (content columns only), else under the head row's lock here."""
    events.sort(key=lambda event: event["at"])
    content = getattr(audit_services, "AUDIT_CONTENT_COLUMNS", None)
    chain: Callable[..., int] | None = getattr(audit_services, "audit_chain", None)
    if content is not None and chain is not None:
        written = insert(AuditEvent, list(content), (tuple(event[name] for name in content) for event in events))
        chain()
        return written
    return _audit_chain_here(events)


def _audit_chain_here(events: list[dict[str, Any]]) -> int:
    """The trail with a head row (`AuditHead`): link and key each event as `audit_record` does, in one insert."""
    from wrp.audit.keys import CHAIN, subkey
    from wrp.audit.models import AuditHead

    head, _created = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": audit_services.GENESIS, "count": 0})
    key, previous = subkey(CHAIN), head.last_hash
    rows = []
    for values in events:
        event = AuditEvent(**values)
        event.prev_hash = previous
        event.hash = previous = audit_services._digest(previous, audit_services._content(event), key)
        rows.append(event)
    names = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "id"]
    written = insert(AuditEvent, names, ([getattr(event, name) for name in names] for event in rows))
    AuditHead.objects.filter(id=1).update(last_hash=previous, count=F("count") + written)
    return written


def summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in Counter(counts).items())
