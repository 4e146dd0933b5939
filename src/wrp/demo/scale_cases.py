"""The cases of the scale data set (`wrp.demo.scale`), cloned from the demo's own: for each kind and state, a case the
demo took there through the services is the template — its answers, frozen facts and assessment, review reasons,
material rows (pointing at the same stored files), correction notice and the sequence of its events — and each clone
gets its own people, unit and dates: its events spread after its opening, its clock started on the day the unit
submitted it (`wrp.policy.workdays`), paused when it was returned, overdue when a running clock passed its due date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.management.base import CommandError
from django.db.models import JSONField

from wrp.cases.clock import ACCEPTANCE_WORKING_DAYS
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CorrectionNotice
from wrp.cases.services import PUBLIC_ID_ALPHABET
from wrp.cases.workflow import RUNNING
from wrp.demo.bulk import Dumped
from wrp.demo.scale_world import Table, local_day
from wrp.policy.workdays import clock_pause, clock_start
from wrp.policy_runtime import policy_calendar

SUBMITTING = ("submit", "resubmit")  # the unit's (re)submission: the materials arrive at the window
ACCEPTING = ("accept", "forward", "approve", "reject")
# who takes a template's step in the clone: the clone's own applicant and handler; staff stay the demo's staff
PERSONAL_ROLES = ("applicant", "unit_handler")


@dataclass(frozen=True)
class Template:
    row: dict[str, Any]  # the case's columns by attname
    applicant_id: int | None
    events: tuple[tuple[str, int | None, str, str, str, Dumped], ...]  # action, actor, role, from, to, detail
    materials: tuple[tuple[str, bool, str, str, int | None, bool], ...]  # code, required, status, reason, file, by_applicant
    notice: tuple[int, list[Any]] | None  # issued_by, problems


def templates() -> dict[tuple[str, str, str], Template]:
    """The demo's first case of each kind, subtype and state (the demo's cases come before any scale case)."""
    chosen: dict[tuple[str, str, str], Case] = {}
    for case in Case.objects.order_by("id").iterator():
        chosen.setdefault((case.kind, case.subtype, case.state), case)
    if not chosen:
        raise CommandError("the scale data set clones the demo's cases: run `wrp demo` first")
    return {key: _template(case) for key, case in chosen.items()}


def _template(case: Case) -> Template:
    events = tuple(
        (e.action, e.actor_id, e.actor_role, e.from_state, e.to_state, Dumped.of(e.detail))
        for e in CaseEvent.objects.filter(case=case).order_by("at", "id")
    )
    materials = tuple(
        (m.code, m.required, m.status, m.reason, m.file_id,
         m.uploaded_by_id is not None and m.uploaded_by_id == case.applicant_id)
        for m in CaseMaterial.objects.filter(case=case).order_by("id")
    )
    notice = CorrectionNotice.objects.filter(case=case).order_by("issued_at", "id").first()
    row = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    for f in Case._meta.concrete_fields:  # serialised once for all the clones
        if isinstance(f, JSONField):
            row[f.attname] = Dumped.of(row[f.attname])
    return Template(row, case.applicant_id, events, materials,
                    (notice.issued_by_id, notice.problems) if notice else None)


@lru_cache(maxsize=65536)
def deadline(start: date, days: int) -> tuple[date, bool]:
    due = policy_calendar().deadline(start, days)
    return due.date, due.provisional


class CaseWriter:
    """Clones planned cases into rows of cases, events, materials and notices."""

    def __init__(self, rng: random.Random, *, today: date, now: datetime, ids: list[int], taken: set[str]) -> None:
        self.rng, self.today, self.now = rng, today, now
        self.ids = ids[::-1]
        self.public_ids = taken
        self.cases = Table(Case)
        self.events = Table(CaseEvent, with_id=False)
        self.materials = Table(CaseMaterial, with_id=False)
        self.notices = Table(CorrectionNotice, with_id=False)

    def clone(self, template: Template, *, opened: datetime, unit_id: int, handler_id: int,
              applicant_id: int | None, permit_id: int | None = None, quota: bool = False) -> dict[str, Any]:
        """One case like `template`, opened at `opened`; returns its row (`decided_at`, `received_at` and
        `quota_year` filled in as the history has them)."""
        case_id = self.ids.pop()
        times = self._times(len(template.events), opened)
        actors = {"applicant": applicant_id, "unit_handler": handler_id}
        row = dict(template.row)
        row.update(
            id=case_id, public_id=self._public_id(opened), unit_id=unit_id, applicant_id=applicant_id,
            created_by_id=applicant_id if template.row["created_by_id"] == template.applicant_id else handler_id,
            created_at=opened, updated_at=times[-1], permit_id=None, quota_year=None, overdue=False,
            extended_at=None, extended_by_id=None, extension_days=None, extension_reason="", due_before_extension=None,
        )
        submitted = [at for (action, *_rest), at in zip(template.events, times, strict=True) if action in SUBMITTING]
        self._clock(row, template, submitted, times)
        if row["decided_at"] is not None:
            row["decided_at"] = times[-1]
            row["permit_id"] = permit_id if row["state"] == "approved" else None
        if quota and row["state"] in ("submitted", "in_review", "returned", "pending_approval") and submitted:
            row["quota_year"] = local_day(submitted[0]).year
        self.cases.rows.append(row)
        for (action, actor, role, before, after, detail), at in zip(template.events, times, strict=True):
            self.events.add(case_id=case_id, at=at, action=action, actor_id=actors.get(role, actor), actor_role=role,
                            from_state=before, to_state=after, detail=detail)
        uploaded = submitted[0] if submitted else opened
        for code, required, status, reason, file_id, by_applicant in template.materials:
            self.materials.add(case_id=case_id, code=code, required=required, status=status, reason=reason,
                               file_id=file_id, uploaded_at=uploaded if file_id else None,
                               uploaded_by_id=(applicant_id if by_applicant else handler_id) if file_id else None)
        if template.notice is not None and row["state"] == "returned":
            self.notices.add(case_id=case_id, issued_at=times[-1], issued_by_id=template.notice[0],
                             problems=Dumped.of(template.notice[1]), answered_at=None)
        return row

    def _times(self, count: int, opened: datetime) -> list[datetime]:
        """The moments of a case's `count` events: the first at its opening, the others spread over the following
        days, squeezed to end before now."""
        gaps = [timedelta(hours=self.rng.uniform(2, 60)) for _ in range(count - 1)]
        room = self.now - timedelta(minutes=30) - opened
        total = sum(gaps, timedelta())
        if total > room:
            gaps = [gap * (room / total) for gap in gaps]
        times, at = [opened], opened
        for gap in gaps:
            at += gap
            times.append(at)
        return times

    def _clock(self, row: dict[str, Any], template: Template, submitted: list[datetime], times: list[datetime]) -> None:
        """The clock and the acceptance, started by the unit's first submission, as the services set them."""
        if not submitted:
            row.update(accepted_on=None, due_on=None, paused_on=None, days_left_at_pause=None, received_at=None,
                       acceptance_due=None, accepted_at=None)
            return
        start = local_day(submitted[0])
        clock = clock_start(policy_calendar(), accepted_on=start, time_limit=row["time_limit"] or 20)
        if row["paused_on"] is not None:
            paused = min(max(local_day(times[-1]), start), self.today)
            clock = clock_pause(policy_calendar(), clock, on=paused)
        row.update(accepted_on=clock.accepted_on, due_on=clock.due, paused_on=clock.paused_on,
                   days_left_at_pause=clock.days_left_at_pause, clock_provisional=clock.provisional,
                   received_at=submitted[-1])
        row["acceptance_due"] = deadline(local_day(submitted[-1]), ACCEPTANCE_WORKING_DAYS)[0]
        if template.row["accepted_at"] is not None:
            accepting = [at for (action, *_rest), at in zip(template.events, times, strict=True)
                         if action in ACCEPTING and at >= submitted[0]]
            row["accepted_at"] = accepting[0] if accepting else submitted[-1]
        row["overdue"] = row["state"] in RUNNING and clock.due < self.today

    def _public_id(self, opened: datetime) -> str:
        stamp = local_day(opened).strftime("%y%m")
        while True:
            public_id = f"C{stamp}" + "".join(self.rng.choices(PUBLIC_ID_ALPHABET, k=8))
            if public_id not in self.public_ids:
                self.public_ids.add(public_id)
                return public_id

    def write(self) -> dict[str, int]:
        return {"cases": self.cases.write(), "case_events": self.events.write(),
                "case_materials": self.materials.write(), "correction_notices": self.notices.write()}
