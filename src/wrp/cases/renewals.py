"""Renewal drafts opened in bulk from the expiry radar (续签, POLICY §9, G7).

For each selected permit in its renewal window, a `renewal` draft is opened through `case_open`, prefilled from the
holder's last approved case with this unit: its answers (those the renewal carries), and the files of the materials
whose content does not change with time. The others must be uploaded anew, each with its reason — records of a period
that ends at filing (income, social insurance, tax certificates) and declarations signed for each application; the
labour contract only when its end date changed since that case or it no longer has three months left (A-CONTRACT).
The plan is recorded as the draft's `prefill` event (`renewal_prefill` reads it back for the pages).

All or nothing: a permit that is not the unit's employee's, outside its window, or whose holder has a renewal open
already refuses the whole request (Invalid naming `permits.<index>`), and nothing is opened.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wrp.audit.services import audit_record, audited_atomic
from wrp.cases.facts import profile_facts
from wrp.cases.kinds import kind_spec
from wrp.cases.materials import case_checklist
from wrp.cases.models import Case, CaseEvent, CaseMaterial, CaseState, MaterialStatus
from wrp.cases.radar import IN_WINDOW, radar_rows
from wrp.cases.services import Problems, case_open
from wrp.permits.models import Permit, PermitStatus
from wrp.policy.codes import Service
from wrp.policy.materials import base_materials
from wrp.policy.periods import at_least_left
from wrp.policy.rules.applicant import CONTRACT_MONTHS_LEFT

# Materials whose content changes with each application: a record of the period ending at filing, or a declaration
# signed for this application. They are never carried over.
DATED = frozenset({"personal_integrity_declaration", "taxable_income_12m", "social_insurance_12m",
                   "unit_tax_certificates", "tax_records_3y", "taxable_income_3y"})
ANEW_REASONS = {
    "dated": _("须为本次申请新出具或新签署"),
    "not_on_file": _("上次批准的案件中没有通过审核的该材料"),
    "contract_changed": _("劳动合同信息已变化或剩余期限不足三个月"),
}
PREFILL_ACTION = "prefill"


def last_approved_case(holder: Any, unit: Any) -> Case | None:
    """The holder's latest approved personal case with the unit (the one a renewal copies)."""
    return (
        Case.objects.filter(applicant_id=holder.pk, unit_id=unit.pk, state=CaseState.APPROVED)
        .order_by("-decided_at", "-id").first()
    )


def _contract_unchanged(source: Case, holder: Any, today: date) -> bool:
    before = ((source.frozen_facts or {}).get("applicant") or {}).get("contract_end")
    now = profile_facts(holder).get("contract_end")
    if before != now:
        return False
    return now is None or at_least_left(date.fromisoformat(now), on=today, months=CONTRACT_MONTHS_LEFT)


def materials_plan(case: Case, source: Case | None, *, today: date) -> tuple[list[str], list[dict[str, str]]]:
    """(codes carried over from `source`, [{"code", "reason"} to upload anew]) for the draft's checklist."""
    codes = case_checklist(case) or list(base_materials(Service.RENEWAL))
    on_file = {}
    if source is not None:
        on_file = {m.code: m for m in CaseMaterial.objects.filter(case=source, status=MaterialStatus.ACCEPTED,
                                                                  file__isnull=False)}
    reused: list[str] = []
    anew: list[dict[str, str]] = []
    for code in codes:
        if code in DATED:
            anew.append({"code": code, "reason": "dated"})
        elif code not in on_file or source is None:
            anew.append({"code": code, "reason": "not_on_file"})
        elif code == "labour_contract" and not _contract_unchanged(source, case.applicant, today):
            anew.append({"code": code, "reason": "contract_changed"})
        else:
            reused.append(code)
    return reused, anew


def _prefill(case: Case, *, actor: Any, source: Case | None, today: date) -> dict[str, Any]:
    """Carry the reusable materials' files over (the stored file is immutable, so both cases share it) and record
    the plan as the draft's `prefill` event."""
    reused, anew = materials_plan(case, source, today=today)
    if source is not None:
        files = {m.code: m for m in CaseMaterial.objects.filter(case=source, code__in=reused)}
        now = timezone.now()
        CaseMaterial.objects.bulk_create(
            CaseMaterial(case=case, code=code, file_id=files[code].file_id, status=MaterialStatus.UPLOADED,
                         uploaded_at=now, uploaded_by=actor)
            for code in reused
        )
    plan = {"from": source.public_id if source else None, "reused": reused, "anew": anew}
    CaseEvent.objects.create(case=case, at=timezone.now(), action=PREFILL_ACTION, actor=actor,
                             actor_role=getattr(actor, "role", ""), from_state=case.state, to_state=case.state,
                             detail=plan)
    audit_record(actor=actor, action="case.prefill", obj=case, changes={"from": plan["from"], "reused": reused})
    return plan


def renewal_prefill(case: Case) -> dict[str, Any] | None:
    """The prefill plan of a renewal draft opened from the radar: {"from", "reused", "anew": [{"code", "reason"}]}
    (None for a case not opened so)."""
    event = CaseEvent.objects.filter(case=case, action=PREFILL_ACTION).order_by("-at", "-id").first()
    return event.detail if event else None


def _refusals(permits: list[Permit], rows: dict[str, Any]) -> Problems:
    problems = Problems()
    if not permits:
        problems.add("permits", _("请至少选择一个证件。"), "permits_required")
    seen: set[str] = set()
    for index, permit in enumerate(permits):
        path, row = f"permits.{index}", rows.get(permit.number)
        if row is None:
            problems.add(path, _("该证件不属于本单位在职员工。"), "permit_not_found")
        elif permit.number in seen:
            problems.add(path, _("同一证件选择了两次。"), "duplicate_permit")
        elif row.open_renewal is not None:
            problems.add(path, _("该证件已有未办结的续签申请。"), "renewal_already_open")
        elif row.window not in IN_WINDOW or row.permit.status != PermitStatus.VALID:
            problems.add(path, _("该证件不在续签期内（有效期满前60日内）。"), "not_in_renewal_window")
        seen.add(permit.number)
    return problems


def renewal_drafts_open(*, actor: Any, permits: Iterable[Permit]) -> list[Case]:
    """Open one prefilled renewal draft per permit, all or nothing. Each returned case carries its plan as
    `case.prefill` (see `renewal_prefill`)."""
    permits = list(permits)
    today = timezone.localdate()
    spec = kind_spec(Service.RENEWAL)
    with audited_atomic():
        locked = {p.pk: p for p in Permit.objects.select_for_update().filter(pk__in=[p.pk for p in permits])}
        units = {p.unit_id: p.unit for p in locked.values()}
        rows: dict[str, Any] = {}
        for unit in units.values():
            numbers = [p.number for p in locked.values() if p.unit_id == unit.pk]
            rows.update({row.permit.number: row for row in
                         radar_rows(user=actor, unit=unit, today=today, numbers=numbers)})
        _refusals(permits, rows).refuse()
        opened = []
        for permit in permits:
            row = rows[permit.number]
            holder, unit = row.permit.holder, row.permit.unit
            source = last_approved_case(holder, unit)
            answers = {k: v for k, v in ((source.answers if source else None) or {}).items()
                       if k in spec.answer_names}
            case = case_open(actor=actor, kind=Service.RENEWAL, unit=unit, applicant=holder, answers=answers)
            case.prefill = _prefill(case, actor=actor, source=source, today=today)  # type: ignore[attr-defined]
            opened.append(case)
    return opened


def anew_reason_words(reason: str) -> Any:
    return ANEW_REASONS.get(reason, reason)

